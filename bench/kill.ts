// Acknowledged means durable, counted at load: bands report at a steady rate (`sim load`, the
// capacity bench's bands), one process of the pipeline gets SIGKILL mid-run and is started again
// a second later, the bands reconnect and go on, and once the stream has drained every report a
// band got a PUBACK for is looked up in the database (bench/support/kill-count.ts). Run for
// Tongxing and, beside it, for the practitioner's baseline that the capacity bench's --baseline
// measures (Mosquitto + an unnest() subscriber), killed where each can be killed
// (bench/support/kill-sides.ts).
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:kill -- \
//     [--steps 2000:1,10000:1] [--sides single,external,subscriber,mosquitto] [--seconds 60]
//     [--kill-after 20] [--down 1] [--flush 100] [--set KEY=VALUE,…]
//
// A step is BANDS:SECONDS as in bench:capacity (each band reports every SECONDS; mind the
// file-descriptor note there). --kill-after: seconds of steady reporting before the kill;
// --down: seconds the killed process stays down; --flush: the baseline subscriber's batch
// interval, ms. The load's own duration is --seconds of reporting after its bands connect.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { childEnv } from '../test/support/cli.ts'
import { benchServer, machine, loadAverage } from './support/bench.ts'
import { countLost, drained } from './support/kill-count.ts'
import { SIDE_KINDS, SIDE_NAMES, startSide, type SideKind } from './support/kill-sides.ts'
import { ROOT, buildService, freshDatabase, parseSettings, sleep } from './support/service-process.ts'

const { values: v } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000:1' },
    sides: { type: 'string', default: SIDE_KINDS.join(',') },
    seconds: { type: 'string', default: '60' },
    'kill-after': { type: 'string', default: '20' },
    down: { type: 'string', default: '1' },
    flush: { type: 'string', default: '100' },
    set: { type: 'string', default: '' },
  },
})
const SERVER = benchServer()
const STEPS = v.steps!.split(',').map((s) => {
  const [bands, everyS] = s.split(':').map(Number)
  return { bands: bands!, everyS: everyS! }
})
const SIDES = v.sides!.split(',') as SideKind[]
for (const s of SIDES) if (!SIDE_KINDS.includes(s)) throw new Error(`--sides: ${s} is not one of ${SIDE_KINDS}`)
const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p))
if (!MOSQUITTO) throw new Error('bench:kill needs mosquitto (apt-get install mosquitto)')
const SECONDS = Number(v.seconds)
const KILL_AFTER_S = Number(v['kill-after'])
const DOWN_S = Number(v.down)
buildService()

/** `sim load` with every acknowledged report written to `acked`; provisioned through the service when it has one. */
function load(brokerUrl: string, httpUrl: string | undefined, bands: number, everyS: number, acked: string) {
  const provision = httpUrl
    ? ['--url', httpUrl, '--admin', 'bench-admin', '--password', 'bench-password']
    : ['--no-provision']
  const child = spawn(
    process.execPath,
    [
      ...['--import', 'tsx', 'simulator/cli.ts', 'load', '--broker', brokerUrl, ...provision],
      ...['--bands', String(bands), '--rate', String(bands / everyS), '--duration', `${SECONDS}s`],
      ...['--seed', '5', '--quiet', '--acked', acked],
    ],
    { cwd: ROOT, env: childEnv({}), stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const exited = new Promise<string>((resolve) => child.once('exit', () => resolve(out)))
  return { exited, running: () => child.exitCode === null }
}

async function run(kind: SideKind, bands: number, everyS: number): Promise<string> {
  const database = await freshDatabase(SERVER, `tongxing_kill_${process.pid}`)
  const dir = await mkdtemp(join(tmpdir(), 'tongxing-kill-acked-'))
  const side = await startSide(kind, database, {
    mosquitto: MOSQUITTO!,
    settings: parseSettings(v.set!),
    flushMs: Number(v.flush),
  })
  const loadStart = loadAverage()
  const l = load(side.brokerUrl, side.httpUrl, bands, everyS, join(dir, 'acked'))
  const count = async () =>
    (await database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${side.table}`)).rows[0]!.n
  // The fleet is provisioned and connected once the first reports are stored; then a steady stream.
  while ((await count()) === 0 && l.running()) await sleep(500)
  await sleep(KILL_AFTER_S * 1000)
  const atKill = await count()
  await side.kill()
  await sleep(DOWN_S * 1000)
  await side.restart()
  const out = await l.exited
  await drained(database.db, side.table)
  const c = await countLost(database.db, side.table, join(dir, 'acked'))
  await side.stop()
  await database.drop()
  await rm(dir, { recursive: true, force: true })
  if (c.lost > 0) console.error(`${kind}: lost, for example: ${c.examples.join(', ')}`)
  const published = /published (\d+),/.exec(out)?.[1] ?? '-'
  const p99 = /PUBACK p50 [^,]+ p99 ([^,]+),/.exec(out)?.[1] ?? '-'
  return `| ${bands} × ${everyS} s (${(bands / everyS).toFixed(0)}/s) | ${SIDE_NAMES[kind]} | ${atKill} | ${published} | ${c.acknowledged} | ${c.stored} | **${c.lost}** | ${p99} | ${loadStart} → ${loadAverage()} |`
}

console.log(
  `# SIGKILL mid-run — killed after ${KILL_AFTER_S} s of steady reporting, down ${DOWN_S} s, ${SECONDS} s of reporting in all; baseline flush ${v.flush} ms${v.set ? `; ${v.set}` : ''}; PostgreSQL server on the same machine; ${machine()}, ${new Date().toISOString().slice(0, 16)}Z`,
)
console.log(
  '| bands × every | side | rows stored at the kill | published | acknowledged | stored | lost acknowledged | PUBACK p99 | load average, start → end |',
)
console.log('|---|---|---|---|---|---|---|---|---|')
for (const s of STEPS) for (const kind of SIDES) console.log(await run(kind, s.bands, s.everyS))
process.exit(0)
