// How many bands one machine holds: fleets reporting at a steady rate for a stretch of minutes,
// against the service as it is deployed — one process with its embedded broker (`single`), one
// process reading from Mosquitto (`external`, MQTT_URL), or Mosquitto with ingest/geofence
// workers and a dashboard server (`cluster`) — on a PostgreSQL
// server on the same machine. Each step is sustained when the bands' reports are acknowledged as
// fast as they are offered (99 % within a second), stored within seconds of the end, and the write
// queue does not grow.
// Printed per step: rates, CPU and memory of the service processes (per 1000 bands) and of
// PostgreSQL, and the PUBACK latency the bands saw.
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:capacity -- \
//     [--layout single|external|cluster|single,external] [--workers 2] [--connections 16] [--steps 1500:10,10000:10,10000:2.5] [--minutes 10]
//     [--profile DIR] [--set KEY=VALUE,…] [--peers] [--baseline [--repeat N]]
//
// --peers: each step is also offered, with the same bands and rate, to a bare aedes broker (no
// hooks, nothing stored) and to Mosquitto (nothing stored): what merely holding the connections
// and acknowledging the reports costs on this machine, the floor under Tongxing's figure.
//
// --baseline: each step is also offered to what a practitioner would build instead (Mosquitto and
// a small subscriber batching unnest() inserts, bench/support/baseline.ts), and the two are
// printed side by side as ratios: process CPU, CPU of the PostgreSQL backends serving each, RSS,
// PUBACK p99. Ratios taken in the same run hold better than absolute figures on a busy machine.
// --repeat N runs each step's pair N times, alternating, and prints the median ratio and its range:
// at 1500 bands either side's CPU moves ±15 % between runs, more than most changes do.
//
// A step is BANDS:SECONDS (each band reports every SECONDS). One machine's file-descriptor limit
// caps the bands that can be connected at once (here 20,000 per process, one per band on each
// side); beyond it a step offers the same fixes per second from fewer bands reporting more often.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { childEnv, freePort } from '../test/support/cli.ts'
import {
  ROOT,
  buildService,
  parseSettings,
  freshDatabase,
  serveCompiled,
  sleep,
  stopProcess,
  usage,
  waitHttp,
} from './support/service-process.ts'
import { quantile } from '../simulator/index.ts'
import { benchServer, machine, loadAverage, metricTotal, mosquittoConf } from './support/bench.ts'
import {
  RATIO_HEADER,
  baselineStep,
  meterBackends,
  ratioRow,
  unprovisionedLoad,
  type SideFigures,
} from './support/baseline.ts'

const { values: v } = parseArgs({
  options: {
    layout: { type: 'string', default: 'single' },
    workers: { type: 'string', default: '2' },
    profile: { type: 'string' },
    peers: { type: 'boolean', default: false },
    baseline: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    set: { type: 'string', default: '' },
    connections: { type: 'string', default: '16' },
    steps: { type: 'string', default: '1500:10,10000:10,10000:5,10000:2.5,10000:2,10000:1.5' },
    minutes: { type: 'string', default: '10' },
  },
})
const SERVER = benchServer()
type Layout = 'single' | 'cluster' | 'external'
const LAYOUTS = v.layout!.split(',') as Layout[]
const WORKERS = Number(v.workers)
const DURATION_MS = Number(v.minutes) * 60_000
const STEPS = v.steps!.split(',').map((s) => {
  const [b, i] = s.split(':').map(Number)
  return { bands: b!, everyS: i! }
})
const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p))
if (v.baseline && !MOSQUITTO) throw new Error('--baseline needs mosquitto (apt-get install mosquitto)')
const SET = parseSettings(v.set!)
const REPEAT = Math.max(1, Number(v.repeat))
if (REPEAT > 1 && !v.baseline) throw new Error('--repeat pairs Tongxing with the baseline: add --baseline')
buildService()
const serve = (env: Record<string, string>) => serveCompiled({ ...SET, ...env }, v.profile)

