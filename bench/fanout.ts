// WebSocket fan-out: many dashboards connected while a fleet reports, each dashboard an admin's
// wall screen that receives every band's positions (the heaviest scope). Printed: the messages
// delivered per second to all dashboards, next to a bare `ws` server broadcasting messages of the
// same size at the same rate to the same number of clients (the library's own cost, no scoping,
// no service), and the latency of SOS alerts from the band's publish to every dashboard while the
// positions stream. The service runs in its own process (embedded broker and PGlite); the fleet in
// another; the dashboards in this one.
//
//   npm run bench:fanout -- [--dashboards 500] [--bands 1500] [--every 10] [--seconds 30] [--samples 50]
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { createServer } from 'node:net'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import mqtt from 'mqtt'
import WebSocket, { WebSocketServer } from 'ws'
import { CONFIG_KEYS } from '../infra/index.ts'

const { values: v } = parseArgs({ options: {
  dashboards: { type: 'string', default: '500' }, bands: { type: 'string', default: '1500' }, every: { type: 'string', default: '10' },
  seconds: { type: 'string', default: '30' }, samples: { type: 'string', default: '50' },
} })
const DASHBOARDS = Number(v.dashboards), BANDS = Number(v.bands), EVERY_S = Number(v.every), SECONDS = Number(v.seconds), SAMPLES = Number(v.samples)
const ROOT = fileURLToPath(new URL('../', import.meta.url))
/** CPU seconds (user + system) of a process. */
const cpuS = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) / 100 }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const freePort = () => new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)) }) })
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN

function cli(args: string[], env: Record<string, string> = {}) {
  const base = { ...process.env }
  for (const key of Object.keys(CONFIG_KEYS)) delete base[key]
  return spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
}
async function run(args: string[], env: Record<string, string>) {
  const c = cli(args, env)
  const code = await new Promise((r) => c.once('exit', r))
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}`)
}

// The service, with an admin and the band that presses SOS.
const httpPort = await freePort(), mqttPort = await freePort()
const env = { PORT: String(httpPort), MQTT_PORT: String(mqttPort), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: await mkdtemp(join(tmpdir(), 'tongxing-fanout-')) }
await run(['bin/tongxing.ts', 'user', 'add', '--username', 'wall', '--password', 'wall-password-1', '--role', 'admin'], env)
const PRESSER = { id: 'presser-0', secret: 'presser-secret-0000000' }
const residentOut = await new Promise<number>((resolve, reject) => {
  const c = cli(['bin/tongxing.ts', 'resident', 'add', '--name', 'Presser'], env)
  let out = ''
  c.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  c.once('exit', (code) => code === 0 ? resolve((JSON.parse(out.trim()) as { residentId: number }).residentId) : reject(new Error('resident add failed')))
})
await run(['bin/tongxing.ts', 'band', 'add', '--id', PRESSER.id, '--secret', PRESSER.secret, '--resident', String(residentOut)], env)
const service = cli(['bin/tongxing.ts', 'serve'], env)
for (let i = 0; i < 300 && !(await fetch(`http://127.0.0.1:${httpPort}/healthz`).catch(() => undefined))?.ok; i++) await sleep(200)

// The fleet, from another process, reporting for the whole measurement and the SOS samples.
const fleet = cli(['simulator/cli.ts', 'load', '--url', `http://127.0.0.1:${httpPort}`, '--broker', `mqtt://127.0.0.1:${mqttPort}`,
  '--admin', 'wall', '--password', 'wall-password-1', '--bands', String(BANDS), '--rate', String(BANDS / EVERY_S), '--duration', '30m', '--seed', '3', '--quiet'])
