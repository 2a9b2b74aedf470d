// What the service costs when nothing happens — no band connected, no page open — beside the
// baseline (Mosquitto and the unnest() subscriber, bench/support/baseline.ts) idle the same way:
// CPU of its processes, their wake-ups a second (voluntary context switches of every thread, from
// /proc: each timer or poll that fires puts a sleeping thread back to work), and the CPU of the
// PostgreSQL backends serving each. This fixed cost sits under every report at low rates: at 1500
// bands × 10 s the whole service uses 7–9 % of a core.
//
// Sides, each on a fresh database, measured from `--settle` seconds after it is up, for `--seconds`:
// Tongxing on the PostgreSQL server (BENCH_DATABASE_URL), Tongxing on the embedded PGlite
// (a fresh DATA_DIR), the baseline. --rounds N repeats the three in turn.
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:idle -- [--seconds 60] [--settle 15] [--rounds 1] [--set KEY=VALUE,…]
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { freePort } from '../test/support/cli.ts'
import { cpuOf, meterBackends, startBaseline } from './support/baseline.ts'
import { benchServer, loadAverage, machine } from './support/bench.ts'
import {
  freshDatabase,
  parseSettings,
  serveCompiled,
  sleep,
  stopProcess,
  waitHttp,
  type BenchDatabase,
} from './support/service-process.ts'

const { values: v } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    settle: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '1' },
    set: { type: 'string', default: '' },
  },
})
const SERVER = benchServer()
const SECONDS = Number(v.seconds)
const SET = parseSettings(v.set!)
const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p))
if (!MOSQUITTO) throw new Error('the baseline needs mosquitto (apt-get install mosquitto)')

/** Voluntary context switches of every thread of a process so far (0 once it is gone). */
function wakeups(pid: number): number {
  let n = 0
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8'))
      n += Number(m?.[1] ?? 0)
    }
  } catch {
    /* gone */
  }
  return n
}

interface Idle {
  cpuPct: number
  wakeupsPerS: number
  /** null: the database runs inside the process (embedded PGlite). */
  pgPct: number | null
}

/** Settles, then measures the processes and the backends serving them (none: embedded) over the window. */
async function measure(pids: number[], database: BenchDatabase | undefined): Promise<Idle> {
  await sleep(Number(v.settle) * 1000)
  const backends = database && (await meterBackends(database.db))
  const [cpu0, wake0] = [cpuOf(pids), pids.reduce((a, p) => a + wakeups(p), 0)]
  const t0 = performance.now()
  await sleep(SECONDS * 1000)
  const s = (performance.now() - t0) / 1000
  return {
    cpuPct: ((cpuOf(pids) - cpu0) / s) * 100,
    wakeupsPerS: (pids.reduce((a, p) => a + wakeups(p), 0) - wake0) / s,
    pgPct: backends ? ((await backends.stop()) / s) * 100 : null,
  }
}

async function tongxing(database: BenchDatabase | undefined): Promise<Idle> {
  const httpPort = await freePort()
  const env: Record<string, string> = database
    ? { DATABASE_URL: database.url }
    : { DATA_DIR: await mkdtemp(join(tmpdir(), 'tongxing-idle-')) }
  const child = serveCompiled({ ...SET, ...env, PORT: String(httpPort), MQTT_PORT: String(await freePort()) })
  try {
    await waitHttp(`http://127.0.0.1:${httpPort}/healthz`, 'service', child)
    return await measure([child.pid!], database)
  } finally {
    await stopProcess(child)
  }
}

async function baseline(database: BenchDatabase): Promise<Idle> {
  const b = await startBaseline(database, MOSQUITTO!)
  try {
    return await measure(b.pids, database)
  } finally {
    await b.stop()
  }
}

const onServer = async <T>(name: string, fn: (d: BenchDatabase) => Promise<T>) => {
  const database = await freshDatabase(SERVER, `tongxing_idle_${name}_${process.pid}`)
  try {
    return await fn(database)
  } finally {
    await database.drop()
  }
}

console.log(
  `# idle — nothing connected, ${SECONDS} s after ${v.settle} s settling${v.set ? `, with ${v.set}` : ''}; ${machine()}, ${new Date().toISOString().slice(0, 10)}`,
)
console.log(
  '| side | process CPU (% of a core) | wake-ups a second | PostgreSQL backends (% of a core) | load average |',
)
console.log('|---|---|---|---|---|')
const row = (side: string, x: Idle) =>
  console.log(
    `| ${side} | ${x.cpuPct.toFixed(2)} % | ${x.wakeupsPerS.toFixed(0)} | ${x.pgPct === null ? '– (in the process)' : `${x.pgPct.toFixed(2)} %`} | ${loadAverage()} |`,
  )
for (let round = 0; round < Number(v.rounds); round++) {
  row('Tongxing, PostgreSQL server', await onServer('server', tongxing))
  row('Tongxing, embedded PGlite', await tongxing(undefined))
  row('baseline: Mosquitto + subscriber', await onServer('baseline', baseline))
}
process.exit(0)
