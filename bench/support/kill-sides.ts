// What bench:kill kills: each side is a pipeline that bands publish to, one of whose processes
// gets SIGKILL mid-run and is started again as a supervisor would start it.
//
//   single      Tongxing with its embedded broker; the service is killed.
//   external    Tongxing reading from Mosquitto (MQTT_URL); the service is killed, Mosquitto
//               holds its persistent session meanwhile.
//   subscriber  the practitioner's baseline (Mosquitto + baseline-subscriber.mjs with a persistent
//               session); the subscriber is killed.
//   mosquitto   the same baseline; Mosquitto (persistence false, as the capacity bench runs it)
//               is killed.
import { spawn, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { freePort } from '../../test/support/cli.ts'
import { ROOT, serveCompiled, sleep, waitHttp, type BenchDatabase } from './service-process.ts'
import { mosquittoConf } from './bench.ts'

export const SIDE_KINDS = ['single', 'external', 'subscriber', 'mosquitto'] as const
export type SideKind = (typeof SIDE_KINDS)[number]

export const SIDE_NAMES: Record<SideKind, string> = {
  single: 'Tongxing, embedded broker: service killed',
  external: 'Tongxing from Mosquitto: service killed',
  subscriber: 'baseline: subscriber killed',
  mosquitto: 'baseline: Mosquitto (no persistence) killed',
}

export interface Side {
  brokerUrl: string
  /** The service's HTTP address, to provision the load's bands; undefined for the baseline. */
  httpUrl?: string
  /** Where the reports end up. */
  table: string
  /** SIGKILLs the victim and waits until it is gone. */
  kill(): Promise<void>
  /** Starts the victim again with the same settings and waits until it is ready. */
  restart(): Promise<void>
  stop(): Promise<void>
}

export const BASELINE_TABLE = 'baseline_positions'

interface SideOptions {
  mosquitto: string
  /** Settings for the service (`--set`). */
  settings: Record<string, string>
  /** The baseline subscriber's flush interval. */
  flushMs: number
}

export async function startSide(kind: SideKind, database: BenchDatabase, o: SideOptions): Promise<Side> {
  const env = { ...o.settings, DATABASE_URL: database.url, DB_POOL_SIZE: '4' }
  const httpPort = await freePort()
  const httpUrl = `http://127.0.0.1:${httpPort}`
  if (kind === 'single') {
    const mqttPort = await freePort()
    const start = () => serveCompiled({ ...env, PORT: String(httpPort), MQTT_PORT: String(mqttPort) })
    return victim('positions', `mqtt://127.0.0.1:${mqttPort}`, httpUrl, start, [])
  }
  const broker = await mosquittoStarter(o.mosquitto)
  let mosquitto = await broker.start()
  if (kind === 'external') {
    const start = () => serveCompiled({ ...env, PORT: String(httpPort), MQTT_URL: broker.url })
    return victim('positions', broker.url, httpUrl, start, [() => mosquitto])
  }
  await database.db.query(`CREATE TABLE ${BASELINE_TABLE} (LIKE positions INCLUDING ALL)`)
  const subscriber = () =>
    spawn(
      process.execPath,
      [
        'bench/support/baseline-subscriber.mjs',
        broker.url,
        database.url,
        BASELINE_TABLE,
        String(o.flushMs),
        'baseline-kill',
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    )
  if (kind === 'subscriber') return victim(BASELINE_TABLE, broker.url, undefined, subscriber, [() => mosquitto])
  const sub = subscriber()
  return {
    brokerUrl: broker.url,
    table: BASELINE_TABLE,
    kill: () => sigkill(mosquitto),
    async restart() {
      mosquitto = await broker.start()
    },
    stop: () => Promise.all([sub, mosquitto].map(stop)).then(() => undefined),
  }

  /** A side whose victim is `start()`'s process; `others` run beside it. */
  async function victim(
    table: string,
    brokerUrl: string,
    http: string | undefined,
    start: () => ChildProcess,
    others: (() => ChildProcess)[],
  ): Promise<Side> {
    const ready = async (p: ChildProcess) => {
      if (http) await waitHttp(`${http}/healthz`, 'service', p)
      else await sleep(1000) // the subscriber connects and subscribes
      return p
    }
    let p = await ready(start())
    return {
      brokerUrl,
      httpUrl: http,
      table,
      kill: () => sigkill(p),
      async restart() {
        p = await ready(start())
      },
      stop: () => Promise.all([p, ...others.map((f) => f())].map(stop)).then(() => undefined),
    }
  }
}

/** Mosquitto on a port of its own, started again on the same port after a kill. */
async function mosquittoStarter(path: string) {
  const port = await freePort()
  const conf = await mosquittoConf(port)
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      const p = spawn(path, ['-c', conf], { stdio: 'ignore' })
      await listening(port, p)
      return p
    },
  }
}

async function listening(port: number, p: ChildProcess) {
  for (let i = 0; i < 100; i++) {
    if (p.exitCode !== null) throw new Error(`mosquitto exited ${p.exitCode}`)
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => resolve(true)).once('error', () => resolve(false))
      setTimeout(() => resolve(false), 1000)
      s.on('connect', () => s.destroy())
    })
    if (ok) return
    await sleep(100)
  }
  throw new Error('mosquitto did not start listening')
}

async function sigkill(p: ChildProcess) {
  if (p.exitCode !== null || p.signalCode !== null) return
  const gone = new Promise((r) => p.once('exit', r))
  p.kill('SIGKILL')
  await gone
}

async function stop(p: ChildProcess) {
  if (p.exitCode !== null || p.signalCode !== null) return
  const gone = new Promise((r) => p.once('exit', r))
  p.kill('SIGTERM')
  await Promise.race([gone, sleep(10_000)])
  await sigkill(p)
}
