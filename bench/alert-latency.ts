// Alert latency as a care worker feels it: from a band's publish to the alert on a dashboard's
// socket, while the rest of the fleet reports in the background. The samples are SOS presses
// (raised from the first message, so this is the path's own latency, not the confirmation's).
// The service runs compiled, in its own process, as deployed (its CPU and memory are reported);
// the background fleet runs in another; the presser and the dashboard socket in this one.
//
//   [BENCH_DATABASE_URL=postgres://…] npm run bench:alert-latency -- [--bands 1500] [--every 10] [--samples 300] [--set KEY=VALUE,…]
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import mqtt from 'mqtt'
import WebSocket from 'ws'
import { childEnv, freePort } from '../test/support/cli.ts'
import {
  ROOT,
  bandsConnected,
  buildService,
  parseSettings,
  freshDatabase,
  serveCompiled,
  sleep,
  stopProcess,
  usage,
  waitHttp,
} from './support/service-process.ts'
import { machine } from './support/bench.ts'

const { values: v } = parseArgs({
  options: {
    bands: { type: 'string', default: '1500' },
    every: { type: 'string', default: '10' },
    samples: { type: 'string', default: '300' },
    set: { type: 'string', default: '' },
  },
})
const SET = parseSettings(v.set!)
const BANDS = Number(v.bands),
  EVERY_S = Number(v.every),
  SAMPLES = Number(v.samples)
const SEED = 9

// With BENCH_DATABASE_URL, a fresh database on that server (as deployed); otherwise the embedded PGlite.
const server = process.env.BENCH_DATABASE_URL
const database = server ? await freshDatabase(server, 'tongxing_latency') : undefined
const env: Record<string, string> = database
  ? { DATABASE_URL: database.url }
  : { DATA_DIR: await mkdtemp(join(tmpdir(), 'tongxing-latency-')) }
/** A provisioning command of the compiled command line; its JSON answer. */
const cli = (...args: string[]) =>
  JSON.parse(
    execFileSync(process.execPath, [`${buildService()}/bin/tongxing.js`, ...args], {
      cwd: ROOT,
      env: childEnv({ LOG_LEVEL: 'warn', ...env }),
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop()!,
  ) as Record<string, string | number>
const { centreId } = cli('centre', 'add', '--name', 'Bench Centre')
const { residentId } = cli('resident', 'add', '--name', 'Presser', '--centre', String(centreId))
const PRESSER = { id: 'presser-0', secret: 'presser-secret-0000000' }
cli('band', 'add', '--id', PRESSER.id, '--resident', String(residentId), '--secret', PRESSER.secret)
// An admin's wall screen: it receives every band's positions as well as the alerts. On the server
// freshDatabase made it; here the command line does, whose password policy refuses 'bench-password'.
const PASSWORD = database ? 'bench-password' : 'quarry-lantern-orchid-61'
if (!database) cli('user', 'add', '--username', 'bench-admin', '--password', PASSWORD, '--role', 'admin')
const [httpPort, mqttPort] = [await freePort(), await freePort()]
const child = serveCompiled({ ...env, ...SET, PORT: String(httpPort), MQTT_PORT: String(mqttPort) })
await waitHttp(`http://127.0.0.1:${httpPort}/healthz`, 'service', child)
const service = { httpPort, mqttPort }

// The background fleet: every band reports every EVERY_S seconds, from another process.
const fleet = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    'simulator/cli.ts',
    'load',
    '--url',
    `http://127.0.0.1:${service.httpPort}`,
    '--broker',
    `mqtt://127.0.0.1:${service.mqttPort}`,
    '--admin',
    'bench-admin',
    '--password',
    PASSWORD,
    '--bands',
    String(BANDS),
    '--rate',
    String(BANDS / EVERY_S),
    '--duration',
    '10m',
    '--seed',
    String(SEED),
  ],
  { cwd: ROOT, stdio: 'ignore' },
)

const login = await fetch(`http://127.0.0.1:${service.httpPort}/api/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'bench-admin', password: PASSWORD }),
})
const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!
const ws = new WebSocket(`ws://127.0.0.1:${service.httpPort}/ws`, { headers: { cookie } })
const waiting = new Map<string, (at: number) => void>()
ws.on('message', (data) => {
  const m = JSON.parse(String(data)) as { type: string; alert?: { bandId: string; kind: string } }
  if (m.type === 'alert' && m.alert?.kind === 'sos') waiting.get(m.alert.bandId)?.(performance.now())
})
await new Promise((r) => ws.once('open', r))
// The fleet is provisioned, connects and settles.
await bandsConnected(`http://127.0.0.1:${service.httpPort}`, BANDS)
await sleep(5000)
const u0 = usage(child.pid!)
const t0 = performance.now()
let rss = 0

// The presser: one more band, pressing SOS once per sample.
const presserId = PRESSER.id
const presser = await mqtt.connectAsync(`mqtt://127.0.0.1:${service.mqttPort}`, {
  clientId: presserId,
  username: presserId,
  password: PRESSER.secret,
  reconnectPeriod: 0,
})
const samples: number[] = []
for (let i = 0; i < SAMPLES; i++) {
  const received = new Promise<number>((resolve) => waiting.set(presserId, resolve))
  const sent = performance.now()
  presser.publish(
    `bands/${presserId}/telemetry`,
    JSON.stringify({
      v: 1,
      seq: 1_000_000 + i,
      ts: Date.now() / 1000,
      lat: 36.8,
      lon: 118.0,
      acc: 5,
      src: 'gps',
      evt: ['sos'],
    }),
    { qos: 1 },
  )
  samples.push((await received) - sent)
  rss = Math.max(rss, usage(child.pid!).rssMb)
  await sleep(50)
}
const cpuPct = ((usage(child.pid!).cpuS - u0.cpuS) / ((performance.now() - t0) / 1000)) * 100
const q = (p: number) =>
  [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(p * samples.length))]!
console.log(
  `# alert latency — ${BANDS} bands reporting every ${EVERY_S} s in the background (${BANDS / EVERY_S} fixes/s), ${SAMPLES} SOS presses, ${server ? 'PostgreSQL server' : 'embedded PGlite'}; ${machine()}`,
)
console.log('| publish → dashboard socket | p50 | p99 | p99.9 | max | service CPU (% of a core) | service RSS |')
console.log('|---|---|---|---|---|---|---|')
console.log(
  `| SOS alert (stored before it is shown) | ${q(0.5).toFixed(1)} ms | ${q(0.99).toFixed(1)} ` +
    `ms | ${q(0.999).toFixed(1)} ms | ${Math.max(...samples).toFixed(1)} ms ` +
    `| ${cpuPct.toFixed(1)} % | ${rss.toFixed(0)} MB |`,
)
fleet.kill()
ws.close()
await presser.endAsync()
await stopProcess(child)
await database?.drop()
process.exit(0)
