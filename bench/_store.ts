import { createDb, createLogger, migrate } from '../infra/index.ts'
import { pgPositionStore, upsertBand } from '../ingest/index.ts'
import pg from 'pg'
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' }); await admin.connect()
await admin.query('DROP DATABASE IF EXISTS tx_store_probe'); await admin.query('CREATE DATABASE tx_store_probe')
const db = createDb({ connectionString: 'postgres://postgres@127.0.0.1:5432/tx_store_probe', log: createLogger('silent'), max: 4 })
await migrate(db, createLogger('silent'))
for (let i = 0; i < 1500; i++) await upsertBand(db, `load-${i}`, `secret-secret-secret-${i}`)
const store = pgPositionStore(db)
for (const perBand of [1, 50]) {
  // perBand consecutive fixes per band, like messages of that size
  const fixes = Array.from({ length: 300000 }, (_, n) => ({ bandId: `load-${Math.floor(n / perBand) % 1500}`, seq: n, ts: 1795000000000 + n * 1000, lat: 36.8, lon: 118, acc: 6, src: 'gps' as const, batt: 80, evt: [] }))
  await db.query('TRUNCATE positions, band_status')
  const t0 = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: 3 }, async () => { while (next < fixes.length) { const b = fixes.slice(next, next += 2000); await store.insert(b) } }))
  console.log('perBand', perBand, Math.round(300000 / ((performance.now() - t0) / 1000)), 'rows/s')
}
await db.close(); await admin.query('DROP DATABASE tx_store_probe WITH (FORCE)'); await admin.end()
