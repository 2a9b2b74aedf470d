// What one batch of reports costs PostgreSQL, by the form of the INSERT: the CPU of the backend
// serving the bench (from /proc), and of the bench itself, per 10,000 rows, for the same batches
// into a fresh database on the server — the store's JSON parameter unpacked by json_to_recordset
// (ingest/position-store.pg.ts) and unnest(typed arrays), the practitioner's form. Rounds
// alternate so a busy machine weighs on each alike.
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:write-path -- [--batch 500] [--batches 40] [--rounds 5]
//     [--sizes 10,100,500] [--status] [--forms 3,100]
//
// --sizes: the store's statement with batches of these many rows, the same rows in all (what a
// writer sending many small statements costs against one sending few large ones), prepared once
// per connection as on a server and planned each time as on the embedded database.
// --status: band_status kept for 10,000 bands (ingest/band-status.pg.ts, one flush of every band
// at a time) as the migrations leave the table, and with fillfactor 50 (room on each page for
// the next version of its rows: heap-only updates), each in its own database; HOT share printed.
// --forms: the store's statement at these many rows a statement (3 and 100: the writer's at 1500
// bands × 10 s and 10,000 × 2 s), prepared, beside what it would cost without each thing it does
// beyond the practitioner's insert: counting new rows with RETURNING in a CTE (as it did), the
// erasure check, the partitioned table (an unpartitioned copy, as the baseline writes).
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { createDb, createLogger } from '../infra/index.ts'
import { pgPositionStore, statusUpdates, type Fix } from '../ingest/index.ts'
import { INSERT_POSITIONS } from '../ingest/position-store.pg.ts'
import { upsertBandStatus } from '../ingest/band-status.pg.ts'
import { freshDatabase, usage } from './support/service-process.ts'
import { loadAverage } from './support/bench.ts'

const { values: v } = parseArgs({
  options: {
    batch: { type: 'string', default: '500' },
    batches: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '5' },
    sizes: { type: 'string' },
    status: { type: 'boolean', default: false },
    forms: { type: 'string' },
  },
})
const SERVER = process.env.BENCH_DATABASE_URL
if (!SERVER) throw new Error('BENCH_DATABASE_URL (a PostgreSQL server on this machine) is required')
const [BATCH, BATCHES, ROUNDS] = [Number(v.batch), Number(v.batches), Number(v.rounds)]

// The practitioner's form (bench/support/baseline-subscriber.mjs), with the store's erasure check and count.
const UNNEST_INSERT = `WITH p AS (INSERT INTO positions (band_id, fix_time, seq, lat, lon, acc, src, batt, chg, spd, hdg, evt)
  SELECT band_id, to_timestamp(ts / 1000.0), seq, lat, lon, acc, src, batt, chg, spd, hdg, string_to_array(NULLIF(evt, ''), ',')
  FROM unnest($1::text[], $2::float8[], $3::bigint[], $4::float8[], $5::float8[], $6::real[], $7::text[],
    $8::smallint[], $9::bool[], $10::real[], $11::real[], $12::text[]) AS u(band_id, ts, seq, lat, lon, acc, src, batt, chg, spd, hdg, evt)
  WHERE NOT EXISTS (SELECT 1 FROM erased_periods e WHERE e.band_id = u.band_id
    AND to_timestamp(u.ts / 1000.0) >= e.from_time AND to_timestamp(u.ts / 1000.0) < e.to_time)
  ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*)::int AS inserted FROM p`
const columns = (fixes: Fix[]) => [
  fixes.map((f) => f.bandId),
  fixes.map((f) => f.ts),
  fixes.map((f) => f.seq),
  fixes.map((f) => f.lat ?? null),
  fixes.map((f) => f.lon ?? null),
  fixes.map((f) => f.acc ?? null),
  fixes.map((f) => f.src ?? null),
  fixes.map((f) => f.batt ?? null),
  fixes.map((f) => f.chg ?? null),
  fixes.map((f) => f.spd ?? null),
  fixes.map((f) => f.hdg ?? null),
  fixes.map((f) => f.evt.join(',')),
]