/** CPU seconds of every PostgreSQL process (server and backends), exited ones aside. */
function postgresCpuS(): number {
  let s = 0
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres') s += usage(Number(d)).cpuS
    } catch {
      /* gone */
    }
  }
  return s
}

const metricSum = async (url: string, name: string) => {
  const text = (await (await fetch(url).catch(() => undefined))?.text()) ?? ''
  return metricTotal(text, name) ?? 0
}

interface Row {
  layout: Layout
  storedRate: number
  bytesPerRow?: number
  byProcess?: string
  bands: number
  everyS: number
  offered: number
  acked: number
  stored: number
  drainS: number
  queueEnd: number
  ackP99: string
  cpuPct: number
  rssMb: number
  pgPct: number
  /** CPU of the PostgreSQL backends serving this database, % of a core. */
  pgBackendsPct: number
  /** Position statements a second, and rows in each (the writer's batches). */
  statementsPerS: number
  rowsPerStatement: number
  ok: boolean
}

async function step(LAYOUT: Layout, bands: number, everyS: number): Promise<Row> {
  const database = await freshDatabase(SERVER!, `tongxing_capacity_${process.pid}`)
  const { db, url: databaseUrl } = database

  const children: ChildProcess[] = []
  let brokerUrl: string
  const httpPort = await freePort()
  const metricsUrls: string[] = []
  const common = { DATABASE_URL: databaseUrl, DB_POOL_SIZE: '4' }
  let mosquitto: ChildProcess | undefined
  if (LAYOUT === 'single') {
    const mqttPort = await freePort()
    const s = serve({ ...common, PORT: String(httpPort), MQTT_PORT: String(mqttPort) })
    children.push(s)
    await waitHttp(`http://127.0.0.1:${httpPort}/healthz`, 'service', s)
    metricsUrls.push(`http://127.0.0.1:${httpPort}/metrics`)
    brokerUrl = `mqtt://127.0.0.1:${mqttPort}`
  } else {
    if (!MOSQUITTO) throw new Error(`the ${LAYOUT} layout needs mosquitto (apt-get install mosquitto)`)
    const port = await freePort()
    const conf = await mosquittoConf(port)
    mosquitto = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' })
    await sleep(500)
    brokerUrl = `mqtt://127.0.0.1:${port}`
    const cluster = { ...common, MQTT_URL: brokerUrl }
    if (LAYOUT === 'external') {
      const s = serve({ ...cluster, PORT: String(httpPort) })
      children.push(s)
      await waitHttp(`http://127.0.0.1:${httpPort}/healthz`, 'service', s)
      metricsUrls.push(`http://127.0.0.1:${httpPort}/metrics`)
    } else {
      const d = serve({ ...cluster, ROLE: 'dashboard', PORT: String(httpPort) })
      children.push(d)
      await waitHttp(`http://127.0.0.1:${httpPort}/healthz`, 'dashboard', d)
      for (let w = 0; w < WORKERS; w++) {
        const p = await freePort()
        const c = serve({
          ...cluster,
          ROLE: 'worker',
          PORT: String(p),
          MQTT_CLIENT_ID: `bench-worker-${w}`,
          MQTT_SHARED_CONNECTIONS: v.connections!,
        })
        children.push(c)
        await waitHttp(`http://127.0.0.1:${p}/healthz`, `worker ${w}`, c)
        metricsUrls.push(`http://127.0.0.1:${p}/metrics`)
      }
    }
  }
  const pids = [...children.map((c) => c.pid!), ...(mosquitto ? [mosquitto.pid!] : [])]
  const roles =
    LAYOUT === 'single'
      ? ['service']
      : LAYOUT === 'external'
        ? ['service', 'mosquitto']
        : ['dashboard', ...Array.from({ length: WORKERS }, (_, w) => `worker ${w + 1}`), 'mosquitto']

  const rate = bands / everyS
  const load = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'simulator/cli.ts',
      'load',
      '--url',
      `http://127.0.0.1:${httpPort}`,
      '--broker',
      brokerUrl,
      '--admin',
      'bench-admin',
      '--password',
      'bench-password',
      '--bands',
      String(bands),
      '--rate',
      String(rate),
      '--duration',
      `${DURATION_MS / 1000}s`,
      '--seed',
      '5',
      '--quiet',
    ],
    { cwd: ROOT, env: childEnv({}), stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  load.stdout!.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const stored = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM positions')).rows[0]!.n
  // The measured window starts once the fleet is provisioned and the first reports are stored.
  while ((await stored()) === 0 && load.exitCode === null) await sleep(500)
  const before = pids.map(usage)
  const pgBefore = postgresCpuS()
  const backends = await meterBackends(db)
  const batches = async () => {
    const sum = (name: string) => Promise.all(metricsUrls.map((u) => metricSum(u, name)))
    const add = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
    return {
      n: add(await sum('tongxing_write_batch_rows_count')),
      rows: add(await sum('tongxing_write_batch_rows_sum')),
    }
  }
  const batchesAtT0 = await batches()
  const t0 = performance.now()
  const storedAtT0 = await stored()
  const queue: number[] = []
  let rss = 0
  while (load.exitCode === null) {
    await sleep(5000) // a scrape every 5 s (Prometheus' default is 15 s): the bench's own reads cost the service little
    queue.push(
      (await Promise.all(metricsUrls.map((u) => metricSum(u, 'tongxing_write_queue_rows')))).reduce((a, b) => a + b, 0),
    )
    rss = Math.max(
      rss,
      children.reduce((a, c) => a + usage(c.pid!).rssMb, 0) + (mosquitto ? usage(mosquitto.pid!).rssMb : 0),
    )
  }
  const seconds = (performance.now() - t0) / 1000
  const batchesAtEnd = await batches()
  const after = pids.map(usage)
  const pgAfter = postgresCpuS()
  const backendsCpuS = await backends.stop()
  const ended = performance.now()
  const storedRate = ((await stored()) - storedAtT0) / seconds
  const acked = Number(/acknowledged (\d+),/.exec(out)?.[1] ?? 0)
  const published = Number(/published (\d+),/.exec(out)?.[1] ?? 0)
  let n = await stored()
  while (n < acked && performance.now() - ended < 120_000) {
    await sleep(250)
    n = await stored()
  }
  const drainS = (performance.now() - ended) / 1000
  const byProcess = roles
    .map(
      (r, i) =>
        `${r} ${(((after[i]!.cpuS - before[i]!.cpuS) / seconds) * 100).toFixed(1)} ` +
        `% CPU, ${after[i]!.rssMb.toFixed(0)} MB`,
    )
    .join('; ')
  const cpuPct = ((after.reduce((a, u) => a + u.cpuS, 0) - before.reduce((a, u) => a + u.cpuS, 0)) / seconds) * 100
  const third = Math.max(1, Math.floor(queue.length / 3))
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
  const growing = avg(queue.slice(-third)) > 2 * avg(queue.slice(0, third)) + 2000
  const row: Row = {
    layout: LAYOUT,
    storedRate,
    bands,
    everyS,
    offered: rate,
    acked: acked / (DURATION_MS / 1000),
    stored: n,
    drainS,
    queueEnd: queue.at(-1) ?? 0,
    ackP99: /PUBACK p50 [^,]+ p99 ([^,]+),/.exec(out)?.[1] ?? '-',
    cpuPct,
    rssMb: rss,
    pgPct: ((pgAfter - pgBefore) / seconds) * 100,
    pgBackendsPct: (backendsCpuS / seconds) * 100,
    statementsPerS: (batchesAtEnd.n - batchesAtT0.n) / seconds,
    rowsPerStatement: (batchesAtEnd.rows - batchesAtT0.rows) / Math.max(1, batchesAtEnd.n - batchesAtT0.n),
    // Bands waiting over a second for their PUBACK are queueing at the door.
    byProcess,
    ok:
      published > 0 &&
      acked === published &&
      n >= acked &&
      drainS < 5 &&
      !growing &&
      parseFloat(/PUBACK p50 [^,]+ p99 ([0-9.]+) ms/.exec(out)?.[1] ?? 'Infinity') < 1000,
  }
  const size = await db.query<{ b: number }>(
    `SELECT (SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits ` +
      `WHERE inhparent = 'positions'::regclass)::float8 / GREATEST(count(*), ` +
      `1) AS b FROM positions`,
  )
  row.bytesPerRow = size.rows[0]!.b
  await Promise.all(children.map(stopProcess))
  mosquitto?.kill('SIGTERM')
  await database.drop()
  return row
}