const login = await fetch(`http://127.0.0.1:${httpPort}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'wall', password: 'wall-password-1' }) })
const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!

/** Connects n clients to a socket URL, counting what they receive; `onAlert` sees each SOS alert. */
async function dashboards(url: string, n: number, headers: Record<string, string>, onAlert?: (bandId: string) => void) {
  let received = 0, bytes = 0
  const sockets = await Promise.all(Array.from({ length: n }, () => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.on('message', (data: Buffer) => {
      received++
      bytes += data.length
      if (onAlert && data.includes('"sos"')) {
        const m = JSON.parse(String(data)) as { type: string; change?: string; alert?: { bandId: string; kind: string } }
        if (m.type === 'alert' && m.change === 'opened' && m.alert?.kind === 'sos') onAlert(m.alert.bandId)
      }
    })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })))
  return { sockets, counts: () => ({ received, bytes }) }
}

const arrivals: number[] = []
let expected = 0
const service_ = await dashboards(`ws://127.0.0.1:${httpPort}/ws`, DASHBOARDS, { cookie }, () => arrivals.push(performance.now()))
// Until the whole fleet reports.
const bandsConnected = async () => Number((await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text()).match(/^tongxing_bands_connected (\d+)/m)?.[1] ?? 0)
while ((await bandsConnected()) < BANDS) await sleep(1000)
await sleep(3000)
const c0 = service_.counts(), t0 = performance.now(), s0 = cpuS(service.pid!)
await sleep(SECONDS * 1000)
const c1 = service_.counts(), t1 = performance.now()
const serviceCpu = (cpuS(service.pid!) - s0) / ((t1 - t0) / 1000) * 100
const serviceRate = (c1.received - c0.received) / ((t1 - t0) / 1000)
const avgBytes = (c1.bytes - c0.bytes) / Math.max(1, c1.received - c0.received)

// SOS presses while the positions stream: from publish until every dashboard has it.
const presser = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: PRESSER.id, username: PRESSER.id, password: PRESSER.secret, reconnectPeriod: 0 })
const firstMs: number[] = [], allMs: number[] = []
for (let i = 0; i < SAMPLES; i++) {
  arrivals.length = 0
  expected = DASHBOARDS
  const sent = performance.now()
  presser.publish(`bands/${PRESSER.id}/telemetry`, JSON.stringify({ v: 1, seq: 1_000_000 + i, ts: Date.now() / 1000, lat: 36.8, lon: 118, acc: 5, src: 'gps', evt: ['sos'] }), { qos: 1 })
  for (let k = 0; k < 500 && arrivals.length < expected; k++) await sleep(5)
  firstMs.push(arrivals[0]! - sent)
  allMs.push(Math.max(...arrivals) - sent)
  // Resolve it so the next press opens a new alert.
  await sleep(300)
  const open = await (await fetch(`http://127.0.0.1:${httpPort}/api/alerts?status=open&limit=5`, { headers: { cookie } })).json() as { alerts: { id: number; kind: string }[] }
  for (const a of open.alerts.filter((x) => x.kind === 'sos')) {
    await fetch(`http://127.0.0.1:${httpPort}/api/alerts/${a.id}/resolve`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ note: 'bench' }) })
  }
  await sleep(200)
}
await presser.endAsync()
for (const s of service_.sockets) s.terminate()
fleet.kill()
service.kill('SIGTERM')
await new Promise((r) => service.once('exit', r))

// The peer: a bare ws server in its own process broadcasting messages of the same size at the
// same per-client rate to the same number of clients.
const perClient = serviceRate / DASHBOARDS
const barePort = await freePort()
const bare = spawn(process.execPath, ['--import', 'tsx', '-e', `
  import { WebSocketServer } from 'ws'
  const wss = new WebSocketServer({ port: ${barePort}, host: '127.0.0.1' })
  const payload = JSON.stringify({ type: 'position', pad: 'x'.repeat(${Math.max(0, Math.round(avgBytes) - 30)}) })
  let due = 0
  setInterval(() => {
    due += ${perClient} / 100
    for (; due >= 1; due--) for (const c of wss.clients) c.send(payload)
  }, 10)
`], { cwd: ROOT, stdio: 'inherit' })
await sleep(1500)
const bareClients = await dashboards(`ws://127.0.0.1:${barePort}`, DASHBOARDS, {})
await sleep(2000)
const b0 = bareClients.counts(), bt0 = performance.now(), x0 = cpuS(bare.pid!)
await sleep(SECONDS * 1000)
const b1 = bareClients.counts(), bt1 = performance.now()
const bareCpu = (cpuS(bare.pid!) - x0) / ((bt1 - bt0) / 1000) * 100
const bareRate = (b1.received - b0.received) / ((bt1 - bt0) / 1000)
for (const s of bareClients.sockets) s.terminate()
bare.kill()
void WebSocketServer

console.log(`# WebSocket fan-out — ${DASHBOARDS} admin dashboards (every position each), ${BANDS} bands every ${EVERY_S} s; ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`)
const offered = (BANDS / EVERY_S) * DASHBOARDS
console.log(`Every position to every dashboard is ${offered.toFixed(0)} messages a second.`)
console.log('')
console.log('| server | messages delivered per second | of those offered | average message | server CPU (% of a core) | CPU per 100k messages | ÷ bare ws |')
console.log('|---|---|---|---|---|---|---|')
const per100k = (cpu: number, rate: number) => cpu / rate * 100_000
console.log(`| Tongxing (the whole service: broker, storage, scoped hub) | ${serviceRate.toFixed(0)} | ${(serviceRate / offered * 100).toFixed(1)} % | ${avgBytes.toFixed(0)} B | ${serviceCpu.toFixed(1)} % | ${per100k(serviceCpu, serviceRate).toFixed(1)} % | ${(per100k(serviceCpu, serviceRate) / per100k(bareCpu, bareRate)).toFixed(2)} |`)
console.log(`| bare ws broadcast, same size and rate, nothing else | ${bareRate.toFixed(0)} | ${(bareRate / offered * 100).toFixed(1)} % | ${avgBytes.toFixed(0)} B | ${bareCpu.toFixed(1)} % | ${per100k(bareCpu, bareRate).toFixed(1)} % | 1.00 |`)
console.log('')
console.log(`| SOS publish → dashboards, while positions stream (${SAMPLES} presses) | p50 | p99 | max |`)
console.log('|---|---|---|---|')
console.log(`| first dashboard | ${q(firstMs, 0.5).toFixed(1)} ms | ${q(firstMs, 0.99).toFixed(1)} ms | ${Math.max(...firstMs).toFixed(1)} ms |`)
console.log(`| all ${DASHBOARDS} dashboards | ${q(allMs, 0.5).toFixed(1)} ms | ${q(allMs, 0.99).toFixed(1)} ms | ${Math.max(...allMs).toFixed(1)} ms |`)
process.exit(0)
