// The geofence hand-off between workers, step by step on a real PostgreSQL server: a worker's
// bus connection dies (its shard locks go with it) while a wearer is half-way through leaving
// and an SOS is stored in the gap; the next owner continues from the saved state and the reports
// received since, so both alerts are raised once; a third owner replaying the same reports
// raises nothing again, even for an alert someone has resolved meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createGeofence,
  raiseAlert,
  resolveAlertByPerson,
  startShardOwner,
  type AlertChange,
} from '../geofence/index.ts'
import { createBus, createDb, createLogger, migrate, type Db } from '../infra/index.ts'
import { pgPositionStore, type Fix } from '../ingest/index.ts'
import { BACKENDS, type TestDatabase } from './support/databases.ts'
import { BAND, HOME, provisionWorld } from './support/fixtures.ts'
import { eventually } from './support/service.ts'

const server = BACKENDS.find((b) => b.name === 'PostgreSQL server')
const log = createLogger('silent')
const FEED = 'tongxing_fixes'
const fix = (seq: number, north: number, ts: number, evt: Fix['evt'] = []): Fix => ({
  bandId: BAND.id,
  seq,
  ts,
  lat: HOME.lat + north / 111_195,
  lon: HOME.lon,
  acc: 10,
  src: 'gps',
  batt: 80,
  evt,
})

/** A worker's geofence side on the bus, with rounds run by hand (nothing on a timer). */
async function startWorker(url: string, db: Db) {
  const bus = await createBus({ connectionString: url, db, log, name: 'tongxing-worker', retryMs: 60_000 })
  const alerts: AlertChange[] = []
  const geofence = createGeofence({
    db,
    log,
    refreshMs: 60_000,
    tickMs: 60_000,
    judgesAll: false,
    onAlert: (c) => alerts.push(c),
  })
  await geofence.start()
  const owner = startShardOwner({
    bus,
    db,
    geofence,
    log,
    shards: 64,
    everyMs: 60_000,
    feed: FEED,
    bandIds: () => geofence.bands(),
  })
  /** Stops it, newest part first. */
  const stop = async () => {
    await owner.stop()
    await geofence.stop()
    await bus.close()
  }
  return { bus, geofence, owner, alerts, stop }
}

