// WebSocket fan-out: many dashboards connected while the fleet reports — messages delivered per
// second, and how long an alert takes to reach every one of them while positions stream. The
// dashboards are admins' wall screens (each receives every band's position: the heaviest case).
// Next to it, in the same run, the floor: a bare `ws` server sending the same number of clients
// the same stream (a position message of the same size at the same rate, an alert on request),
// with no MQTT, database or scoping.
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:fanout -- \
//     [--dashboards 500] [--bands 1500] [--every 10] [--seconds 60] [--alerts 20]
//
// Service: compiled, its own process, PostgreSQL server on the same machine; the fleet in another
// process; the dashboards and the SOS presser in this one. Latency is from the presser's publish
// (service) or the alert request (floor) to each dashboard's receipt: alerts × dashboards samples.
import { spawn, type ChildProcess } from 'node:child_process'
import { parseArgs } from 'node:util'
import mqtt from 'mqtt'
import WebSocket from 'ws'
import { insertCareCentre, insertResident } from '../dashboard/index.ts'
import { upsertBand } from '../ingest/index.ts'
import { childEnv, freePort } from '../test/support/cli.ts'
import {
  ROOT,
  bandsConnected,
  freshDatabase,
  serveCompiled,
  sleep,
  stopProcess,
  usage,
  waitHttp,
} from './support/service-process.ts'
import { benchServer, machine } from './support/bench.ts'

const { values: v } = parseArgs({
  options: {
    dashboards: { type: 'string', default: '500' },
    bands: { type: 'string', default: '1500' },
    every: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '60' },
    alerts: { type: 'string', default: '20' },
  },
})
const DASHBOARDS = Number(v.dashboards),
  BANDS = Number(v.bands),
  EVERY_S = Number(v.every),
  SECONDS = Number(v.seconds),
  ALERTS = Number(v.alerts)
const SERVER = benchServer()
const now = () => performance.timeOrigin + performance.now()

/** `expect(k)`: receipts of alerts from now on are times for alert k. */
interface Dashboards {
  messages(): number
  alertAt: Map<number, number[]>
  expect(k: number): void
  close(): void
}
/**
 * Opens `n` sockets, `group` at a time, each counted once it has its snapshot. Alerts are told apart by their
 * opening bytes, not parsed.
 */
async function openDashboards(
  url: string,
  n: number,
  headers: Record<string, string>,
  group = 20,
): Promise<Dashboards> {
  let messages = 0
  const alertAt = new Map<number, number[]>()
  let current = -1
  const sockets: WebSocket[] = []
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url, { headers, perMessageDeflate: false, skipUTF8Validation: true })
      ws.on('message', (data: Buffer) => {
        messages++
        const kind = data.toString('latin1', 9, 14)
        if (kind === 'snaps') resolve()
        else if (kind === 'alert' && current >= 0) alertAt.get(current)?.push(now())
      })
      ws.once('error', reject)
      sockets.push(ws)
    })
  for (let i = 0; i < n; i += group) await Promise.all(Array.from({ length: Math.min(group, n - i) }, one))
  return {
    messages: () => messages,
    alertAt,
    close: () => {
      for (const s of sockets) s.terminate()
    },
    expect: (k) => {
      current = k
    },
  }
}

interface Result {
  who: string
  inPerS: number
  deliveredPerS: number
  p50: number
  p99: number
  max: number
  cpuPct: number
  rssMb: number
  received: number
}
/** Measures a running server: `press(k)` raises alert k; returns when the window is over. */
async function measure(
  who: string,
  pid: number,
  d: Dashboards,
  inPerS: number,
  press: (k: number) => Promise<number>,
): Promise<Result> {
  const latencies: number[] = []
  const m0 = d.messages()
  const u0 = usage(pid)
  const t0 = now()
  let rss = 0
  for (let k = 0; k < ALERTS; k++) {
    const slot = t0 + ((k + 1) * SECONDS * 1000) / (ALERTS + 1)
    await sleep(Math.max(0, slot - now()))
    d.alertAt.set(k, [])
    d.expect(k)
    const sent = await press(k)
    const got = d.alertAt.get(k)!
    const until = now() + 5000
    while (got.length < DASHBOARDS && now() < until) await sleep(5)
    for (const at of got) latencies.push(at - sent)
    rss = Math.max(rss, usage(pid).rssMb)
  }
  await sleep(Math.max(0, t0 + SECONDS * 1000 - now()))
  const seconds = (now() - t0) / 1000
  const cpuPct = ((usage(pid).cpuS - u0.cpuS) / seconds) * 100
  const sorted = latencies.sort((a, b) => a - b)
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN
  return {
    who,
    inPerS,
    deliveredPerS: (d.messages() - m0) / seconds,
    p50: q(0.5),
    p99: q(0.99),
    max: sorted.at(-1) ?? NaN,
    cpuPct,
    rssMb: Math.max(rss, usage(pid).rssMb),
    received: latencies.length,
  }
}

