// Disk per position, for sizing: the same day of realistic reports (bands near home with GPS
// jitter, every 10 s) stored through Tongxing's own write path on TimescaleDB (the PGlite build),
// before and after compression (segment by band), next to plain PostgreSQL's day partition (the
// embedded PGlite, the same engine version). Printed: bytes per position with indexes, and the
// compression ratio.
//
//   npm run bench:storage -- [--bands 300] [--hours 24]
import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { createDb, createLogger, migrate, startEmbeddedDb, type Db } from '../infra/index.ts'
import { pgPositionStore, type Fix } from '../ingest/index.ts'
import { startTimescale } from '../test/support/timescale.ts'

const { values: v } = parseArgs({
  options: { bands: { type: 'string', default: '300' }, hours: { type: 'string', default: '24' } },
})
const BANDS = Number(v.bands),
  HOURS = Number(v.hours)
const log = createLogger('silent')
const DAY0 = Date.UTC(2026, 10, 20)

/** One band's day: near home, a walk in the afternoon, GPS jitter, battery draining. */
function* reports(): Generator<Fix[]> {
  const n = (HOURS * 3600) / 10
  for (let k = 0; k < n; k += 60) {
    const batch: Fix[] = []
    for (let b = 0; b < BANDS; b++) {
      for (let j = k; j < Math.min(n, k + 60); j++) {
        const walk = j > n * 0.6 && j < n * 0.65 ? (j - n * 0.6) * 1e-5 : 0
        const r = Math.sin(b * 7.1 + j * 0.37),
          s = Math.cos(b * 3.3 + j * 0.71)
        batch.push({
          bandId: `86${String(4_100_000_000 + b).padStart(13, '0')}`,
          seq: j,
          ts: DAY0 + j * 10_000 + b * 7,
          lat: 36.8 + (b % 50) * 1e-3 + walk + r * 4e-5,
          lon: 118.05 + Math.floor(b / 50) * 1e-3 + s * 4e-5,
          acc: 5 + Math.round(Math.abs(r) * 20),
          src: j % 17 === 0 ? 'wifi' : 'gps',
          batt: 100 - Math.floor(j / (n / 80)),
          evt: [],
        })
      }
    }
    yield batch
  }
}

async function fill(db: Db): Promise<number> {
  await migrate(db, log)
  const store = pgPositionStore(db)
  let rows = 0
  for (const batch of reports()) {
    for (let i = 0; i < batch.length; i += 2000) rows += await store.insert(batch.slice(i, i + 2000))
  }
  return rows
}
const sized = async (db: Db, sql: string) => (await db.query<{ b: number }>(sql)).rows[0]!.b

const out: string[] = []
{
  const engine = await startTimescale()
  const db = createDb({ connectionString: engine.connectionString, log, max: 1 })
  const rows = await fill(db)
  const before = await sized(db, `SELECT sum(total_bytes)::float8 AS b FROM chunks_detailed_size('positions')`)
  await db.query(`SELECT count(compress_chunk(c)) FROM show_chunks('positions') c`)
  const after = await sized(db, `SELECT sum(total_bytes)::float8 AS b FROM chunks_detailed_size('positions')`)
  out.push(`| TimescaleDB, uncompressed chunks | ${rows} | ${(before / rows).toFixed(0)} B | 1.0 |`)
  out.push(
    `| TimescaleDB, compressed (segment by band) | ${rows} | ${(after / rows).toFixed(1)} ` +
      `B | ${(before / after).toFixed(1)} |`,
  )
  await db.close()
  await engine.stop()
}
{
  const engine = await startEmbeddedDb()
  const db = createDb({ connectionString: engine.connectionString, log, max: 1 })
  const rows = await fill(db)
  const bytes = await sized(
    db,
    `SELECT sum(pg_total_relation_size(inhrelid))::float8 AS b FROM pg_inherits ` +
      `WHERE inhparent = 'positions'::regclass`,
  )
  out.push(`| plain PostgreSQL, day partitions | ${rows} | ${(bytes / rows).toFixed(0)} B | – |`)
  await db.close()
  await engine.stop()
}
console.log(
  `# storage per position — ${BANDS} bands × ${HOURS} h at one report per ` +
    `10 s; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
)
console.log('| store | positions | bytes per position (with indexes) | compression |')
console.log('|---|---|---|---|')
for (const l of out) console.log(l)
process.exit(0)