describe.runIf(server !== undefined || process.env.CI === 'true')(
  'geofence shards handed from worker to worker',
  () => {
    let database: TestDatabase
    let db: Db
    const closers: (() => Promise<unknown>)[] = []

    beforeAll(async () => {
      database = await server!.start()
      db = createDb({ connectionString: database.url, log, max: 4 })
      await migrate(db, log)
      await provisionWorld(db)
    })
    afterAll(async () => {
      for (const c of closers.reverse()) await c().catch(() => undefined)
      await db?.close()
      await database?.stop()
    })

    const worker = async () => {
      const w = await startWorker(database.url, db)
      // Run in reverse: owner, geofence, bus; each even if another failed (a crashed bus).
      closers.push(
        () => w.bus.close(),
        () => w.geofence.stop(),
        () => w.owner.stop(),
      )
      return w
    }
    /** The worker dies: the server drops its bus connection, and with it every shard lock. */
    const crash = async () => {
      await db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name ` +
          `= 'tongxing-worker' AND datname = current_database()`,
      )
    }
    const stored = (fixes: Fix[]) => pgPositionStore(db, FEED).insert(fixes)
    const T0 = Date.now() - 10 * 60_000
    const alertRows = async () =>
      (
        await db.query<{ id: number; kind: string; fix_time: Date; status: string }>(
          'SELECT id, kind, fix_time, status FROM alerts ORDER BY id',
        )
      ).rows.map((r) => ({ id: r.id, kind: r.kind, fixTime: r.fix_time.getTime(), status: r.status }))

    it('when the owner dies half-way through an exit and an SOS arrives in the gap, then the next owner raises both, once', async () => {
      const a = await worker()
      await a.owner.round()
      expect(a.owner.owned().size).toBe(64)
      await stored([fix(1, 90, T0), fix(2, 140, T0 + 30_000)]) // near the edge, then a first fix clearly outside (a walk, not a jump)
      // …which arrived minutes ago: no replay will bring them back, only the saved state.
      await db.query(`UPDATE positions SET received_at = now() - interval '5 minutes'`)
      await eventually(async () => {
        await a.owner.saveNow()
        const r = await db.query<{ tag: string }>(
          `SELECT state->'zone'->>'tag' AS tag FROM geofence_states WHERE band_id = $1`,
          [BAND.id],
        )
        return r.rows[0]?.tag === 'leaving'
      })
      expect(a.alerts).toEqual([])

      await crash()
      await eventually(() => a.owner.owned().size === 0)
      // Nobody owns the shard: these are stored (and announced to no owner).
      await stored([fix(3, 160, T0 + 60_000, ['sos']), fix(4, 180, T0 + 90_000)])

      const b = await worker()
      await b.owner.round()
      expect(b.owner.owned().size).toBe(64)
      await eventually(async () => (await alertRows()).length === 2)
      await b.geofence.settled()
      // The exit is confirmed by fixes 2 and 4 (60 s apart): fix 2 was judged by the dead owner.
      expect((await alertRows()).map((r) => [r.kind, r.fixTime - T0])).toEqual([
        ['sos', 60_000],
        ['left_safe_zone', 90_000],
      ])
      expect(b.alerts.map((c) => [c.change, c.alert.kind])).toEqual([
        ['opened', 'sos'],
        ['opened', 'left_safe_zone'],
      ])
    })

    it('when a later owner replays the same reports, then nothing is raised again, not even the resolved SOS', async () => {
      const sos = (await alertRows()).find((r) => r.kind === 'sos')!
      await resolveAlertByPerson(db, sos.id, 1, 'found safe at the bus stop')
      await crash()
      const c = await worker()
      // The dead worker's session ends asynchronously; until then it counts as a member with a fair share.
      await eventually(async () => {
        await c.owner.round()
        return c.owner.owned().size === 64
      })
      await new Promise((r) => setTimeout(r, 500))
      await c.geofence.settled()
      expect((await alertRows()).map((r) => [r.kind, r.status])).toEqual([
        ['sos', 'resolved'],
        ['left_safe_zone', 'open'],
      ])
      expect(c.alerts.filter((x) => x.change === 'opened')).toEqual([])
    })
  },
)

describe.runIf(server !== undefined || process.env.CI === 'true')(
  'the first worker after one process ran alone',
  () => {
    let database: TestDatabase
    let db: Db
    let w: Awaited<ReturnType<typeof startWorker>> | undefined

    beforeAll(async () => {
      database = await server!.start()
      db = createDb({ connectionString: database.url, log, max: 4 })
      await migrate(db, log)
    })
    afterAll(async () => {
      await w?.stop()
      await db?.close()
      await database?.stop()
    })

    it('when a shard was never saved, then the worker starts from the open alerts and replays only recent reports', async () => {
      const world = await provisionWorld(db)
      const t = Date.now() - 3 * 3_600_000
      // Months ago (here: hours, received long ago) the wearer wandered; that alert was resolved. Now an exit
      // alert is open.
      await pgPositionStore(db).insert([fix(1, 300, t, ['sos'])])
      await db.query(`UPDATE positions SET received_at = now() - interval '2 hours'`)
      const open = await raiseAlert(db, {
        residentId: world.resident,
        bandId: BAND.id,
        zoneId: world.zone,
        kind: 'left_safe_zone',
        fixTime: t + 60_000,
        evidence: {},
      })
      w = await startWorker(database.url, db)
      const { owner, alerts } = w
      await owner.round()
      expect(owner.owned().size).toBe(64)
      // The old SOS is not replayed (no new alert), and the wearer coming home resolves the open exit.
      const now = Date.now() - 60_000
      await pgPositionStore(db, FEED).insert([fix(2, 0, now), fix(3, 0, now + 20_000)])
      await eventually(() => alerts.some((c) => c.change === 'resolved'))
      await owner.stop()
      expect(alerts.map((c) => [c.change, c.alert.id])).toEqual([['resolved', open!.alert.id]])
    })
  },
)
