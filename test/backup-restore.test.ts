// The backup and restore of infra/OPERATIONS.md on a PostgreSQL server: pg_dump of a database in
// use, pg_restore into an empty one, and the service started on the copy finds everything and
// goes on (no migration re-applied, new reports and alerts stored after the restored ones).
import { spawnSync } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { raiseAlert } from '../geofence/index.ts'
import { createDb, createLogger, migrate } from '../infra/index.ts'
import { pgPositionStore } from '../ingest/index.ts'
import { BACKENDS, type TestDatabase } from './support/databases.ts'
import { BAND, provisionWorld } from './support/fixtures.ts'
import { startTestService } from './support/service.ts'

const server = BACKENDS.find((b) => b.name === 'PostgreSQL server')
const log = createLogger('silent')
const tool = (name: string, args: string[]) => {
  const r = spawnSync(name, args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`)
}

describe.runIf(server !== undefined || process.env.CI === 'true')('backup and restore on a PostgreSQL server', () => {
  let original: TestDatabase
  let copy: TestDatabase
  let service: Service
  const t = Date.now() - 3_600_000

  beforeAll(async () => {
    original = await server!.start()
    copy = await server!.start()
    const db = createDb({ connectionString: original.url, log, max: 2 })
    await migrate(db, log)
    const world = await provisionWorld(db)
    await pgPositionStore(db).insert(
      Array.from({ length: 50 }, (_, i) => ({
        bandId: BAND.id,
        seq: i,
        ts: t + i * 10_000,
        lat: 36.81,
        lon: 118.05,
        acc: 10,
        src: 'gps' as const,
        batt: 80,
        evt: [],
      })),
    )
    await raiseAlert(db, {
      residentId: world.resident,
      bandId: BAND.id,
      zoneId: null,
      kind: 'sos',
      fixTime: t,
      evidence: {},
    })
    await db.close()
    const file = join(await mkdtemp(join(tmpdir(), 'tongxing-backup-')), 'tongxing.dump')
    tool('pg_dump', ['-Fc', '-f', file, original.url])
    tool('pg_restore', ['--no-owner', '-d', copy.url, file])
    service = await startTestService({ DATABASE_URL: copy.url })
  }, 60_000)
  afterAll(async () => {
    await service?.stop()
    await original?.stop()
    await copy?.stop()
  })

  it('when the service starts on the restored copy, then it holds the same reports and alerts and stores new ones after them', async () => {
    const count = async (sql: string) => (await service.db.query<{ n: number }>(sql)).rows[0]!.n
    expect(await count('SELECT count(*)::int AS n FROM positions')).toBe(50)
    expect(await count(`SELECT count(*)::int AS n FROM alerts WHERE kind = 'sos'`)).toBe(1)
    expect(await count('SELECT max(version)::int AS n FROM schema_migrations')).toBeGreaterThanOrEqual(14)
    expect(
      await pgPositionStore(service.db).insert([
        { bandId: BAND.id, seq: 99, ts: t + 999_000, lat: 36.81, lon: 118.05, acc: 10, src: 'gps', batt: 80, evt: [] },
      ]),
    ).toBe(1)
    const resident = (
      await service.db.query<{ id: number }>('SELECT resident_id AS id FROM bands WHERE id = $1', [BAND.id])
    ).rows[0]!.id
    const fall = await raiseAlert(service.db, {
      residentId: resident,
      bandId: BAND.id,
      zoneId: null,
      kind: 'fall',
      fixTime: t + 999_000,
      evidence: {},
    })
    expect(fall!.alert.id).toBeGreaterThan(1) // the identity sequence came with the data
  })
})
