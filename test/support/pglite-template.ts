// Vitest global setup for the integration tests: migrates one embedded (PGlite) database before
// any test file runs. A test service on a fresh data directory starts from a copy of it instead
// of creating and migrating PGlite from scratch: about a third of the time (`npm run bench:test-boot`).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { createDb, createLogger, migrate, startEmbeddedDb } from '../../infra/index.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite directory to copy into a test's DATA_DIR/pglite. */
    pgliteTemplate: string
  }
}

/** A new data directory whose embedded database is migrated (its PGlite files are in `pglite/`). */
export async function migratedDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tongxing-template-'))
  const log = createLogger('silent')
  const embedded = await startEmbeddedDb({ dataDir: dir })
  const db = createDb({ connectionString: embedded.connectionString, log, max: 1 })
  try {
    await migrate(db, log)
  } finally {
    await db.close()
    await embedded.stop()
  }
  return dir
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await migratedDataDir()
  project.provide('pgliteTemplate', join(dir, 'pglite'))
  return () => rm(dir, { recursive: true, force: true })
}
