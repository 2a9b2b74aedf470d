// The capacity bench's `--baseline`: the same bands and rate offered to what a practitioner would
// build instead of Tongxing — Mosquitto plus baseline-subscriber.mjs writing into a positions
// table like Tongxing's — measured the same way: CPU and memory of its processes, CPU of the
// PostgreSQL backend serving it, the PUBACK latency the bands saw, fixes stored per second.
import { spawn, type ChildProcess } from 'node:child_process'
import { childEnv, freePort } from '../../test/support/cli.ts'
import type { Db } from '../../infra/index.ts'
import { BENCH_APPLICATION, ROOT, sleep, usage, type BenchDatabase } from './service-process.ts'
import { mosquittoConf } from './bench.ts'

export interface SideFigures {
  /** CPU of the side's own processes, % of a core. */
  cpuPct: number
  /** CPU of the PostgreSQL backends serving it, % of a core. */
  pgPct: number
  /** Peak resident memory of its processes, MB. */
  rssMb: number
  ackP99: string
  storedRate: number
}

/** The client backends on the bench database other than the bench's own connections. */
export async function backendPids(db: Db): Promise<number[]> {
  const r = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
     WHERE datname = current_database() AND backend_type = 'client backend' AND application_name <> $1`,
    [BENCH_APPLICATION],
  )
  return r.rows.map((x) => x.pid)
}

/** CPU seconds of the given processes (a process gone since counts 0). */
export const cpuOf = (pids: number[]) => pids.reduce((a, p) => a + usage(p).cpuS, 0)

/**
 * The CPU of the backends serving a database from now until stop(), in seconds, counting backends
 * that open and close meanwhile: a pool closes idle connections and opens new ones, so a list
 * taken once would lose a closed backend's whole life and miss a new one's. Sampled every second;
 * what a backend used after its last sample before closing is lost (at most a second of it).
 */
export async function meterBackends(db: Db): Promise<{ stop(): Promise<number> }> {
  const first = new Map<number, number>()
  const last = new Map<number, number>()
  const sample = async (atStart: boolean) => {
    for (const pid of await backendPids(db)) {
      const cpu = usage(pid).cpuS
      if (!first.has(pid)) first.set(pid, atStart ? cpu : 0) // opened within the window: all of it counts
      if (cpu > 0) last.set(pid, cpu)
    }
  }
  await sample(true)
  let sampling = Promise.resolve()
  const timer = setInterval(() => {
    sampling = sampling.then(() => sample(false)).catch(() => {})
  }, 1000)
  return {
    async stop() {
      clearInterval(timer)
      await sampling
      await sample(false)
      let s = 0
      for (const [pid, cpu] of last) s += cpu - first.get(pid)!
      return s
    },
  }
}

const TABLE = 'baseline_positions'

/** `sim load` against a broker that needs no provisioning (Mosquitto, bare aedes): the bench's seed. */
export function unprovisionedLoad(broker: string, o: { bands: number; everyS: number; durationMs: number }) {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'simulator/cli.ts',
      'load',
      '--no-provision',
      '--broker',
      broker,
      '--bands',
      String(o.bands),
      '--rate',
      String(o.bands / o.everyS),
      '--duration',
      `${o.durationMs / 1000}s`,
      '--seed',
      '5',
      '--quiet',
    ],
    { cwd: ROOT, env: childEnv({}), stdio: ['ignore', 'pipe', 'inherit'] },
  )
}

/** The baseline's processes, running: Mosquitto and the subscriber, and the backend serving it. */
export interface RunningBaseline {
  broker: string
  /** Mosquitto's and the subscriber's. */
  pids: number[]
  backend: number
  stop(): Promise<void>
}

/** Starts Mosquitto and the subscriber writing into a positions-like table of `database`. */
export async function startBaseline(database: BenchDatabase, mosquittoPath: string): Promise<RunningBaseline> {
  // Same columns, key and indexes as Tongxing's positions, as one plain table.
  await database.db.query(`CREATE TABLE ${TABLE} (LIKE positions INCLUDING ALL)`)
  const port = await freePort()
  const conf = await mosquittoConf(port)
  const mosquitto = spawn(mosquittoPath, ['-c', conf], { stdio: 'ignore' })
  await sleep(500)
  const broker = `mqtt://127.0.0.1:${port}`
  const subscriber = spawn(process.execPath, ['bench/support/baseline-subscriber.mjs', broker, database.url, TABLE], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const backend = await new Promise<number>((resolve, reject) => {
    subscriber.stdout!.on('data', (d: Buffer) => {
      const m = /backend (\d+)/.exec(d.toString())
      if (m) resolve(Number(m[1]))
    })
    subscriber.once('exit', (code) => reject(new Error(`baseline subscriber exited ${code}`)))
  })
  return {
    broker,
    pids: [mosquitto.pid!, subscriber.pid!],
    backend,
    async stop() {
      await stop(subscriber)
      mosquitto.kill('SIGTERM')
    },
  }
}

export async function baselineStep(
  database: BenchDatabase,
  mosquittoPath: string,
  o: { bands: number; everyS: number; durationMs: number },
): Promise<SideFigures> {
  const { db } = database
  const { broker, pids, backend, ...baseline } = await startBaseline(database, mosquittoPath)
  const load = unprovisionedLoad(broker, o)
  let out = ''
  load.stdout!.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const stored = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLE}`)).rows[0]!.n
  // As for the service: the window opens once the fleet is connected and the first reports are stored.
  while ((await stored()) === 0 && load.exitCode === null) await sleep(500)
  const cpu0 = cpuOf(pids)
  const pg0 = cpuOf([backend])
  const t0 = performance.now()
  const storedAtT0 = await stored()
  let rss = 0
  while (load.exitCode === null) {
    await sleep(5000)
    rss = Math.max(
      rss,
      pids.reduce((a, p) => a + usage(p).rssMb, 0),
    )
  }
  const seconds = (performance.now() - t0) / 1000
  const figures: SideFigures = {
    cpuPct: ((cpuOf(pids) - cpu0) / seconds) * 100,
    pgPct: ((cpuOf([backend]) - pg0) / seconds) * 100,
    rssMb: rss,
    ackP99: /PUBACK p50 [^,]+ p99 ([^,]+),/.exec(out)?.[1] ?? '-',
    storedRate: ((await stored()) - storedAtT0) / seconds,
  }
  await baseline.stop()
  return figures
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
}

/** "12.3 ms" → 12.3; anything else → NaN. */
const ms = (text: string) => (/^([0-9.]+) ms$/.exec(text) ? Number.parseFloat(text) : Number.NaN)

/** One row of the side-by-side table: Tongxing's figure, the baseline's, and their ratio. */
export function ratioRow(label: string, t: SideFigures, b: SideFigures): string {
  const pair = (x: number, y: number, unit: string, digits = 1) =>
    `${x.toFixed(digits)} / ${y.toFixed(digits)} ${unit} (${(x / y).toFixed(2)}×)`
  return `| ${label} | ${pair(t.cpuPct, b.cpuPct, '%')} | ${pair(t.pgPct, b.pgPct, '%')} | ${pair(t.rssMb, b.rssMb, 'MB', 0)} | ${t.ackP99} / ${b.ackP99} (${(ms(t.ackP99) / ms(b.ackP99)).toFixed(1)}×) | ${t.storedRate.toFixed(0)} / ${b.storedRate.toFixed(0)} |`
}

export const RATIO_HEADER = [
  '| bands × every | process CPU, Tongxing / baseline | PostgreSQL backends CPU | RSS | PUBACK p99 | stored fixes/s |',
  '|---|---|---|---|---|---|',
]
