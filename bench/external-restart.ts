// How fast external broker mode (one process, MQTT_URL) comes back after a SIGKILL: the compiled
// service reads from a real Mosquitto into a PostgreSQL server; it is killed, a backlog of 1500
// bands' reports (10 minutes at one per 10 s: 90,000) queues on its persistent session, and it is
// started again. Printed: time to ready (/readyz) next to a restart with nothing queued, how much
// of the backlog was stored by then, and when all of it was.
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:external-restart -- [--bands 1500] [--minutes 10]
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { freePort } from '../test/support/cli.ts'
import { publishFleet } from '../test/support/fleet-publisher.ts'
import { freshDatabase, serveCompiled, sleep, stopProcess } from './support/service-process.ts'
import { benchServer, mosquittoConf } from './support/bench.ts'

const { values: v } = parseArgs({
  options: { bands: { type: 'string', default: '1500' }, minutes: { type: 'string', default: '10' } },
})
const SERVER = benchServer()
const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p))
if (!MOSQUITTO) throw new Error('mosquitto is needed (apt-get install mosquitto)')
const BANDS = Number(v.bands)
const REPORTS = Number(v.minutes) * 6 // one every 10 s

const database = await freshDatabase(SERVER, `tongxing_restart_${process.pid}`)
const stored = async () =>
  (await database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM positions')).rows[0]!.n
const mqttPort = await freePort()
const conf = await mosquittoConf(mqttPort)
const mosquitto = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' })
await sleep(500)
const brokerUrl = `mqtt://127.0.0.1:${mqttPort}`
const httpPort = await freePort()
const start = () =>
  serveCompiled({ DATABASE_URL: database.url, DB_POOL_SIZE: '4', MQTT_URL: brokerUrl, PORT: String(httpPort) })

/** Seconds until /readyz answers 200 (the service exiting meanwhile is a failure). */
async function ready(child: ChildProcess): Promise<number> {
  const t0 = performance.now()
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited ${child.exitCode}`)
    if ((await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined))?.ok)
      return (performance.now() - t0) / 1000
    await sleep(100)
  }
}
async function kill(child: ChildProcess) {
  child.kill('SIGKILL')
  await new Promise((r) => child.once('exit', r))
}

let service = start()
await ready(service) // the persistent session now exists
await kill(service)
service = start()
const emptyS = await ready(service)
await kill(service)

const before = await stored()
const t0 = performance.now()
const { acked } = await publishFleet(brokerUrl, {
  bands: BANDS,
  everyS: 10,
  reports: REPORTS,
  paced: false,
  t0: Date.now() - REPORTS * 10_000 - 60_000,
})
const queueS = (performance.now() - t0) / 1000
service = start()
const started = performance.now()
const backlogS = await ready(service)
const atReady = (await stored()) - before
let n = atReady
while (n < acked && performance.now() - started < 600_000) {
  await sleep(250)
  n = (await stored()) - before
}
const drainedS = (performance.now() - started) / 1000
const alive = service.exitCode === null

console.log(
  `# external broker mode after SIGKILL — one process, Mosquitto, PostgreSQL ` +
    `server on the same machine; ${cpus().length} cores, Node ${process.version}, ` +
    `${new Date().toISOString().slice(0, 10)}`,
)
console.log(
  '| queued for the session | ready after | ready ÷ empty restart | stored when ' +
    'ready | all stored after | drain rate | service still up |',
)
console.log('|---|---|---|---|---|---|---|')
console.log(`| nothing | ${emptyS.toFixed(1)} s | 1.00 | – | – | – | yes |`)
console.log(
  `| ${BANDS} bands × ${v.minutes} min: ${acked} reports (queued in ${queueS.toFixed(0)} s) | ${backlogS.toFixed(1)} s | ${(backlogS / emptyS).toFixed(2)} | ${atReady} | ${n >= acked ? `${drainedS.toFixed(1)} s` : `not within 600 s (${n})`} | ${(acked / drainedS).toFixed(0)} reports/s | ${alive ? 'yes' : 'no'} |`,
)
await stopProcess(service)
mosquitto.kill('SIGTERM')
await database.drop()
process.exit(0)