// Tongxing: service, fleet, presser, dashboards.
async function tongxing(): Promise<Result> {
  const database = await freshDatabase(SERVER, `tongxing_fanout_${process.pid}`)
  const centre = await insertCareCentre(database.db, 'Bench Centre')
  const PRESSER = { id: 'presser-0', secret: 'presser-secret-0000000' }
  await upsertBand(
    database.db,
    PRESSER.id,
    PRESSER.secret,
    Number(await insertResident(database.db, 'Presser', centre)),
  )
  const [httpPort, mqttPort] = [await freePort(), await freePort()]
  const service = serveCompiled({ DATABASE_URL: database.url, PORT: String(httpPort), MQTT_PORT: String(mqttPort) })
  const base = `http://127.0.0.1:${httpPort}`
  await waitHttp(`${base}/healthz`, 'service', service)
  const fleet = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'simulator/cli.ts',
      'load',
      '--url',
      base,
      '--broker',
      `mqtt://127.0.0.1:${mqttPort}`,
      '--admin',
      'bench-admin',
      '--password',
      'bench-password',
      '--bands',
      String(BANDS),
      '--rate',
      String(BANDS / EVERY_S),
      '--duration',
      '60m',
      '--seed',
      '3',
      '--quiet',
    ],
    { cwd: ROOT, env: childEnv({}), stdio: 'ignore' },
  )
  await bandsConnected(base, BANDS)
  const login = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench-admin', password: 'bench-password' }),
  })
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!
  const d = await openDashboards(`ws://127.0.0.1:${httpPort}/ws`, DASHBOARDS, { cookie })
  const presser = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
    clientId: PRESSER.id,
    username: PRESSER.id,
    password: PRESSER.secret,
    reconnectPeriod: 0,
  })
  await sleep(5000)
  const r = await measure('Tongxing (scoped, alert stored first)', service.pid!, d, BANDS / EVERY_S, async (k) => {
    const sent = now()
    presser.publish(
      `bands/${PRESSER.id}/telemetry`,
      JSON.stringify({
        v: 1,
        seq: 1_000_000 + k,
        ts: Date.now() / 1000,
        lat: 36.8,
        lon: 118.0,
        acc: 5,
        src: 'gps',
        evt: ['sos'],
      }),
      { qos: 1 },
    )
    return sent
  })
  d.close()
  await presser.endAsync()
  fleet.kill()
  await stopProcess(service)
  await database.drop()
  return r
}

// The floor: the same number of clients on a bare ws server sending the same stream.
async function floor(): Promise<Result> {
  const port = await freePort()
  const server: ChildProcess = spawn(
    process.execPath,
    ['bench/support/ws-broadcast.mjs', String(port), String(BANDS / EVERY_S)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  await new Promise((r) => server.stdout!.once('data', r))
  const d = await openDashboards(`ws://127.0.0.1:${port}/ws`, DASHBOARDS, {})
  await sleep(5000)
  const r = await measure(
    'bare ws broadcast (no scoping, nothing stored)',
    server.pid!,
    d,
    BANDS / EVERY_S,
    async (k) => {
      const sent = now()
      await fetch(`http://127.0.0.1:${port}/alert`, {
        method: 'POST',
        body: JSON.stringify({ id: k, kind: 'sos', bandId: 'presser-0' }),
      })
      return sent
    },
  )
  d.close()
  await stopProcess(server)
  return r
}

const rows = [await tongxing(), await floor()]
console.log(
  `# WebSocket fan-out — ${DASHBOARDS} admin dashboards, ${BANDS} bands every ` +
    `${EVERY_S} s (${BANDS / EVERY_S} positions/s), ${ALERTS} alerts over ${SECONDS} ` +
    `s; ${machine()}, ${new Date().toISOString().slice(0, 10)}`,
)
console.log(
  '| server | positions in /s | messages delivered /s | expected /s | alert to ' +
    'every dashboard: p50 | p99 | max | alerts received | server CPU (% of a core) | ' +
    'server RSS |',
)
console.log('|---|---|---|---|---|---|---|---|---|---|')
for (const r of rows) {
  console.log(
    `| ${r.who} | ${r.inPerS.toFixed(0)} | ${Math.round(r.deliveredPerS).toLocaleString('en')} | ${Math.round(r.inPerS * DASHBOARDS).toLocaleString('en')} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.max.toFixed(1)} ms | ${r.received} of ${ALERTS * DASHBOARDS} | ${r.cpuPct.toFixed(1)} % | ${r.rssMb.toFixed(0)} MB |`,
  )
}
const [t, f] = rows as [Result, Result]
console.log(
  `\nTongxing ÷ floor: delivered ${(t.deliveredPerS / f.deliveredPerS).toFixed(2)}, ` +
    `alert p99 ${(t.p99 / f.p99).toFixed(1)}×, CPU ${(t.cpuPct / f.cpuPct).toFixed(1)}×`,
)
process.exit(0)
