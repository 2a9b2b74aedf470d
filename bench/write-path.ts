// What one batch of reports costs PostgreSQL, by the form of the INSERT: the CPU of the backend
// serving the bench (from /proc), and of the bench itself, per 10,000 rows, for the same batches
// into a fresh database on the server — the store's JSON parameter unpacked by json_to_recordset
// (ingest/position-store.pg.ts) and unnest(typed arrays), the practitioner's form. Rounds
// alternate so a busy machine weighs on each alike.
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:write-path -- [--batch 500] [--batches 40] [--rounds 5]
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { pgPositionStore, type Fix } from '../ingest/index.ts'
import { freshDatabase, usage } from './support/service-process.ts'

const { values: v } = parseArgs({
  options: {
    batch: { type: 'string', default: '500' },
    batches: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '5' },
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
const client = new pg.Client({ connectionString: database.url })
await client.connect()
const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
const store = pgPositionStore(client)

let seq = 0
const start = Date.now() - 3_600_000
/** A batch as the writer sees one at a steady load: 1000 bands, one fix each, a second apart. */
const batch = (): Fix[] =>
  Array.from({ length: BATCH }, (_, i) => ({
    bandId: `band-${String(i % 1000).padStart(6, '0')}`,
    seq: seq++,
    ts: start + seq * 1000,
    lat: 36.8 + (i % 100) / 1e4,
    lon: 118.05 + (i % 37) / 1e4,
    acc: 6,
    src: 'gps',
    batt: 80,
    evt: i % 50 === 0 ? ['sos'] : [],
  }))

const forms: Record<string, (fixes: Fix[]) => Promise<unknown>> = {
  'json_to_recordset → positions (the store)': (f) => store.insert(f),
  'unnest(typed arrays) → positions': (f) => client.query(UNNEST_INSERT, columns(f)),
}
const cost = Object.fromEntries(Object.keys(forms).map((name) => [name, { pg: 0, js: 0, rows: 0 }]))
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, insert] of Object.entries(forms)) {
    const batches = Array.from({ length: BATCHES }, batch)
    const cpu0 = usage(backend).cpuS
    const js0 = process.cpuUsage()
    for (const b of batches) await insert(b)
    const js = process.cpuUsage(js0)
    const c = cost[name]!
    c.pg += usage(backend).cpuS - cpu0
    c.js += (js.user + js.system) / 1e6
    c.rows += BATCH * BATCHES
  }
}
console.log(
  `# write path — ${ROUNDS} rounds × ${BATCHES} batches of ${BATCH}; ${cpus().length} cores, Node ${process.version}, load ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}, ${new Date().toISOString().slice(0, 10)}`,
)
console.log('| statement | PostgreSQL backend CPU per 10,000 rows | bench (client) CPU per 10,000 rows |')
console.log('|---|---|---|')
for (const [name, c] of Object.entries(cost))
  console.log(
    `| ${name} | ${((c.pg / c.rows) * 1e4 * 1000).toFixed(0)} ms | ${((c.js / c.rows) * 1e4 * 1000).toFixed(0)} ms |`,
  )
await client.end()
await database.drop()
process.exit(0)
