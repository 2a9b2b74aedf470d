// The default a newcomer runs — `tongxing serve` on the embedded PGlite database (DATA_DIR, no
// DATABASE_URL) — compiled, as deployed: its memory idle on a fresh and on an existing data
// directory, then with a fleet reporting from another process. Idle figures are VmRSS and VmHWM
// from /proc 20 s after /healthz answers; under load, the most and the last VmRSS seen (every 2.5 s)
// from the moment the fleet is connected. Then what that memory is made of (memory-parts.ts) idle,
// while the fleet is provisioned and connects, at the most under load and at the end.
//
// The service runs as `npm start` runs it (with its Node flags); --plain: with none; --node-flags='A B'
// (with the =): with these instead (to measure what a flag buys); --no-idle: the fleet only.
//
//   npm run bench:embedded-memory -- [--bands 1500] [--every 10] [--minutes 2] [--plain] [--node-flags='…'] [--no-idle] [--set KEY=VALUE,…]
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { childEnv, freePort, startFlags } from '../test/support/cli.ts'
import { machine, loadAverage } from './support/bench.ts'
import { formatParts, memoryParts, type MemoryParts } from './support/memory-parts.ts'
import {
  ROOT,
  bandsConnected,
  buildService,
  parseSettings,
  serveCompiled,
  sleep,
  stopProcess,
  usage,
  waitHttp,
} from './support/service-process.ts'

const { values: v } = parseArgs({
  options: {
    bands: { type: 'string', default: '1500' },
    every: { type: 'string', default: '10' },
    minutes: { type: 'string', default: '2' },
    plain: { type: 'boolean', default: false },
    'node-flags': { type: 'string' },
    'no-idle': { type: 'boolean', default: false },
    set: { type: 'string', default: '' },
  },
})
const BANDS = Number(v.bands)
const EVERY_S = Number(v.every)
const DATA_DIR = await mkdtemp(join(tmpdir(), 'tongxing-embedded-memory-'))
const env = { ...parseSettings(v.set!), DATA_DIR }
/** The admin the fleet provisions its bands as (the password policy refuses weak ones). */
const PASSWORD = 'quarry-lantern-orchid-61'

function peakMb(pid: number): number {
  const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return kb ? Number(kb[1]) / 1024 : 0
}

function nodeFlags(): string[] {
  if (v['node-flags'] !== undefined) return v['node-flags'].split(' ').filter(Boolean)
  return v.plain ? [] : startFlags()
}

/** Starts the service on DATA_DIR; returns it once /healthz answers, with the seconds that took. */
async function start() {
  const [httpPort, mqttPort] = [await freePort(), await freePort()]
  const t0 = performance.now()
  const flags = nodeFlags()
  const child = serveCompiled({ ...env, PORT: String(httpPort), MQTT_PORT: String(mqttPort) }, undefined, flags)
  await waitHttp(`http://127.0.0.1:${httpPort}/healthz`, 'service', child)
  return { child, httpPort, mqttPort, readyS: (performance.now() - t0) / 1000 }
}

async function idle(what: string) {
  const s = await start()
  await sleep(20_000)
  parts.push([`idle, ${what}`, await memoryParts(s.child.pid!, `http://127.0.0.1:${s.httpPort}/metrics`)])
  const row = `| idle, ${what} | ${s.readyS.toFixed(1)} s | ${usage(s.child.pid!).rssMb.toFixed(0)} MB | ${peakMb(s.child.pid!).toFixed(0)} MB | – | – |`
  await stopProcess(s.child)
  return row
}

/** What the memory is made of at each moment worth a row. */
const parts: [string, MemoryParts][] = []
buildService()
const rows = v['no-idle'] ? [] : [await idle('fresh data directory'), await idle('existing data directory')]
execFileSync(
  process.execPath,
  [
    `${buildService()}/bin/tongxing.js`,
    'user',
    'add',
    '--username',
    'bench-admin',
    '--password',
    PASSWORD,
    '--role',
    'admin',
  ],
  { cwd: ROOT, env: childEnv({ LOG_LEVEL: 'warn', ...env }), stdio: 'ignore' },
)

const s = await start()
const fleet = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    'simulator/cli.ts',
    'load',
    ...['--url', `http://127.0.0.1:${s.httpPort}`, '--broker', `mqtt://127.0.0.1:${s.mqttPort}`],
    ...['--admin', 'bench-admin', '--password', PASSWORD, '--seed', '5', '--quiet'],
    ...['--bands', String(BANDS), '--rate', String(BANDS / EVERY_S), '--duration', `${Number(v.minutes) * 60}s`],
  ],
  { cwd: ROOT, env: childEnv({}), stdio: ['ignore', 'pipe', 'inherit'] },
)
let out = ''
fleet.stdout!.on('data', (d: Buffer) => {
  out += d.toString()
})
// Sampled from the start: provisioning (the fleet's import through the API) and connecting count.
const metricsUrl = `http://127.0.0.1:${s.httpPort}/metrics`
const before: MemoryParts[] = []
let connected = false
void bandsConnected(`http://127.0.0.1:${s.httpPort}`, BANDS).then(() => {
  connected = true
})
while (!connected) {
  before.push(await memoryParts(s.child.pid!, metricsUrl))
  await sleep(2500)
}
// The window opens once the fleet is provisioned and connected.
const u0 = usage(s.child.pid!)
const t0 = performance.now()
const during: MemoryParts[] = []
while (fleet.exitCode === null) {
  during.push(await memoryParts(s.child.pid!, metricsUrl))
  await sleep(2500)
}
const most = (xs: MemoryParts[]) => xs.reduce((a, b) => (b.rssMb > a.rssMb ? b : a))
parts.push(['provisioning and connecting, at the most', most(before)])
parts.push(['under load, at the most', most(during)])
parts.push(['under load, at the end', during.at(-1)!])
const samples = during.map((p) => p.rssMb)
const u1 = usage(s.child.pid!)
const cpuPct = ((u1.cpuS - u0.cpuS) / ((performance.now() - t0) / 1000)) * 100
const p99 = /PUBACK p50 [^,]+ p99 ([^,]+),/.exec(out)?.[1] ?? '–'
const acked = /acknowledged (\d+),/.exec(out)?.[1] ?? '0'
rows.push(
  `| ${BANDS} bands × ${EVERY_S} s, ${v.minutes} min (${acked} acknowledged) | – | ${u1.rssMb.toFixed(0)} MB at the end, ${Math.max(...samples).toFixed(0)} MB most | ${peakMb(s.child.pid!).toFixed(0)} MB | ${cpuPct.toFixed(1)} % | ${p99} |`,
)
await stopProcess(s.child)

console.log(
  `# the embedded default's memory (node ${nodeFlags()
    .map((f) => `${f} `)
    .join('')}dist/bin/tongxing.js serve) — ${machine()}; load average at the end ${loadAverage()}`,
)
console.log('| | ready after | VmRSS | VmHWM | service CPU (% of a core) | PUBACK p99 |')
console.log('|---|---|---|---|---|---|')
for (const r of rows) console.log(r)
console.log(
  `\nVmRSS while provisioning and connecting, every 2.5 s, MB: ${before.map((p) => p.rssMb.toFixed(0)).join(' ')}`,
)
console.log(`VmRSS under load every 2.5 s, MB: ${samples.map((x) => x.toFixed(0)).join(' ')}`)
console.log('\nWhat VmRSS is made of, MB (bench/support/memory-parts.ts):')
for (const [what, p] of parts) console.log(`- ${what}: ${formatParts(p)}`)
