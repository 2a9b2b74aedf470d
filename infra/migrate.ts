// Versioned, forward-only migrations. `NNN-name.sql` runs on every engine; a version may
// instead ship `NNN-name.timescale.sql` and `NNN-name.plain.sql`, and the variant for the
// engine found is applied. Each version runs in its own transaction and is recorded once; an
// advisory lock keeps processes that start together from applying one twice.
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Db } from './db.ts'
import type { Logger } from './log.ts'

export type Engine = 'timescale' | 'plain'

const DIR = fileURLToPath(new URL('./migrations/', import.meta.url))
const FILE = /^(\d{3})-([a-z0-9-]+?)(?:\.(timescale|plain))?\.sql$/

export interface Migration {
  version: number
  name: string
  file: string
}

export async function listMigrations(engine: Engine): Promise<Migration[]> {
  const chosen = new Map<number, Migration>()
  for (const file of (await readdir(DIR)).sort()) {
    const m = FILE.exec(file)
    if (!m) continue
    if (m[3] && m[3] !== engine) continue
    const version = Number(m[1])
    if (chosen.has(version))
      throw new Error(`two migrations for version ${version}: ${chosen.get(version)!.file}, ${file}`)
    chosen.set(version, { version, name: m[2]!, file })
  }
  return [...chosen.values()].sort((a, b) => a.version - b.version)
}

/** TimescaleDB when the server offers the extension; plain PostgreSQL otherwise. */
export async function detectEngine(db: Db): Promise<Engine> {
  const r = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`)
  return r.rowCount ? 'timescale' : 'plain'
}

/** Processes starting together (several workers) migrate one at a time. */
const LOCK = 'SELECT pg_advisory_xact_lock(21625, 0)' // its own lock class: 21624 is the geofence shards

/** `until`: stop after this version (a test that upgrades a database holding data of an older schema). */
export async function migrate(db: Db, log: Logger, until = Infinity): Promise<{ engine: Engine; applied: number[] }> {
  await db.tx(async (c) => {
    await c.query(LOCK)
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, engine text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`)
  })
  const done = await db.query<{ version: number; engine: Engine }>('SELECT version, engine FROM schema_migrations')
  // A database keeps the engine it was created on, even if the extension appears later.
  const engine = (done.rows[0]?.engine as Engine | undefined) ?? (await detectEngine(db))
  const seen = new Set(done.rows.map((r) => r.version))
  const applied: number[] = []
  for (const m of await listMigrations(engine)) {
    if (seen.has(m.version) || m.version > until) continue
    const sql = await readFile(DIR + m.file, 'utf8')
    const done = await db.tx(async (c) => {
      await c.query(LOCK)
      if ((await c.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version])).rowCount) return false // another process did it
      await c.query(sql)
      await c.query('INSERT INTO schema_migrations (version, name, engine) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        engine,
      ])
      return true
    })
    if (!done) continue
    log.info({ version: m.version, migration: m.name, engine }, 'migration applied')
    applied.push(m.version)
  }
  return { engine, applied }
}
