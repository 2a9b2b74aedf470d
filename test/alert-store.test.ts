// The geofence's alert statements on every backend: what they store, and that a server keeps them
// prepared on its connections (planning the raise cost as much as running it: issue 21's alert p99).
import { beforeAll, describe, expect, it } from 'vitest'
import { insertCareCentre, insertResident } from '../dashboard/index.ts'
import { raiseAlert, resolveAlert } from '../geofence/index.ts'
import { remindAlert } from '../geofence/alert-store.pg.ts'
import { createLogger, migrate, type Db } from '../infra/index.ts'
import { BACKENDS, useDatabase } from './support/databases.ts'

const STATEMENTS = ['tongxing_raise_alert', 'tongxing_remind_alert', 'tongxing_resolve_alert']

describe.each(BACKENDS)('alert statements on $name', (backend) => {
  const database = useDatabase(backend)
  let db: Db
  let residentId: number
  beforeAll(async () => {
    db = database()
    await migrate(db, createLogger('silent'))
    residentId = await insertResident(db, 'Resident', await insertCareCentre(db, 'Centre'))
  })

  it('when a band raises, repeats, reminds and resolves its alert, then each is stored once, and a server keeps the statements prepared while the embedded session keeps none', async () => {
    const at = Date.UTC(2026, 11, 6, 3, 0, 0)
    const sos = (fixTime: number) =>
      raiseAlert(db, { residentId, bandId: 'b1', zoneId: null, kind: 'sos', fixTime, evidence: { fixTime } })
    expect((await sos(at))?.change).toBe('opened')
    for (let i = 1; i <= 6; i++) expect((await sos(at + i * 1000))?.change).toBe('updated')
    expect((await remindAlert(db, { residentId, kind: 'sos', zoneId: null, evidence: { still: true } }))?.change).toBe(
      'reminded',
    )
    const resolved = await resolveAlert(db, { residentId, kind: 'sos', zoneId: null, reason: 'test' })
    expect(resolved?.change).toBe('resolved')
    const rows = await db.query<{ status: string; evidence: Record<string, unknown> }>(
      'SELECT status, evidence FROM alerts WHERE resident_id = $1',
      [residentId],
    )
    expect(rows.rows).toEqual([
      { status: 'resolved', evidence: { fixTime: at + 6000, stillOutside: { still: true }, resolvedBecause: 'test' } },
    ])
    // Every connection of the pool that ran a statement holds it; ask each of them.
    const held = await Promise.all(
      Array.from({ length: 4 }, () =>
        db.query<{ name: string }>('SELECT name FROM pg_prepared_statements WHERE name = ANY($1)', [STATEMENTS]),
      ),
    )
    const names = new Set(held.flatMap((r) => r.rows.map((row) => row.name)))
    expect([...names].sort()).toEqual(backend.name === 'PostgreSQL server' ? STATEMENTS : [])
  })
})