/** The same load against a broker that stores nothing: CPU and memory of the broker process. */
async function peerStep(kind: 'bare aedes' | 'Mosquitto', bands: number, everyS: number) {
  const port = await freePort()
  let broker: ChildProcess
  if (kind === 'bare aedes')
    broker = spawn(process.execPath, ['bench/support/bare-aedes.mjs', String(port)], { cwd: ROOT, stdio: 'ignore' })
  else {
    if (!MOSQUITTO) return undefined
    const conf = join(await mkdtemp(join(tmpdir(), 'tongxing-capacity-')), 'mosquitto.conf')
    await writeFile(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`)
    broker = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' })
  }
  await sleep(1000)
  const load = unprovisionedLoad(`mqtt://127.0.0.1:${port}`, { bands, everyS, durationMs: DURATION_MS })
  let out = ''
  load.stdout!.on('data', (d: Buffer) => {
    out += d.toString()
  })
  // As for the service: measured once the fleet is connected and reporting (the load prints nothing before the end,
  // so the window opens after the connection burst, a fixed 20 s in).
  await sleep(20_000)
  const before = usage(broker.pid!)
  const t0 = performance.now()
  let rss = 0
  while (load.exitCode === null) {
    await sleep(2000)
    rss = Math.max(rss, usage(broker.pid!).rssMb)
  }
  const cpuPct = ((usage(broker.pid!).cpuS - before.cpuS) / ((performance.now() - t0) / 1000)) * 100
  broker.kill('SIGTERM')
  return {
    cpuPct,
    rssMb: rss,
    ackP99: /PUBACK p50 [^,]+ p99 ([^,]+),/.exec(out)?.[1] ?? '-',
    acked: Number(/acknowledged (\d+),/.exec(out)?.[1] ?? 0) / (DURATION_MS / 1000),
  }
}

const LAYOUT_NAMES: Record<Layout, string> = {
  single: 'one process (embedded broker)',
  external: 'one process reading from Mosquitto (MQTT_URL)',
  cluster: `Mosquitto + ${WORKERS} workers (${v.connections} connections each) + dashboard server`,
}
console.log(
  `# capacity — ${LAYOUTS.map((l) => LAYOUT_NAMES[l]).join(' / ')}${v.set ? ` with ${v.set}` : ''}, PostgreSQL server on the same machine; ${DURATION_MS / 60_000} min per step; ${machine()}, ${new Date().toISOString().slice(0, 10)}`,
)
const multi = LAYOUTS.length > 1
console.log(
  `| bands × every |${multi ? ' layout |' : ''} offered fixes/s | acknowledged fixes/s | stored fixes/s |${multi ? ` stored ÷ ${LAYOUTS[0]} |` : ''} stored within | PUBACK p99 | service CPU (% of a core) | per 1000 bands | service RSS | per 1000 bands | PostgreSQL CPU | position statements/s (rows each) | disk per position | sustained |`,
)
console.log(`|---|${multi ? '---|---|' : ''}---|---|---|---|---|---|---|---|---|---|---|---|---|`)
const parts: string[] = []
const peerRows: string[] = []
const ratioRows: string[] = []
/** Per step and layout, each pair's ratios (Tongxing ÷ baseline) and Tongxing's PUBACK p99 (ms). */
const pairs = new Map<string, { cpu: number[]; pg: number[]; p99: number[] }>()
for (const s of STEPS) {
  let first: Row | undefined
  let ok = true
  for (let rep = 0; rep < REPEAT; rep++)
    for (const layout of LAYOUTS) {
      const r = await step(layout, s.bands, s.everyS)
      first ??= r
      ok &&= r.ok
      console.log(
        `| ${r.bands} × ${r.everyS} s |${multi ? ` ${layout} |` : ''} ${r.offered.toFixed(0)} | ${r.acked.toFixed(0)} | ${r.storedRate.toFixed(0)} |${multi ? ` ${(r.storedRate / first.storedRate).toFixed(2)} |` : ''} ${r.drainS.toFixed(1)} s | ${r.ackP99} | ${r.cpuPct.toFixed(1)} % | ${((r.cpuPct / r.bands) * 1000).toFixed(2)} % | ${r.rssMb.toFixed(0)} MB | ${((r.rssMb / r.bands) * 1000).toFixed(1)} MB | ${r.pgPct.toFixed(1)} % | ${r.statementsPerS.toFixed(0)} (${r.rowsPerStatement.toFixed(1)}) | ${(r.bytesPerRow ?? 0).toFixed(0)} B | ${r.ok ? 'yes' : 'no'} |`,
      )
      if (v.baseline) {
        const database = await freshDatabase(SERVER!, `tongxing_baseline_${process.pid}`)
        const b = await baselineStep(database, MOSQUITTO!, {
          bands: s.bands,
          everyS: s.everyS,
          durationMs: DURATION_MS,
        })
        await database.drop()
        const t: SideFigures = { ...r, pgPct: r.pgBackendsPct }
        const label = `${s.bands} × ${s.everyS} s${multi ? `, ${layout}` : ''}`
        ratioRows.push(ratioRow(`${label} (load ${loadAverage()})`, t, b))
        const pair = pairs.get(label) ?? { cpu: [], pg: [], p99: [] }
        pair.cpu.push(t.cpuPct / b.cpuPct)
        pair.pg.push(t.pgPct / b.pgPct)
        pair.p99.push(parseFloat(t.ackP99))
        pairs.set(label, pair)
      }
      if (layout !== 'single') parts.push(`${r.bands} × ${r.everyS} s, ${layout}: ${r.byProcess}`)
    }
  if (v.peers) {
    for (const kind of ['bare aedes', 'Mosquitto'] as const) {
      const p = await peerStep(kind, s.bands, s.everyS)
      if (p)
        peerRows.push(
          `| ${s.bands} × ${s.everyS} s | ${kind} | ${p.acked.toFixed(0)} | ${p.ackP99} ` +
            `| ${p.cpuPct.toFixed(1)} % | ${(first!.cpuPct / p.cpuPct).toFixed(1)}× ` +
            `| ${p.rssMb.toFixed(0)} MB |`,
        )
    }
  }
  if (!ok && s.bands === STEPS.at(-1)!.bands) break
}
if (ratioRows.length > 0) {
  console.log('\nbeside the baseline (Mosquitto + an unnest() subscriber), measured in the same run:')
  for (const row of [...RATIO_HEADER, ...ratioRows]) console.log(row)
}
if (REPEAT > 1) {
  const spread = (xs: number[], unit: string, digits: number) => {
    const median = quantile(xs, 0.5)!
    return `${median.toFixed(digits)}${unit} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`
  }
  console.log(`\nmedian of ${REPEAT} pairs (range):`)
  console.log('| bands × every | process CPU, Tongxing ÷ baseline | PostgreSQL backends | Tongxing PUBACK p99 |')
  console.log('|---|---|---|---|')
  for (const [label, p] of pairs)
    console.log(`| ${label} | ${spread(p.cpu, '×', 2)} | ${spread(p.pg, '×', 2)} | ${spread(p.p99, ' ms', 1)} |`)
}
if (parts.length > 0) console.log(`\nby process — ${parts.join('\n  ')}`)
if (peerRows.length > 0) {
  console.log('\nthe same load on brokers that store nothing (the floor):')
  console.log(
    '| bands × every | broker | acknowledged fixes/s | PUBACK p99 | broker CPU (% of ' +
      'a core) | Tongxing ÷ broker | broker RSS |',
  )
  console.log('|---|---|---|---|---|---|---|')
  for (const row of peerRows) console.log(row)
}
process.exit(0)