const database = await freshDatabase(SERVER, `tongxing_write_path_${process.pid}`)
/** One connection, as the service keeps them on a server (prepared statements) or not, and its backend. */
async function connect(url: string, prepare = true) {
  const db = createDb({ connectionString: url, log: createLogger('silent'), max: 1, prepare })
  return { db, pid: (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid }
}
const { db: client, pid: backend } = await connect(database.url)
const store = pgPositionStore(client)

let seq = 0
const start = Date.now() - 3_600_000
/** Band i's report (its position, battery and now and then an event). */
const fixAt = (i: number): Fix => ({
  bandId: `band-${String(i).padStart(6, '0')}`,
  seq: 0,
  ts: 0,
  lat: 36.8 + (i % 100) / 1e4,
  lon: 118.05 + (i % 37) / 1e4,
  acc: 6,
  src: 'gps',
  batt: 80,
  evt: i % 50 === 0 ? ['sos'] : [],
})
/** A batch as the writer sees one at a steady load: 1000 bands, one fix each, a second apart. */
const batch = (): Fix[] =>
  Array.from({ length: BATCH }, (_, i) => ({ ...fixAt(i % 1000), seq: seq++, ts: start + seq * 1000 }))
const dropLater: (() => Promise<void>)[] = []
const notes: string[] = []

type Form = { run: (fixes: Fix[]) => Promise<unknown>; backend: number; rows?: number }
const forms: Record<string, Form> = {}
if (v.status) {
  for (const fillfactor of [100, 50]) {
    const d = await freshDatabase(SERVER, `tongxing_write_path_ff${fillfactor}_${process.pid}`)
    await d.db.query(`ALTER TABLE band_status SET (fillfactor = ${fillfactor})`)
    await d.db.query(
      `INSERT INTO bands (id, secret_salt, secret_hash, provisioned_at)
       SELECT 'band-' || lpad(i::text, 6, '0'), '\\x00', '\\x00', now() FROM generate_series(0, 9999) i`,
    )
    const { db: c, pid } = await connect(d.url)
    dropLater.push(async () => {
      const hot = await c.query<{ upd: number; hot: number }>(
        "SELECT n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname = 'band_status'",
      )
      const h = hot.rows[0]!
      notes.push(
        `band_status fillfactor ${fillfactor}: ${h.upd} updates, ${((h.hot / Math.max(1, h.upd)) * 100).toFixed(0)} % heap-only`,
      )
      await c.close()
      await d.drop()
    })
    forms[`band_status upsert, fillfactor ${fillfactor}`] = {
      backend: pid,
      rows: 10_000,
      run: async () => {
        const fixes = Array.from({ length: 10_000 }, (_, i) => ({ ...fixAt(i), seq: seq++, ts: start + seq }))
        await upsertBandStatus(c, statusUpdates(fixes), Date.now())
      },
    }
  }
} else if (v.sizes) {
  const unprepared = await connect(database.url, false)
  dropLater.push(() => unprepared.db.close())
  for (const size of v.sizes.split(',').map(Number))
    for (const [how, c] of [
      ['prepared', { db: client, pid: backend }],
      ['planned each time', unprepared],
    ] as const) {
      const s = pgPositionStore(c.db)
      forms[`json_to_recordset → positions, ${size} rows a statement, ${how}`] = {
        backend: c.pid,
        run: async (f) => {
          for (let i = 0; i < f.length; i += size) await s.insert(f.slice(i, i + size))
        },
      }
    }
} else if (v.forms) {
  await client.query('CREATE TABLE positions_plain (LIKE positions INCLUDING ALL)')
  const erasure = /\n\s+WHERE NOT EXISTS \(SELECT 1 FROM erased_periods[\s\S]*?e\.to_time\)/
  if (!erasure.test(INSERT_POSITIONS)) throw new Error("the store's erasure check is not where this bench looks for it")
  const variants: Record<string, string> = {
    'counted with RETURNING in a CTE (as it was)': `WITH p AS (${INSERT_POSITIONS} RETURNING 1) SELECT count(*)::int FROM p`,
    'the store (its row count)': INSERT_POSITIONS,
    'no erasure check': INSERT_POSITIONS.replace(erasure, ''),
    'into an unpartitioned copy': INSERT_POSITIONS.replace('INSERT INTO positions ', 'INSERT INTO positions_plain '),
  }
  for (const size of v.forms.split(',').map(Number))
    for (const [i, [how, text]] of Object.entries(variants).entries())
      forms[`${size} rows a statement: ${how}`] = {
        backend,
        run: async (f) => {
          for (let j = 0; j < f.length; j += size)
            await client.query(text, [JSON.stringify(f.slice(j, j + size))], `tongxing_write_path_form_${i}`)
        },
      }
} else {
  forms['json_to_recordset → positions (the store)'] = { backend, run: (f) => store.insert(f) }
  forms['unnest(typed arrays) → positions'] = { backend, run: (f) => client.query(UNNEST_INSERT, columns(f)) }
}
const cost = Object.fromEntries(Object.keys(forms).map((name) => [name, { pg: 0, js: 0, rows: 0 }]))
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, form] of Object.entries(forms)) {
    const batches = Array.from({ length: BATCHES }, batch)
    const cpu0 = usage(form.backend).cpuS
    const js0 = process.cpuUsage()
    for (const b of batches) await form.run(b)
    const js = process.cpuUsage(js0)
    const c = cost[name]!
    c.pg += usage(form.backend).cpuS - cpu0
    c.js += (js.user + js.system) / 1e6
    c.rows += (form.rows ?? BATCH) * BATCHES
  }
}
console.log(
  `# write path — ${ROUNDS} rounds × ${BATCHES} batches of ${v.status ? '10,000 bands' : BATCH}; ${cpus().length} cores, Node ${process.version}, load ${loadAverage()}, ${new Date().toISOString().slice(0, 10)}`,
)
console.log('| statement | PostgreSQL backend CPU per 10,000 rows | bench (client) CPU per 10,000 rows |')
console.log('|---|---|---|')
for (const [name, c] of Object.entries(cost))
  console.log(
    `| ${name} | ${((c.pg / c.rows) * 1e4 * 1000).toFixed(0)} ms | ${((c.js / c.rows) * 1e4 * 1000).toFixed(0)} ms |`,
  )
for (const drop of dropLater) await drop()
for (const note of notes) console.log(note)
await client.close()
await database.drop()
process.exit(0)
