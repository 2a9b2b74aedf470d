// Retention of the notification record (NOTIFY_RETENTION_DAYS) on every database backend: finished
// messages older than the limit go with their attempts and phone numbers; recent ones stay, and an
// old message still unsent stays, because the outbox still owes it.
import { describe, expect, it } from 'vitest'
import { insertCareCentre, insertResident } from '../dashboard/index.ts'
import { raiseAlert } from '../geofence/index.ts'
import { createLogger, migrate, type Db } from '../infra/index.ts'
import { createNotifier, pruneNotifications } from '../notify/index.ts'
import { BACKENDS, useDatabase } from './support/databases.ts'
import { FAST_NOTIFIER } from './support/notifier.ts'
import { eventually } from './support/service.ts'

const log = createLogger('silent')
const settings = FAST_NOTIFIER

/** A resident with one SMS contact and an SOS alert; its id. */
async function sos(db: Db, phone: string): Promise<number> {
  const centre = await insertCareCentre(db, `Centre ${phone}`)
  const r = await insertResident(db, `R${phone}`, centre)
  await db.query(`INSERT INTO resident_contacts (resident_id, position, name, phone) VALUES ($1, 1, 'x', $2)`, [
    r,
    phone,
  ])
  const a = await raiseAlert(db, {
    residentId: r,
    bandId: `b${phone}`,
    zoneId: null,
    kind: 'sos',
    fixTime: Date.now(),
    evidence: {},
  })
  return a!.alert.id
}

const ageAlert = (db: Db, alertId: number, days: number) =>
  db.query(`UPDATE alert_changes SET at = now() - make_interval(days => $2) WHERE alert_id = $1`, [alertId, days])

for (const backend of BACKENDS) {
  describe(`notification retention on ${backend.name}`, () => {
    const db = useDatabase(backend)

    it('when finished messages are older than the limit, then they and their phone numbers go; recent or unsent ones stay', async () => {
      await migrate(db(), log)
      const old = await sos(db(), '13900000001')
      const recent = await sos(db(), '13900000002')
      const n = createNotifier({
        db: db(),
        log,
        settings,
        senders: { sms: { send: async () => ({ ok: true, ref: 'ok' }) } },
      })
      n.start()
      try {
        await eventually(async () => {
          const r = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE status = 'sent'`)
          return r.rows[0]!.n === 2
        }, 20_000)
      } finally {
        await n.stop()
      }
      // An old alert whose message was planned but never sent (the provider has been away).
      const owed = await sos(db(), '13900000003')
      await db().query(`UPDATE alert_changes SET planned_at = now() WHERE alert_id = $1`, [owed])
      await db().query(
        `INSERT INTO deliveries (alert_id, change_id, recipient, recipient_name, channel, address, template, params, language, dedupe_key)
         SELECT alert_id, id, 'contact:1', 'x', 'sms', '13900000003', 'alert', '{}', 'zh', 'owed' FROM alert_changes WHERE alert_id = $1`,
        [owed],
      )
      await ageAlert(db(), old, 100)
      await ageAlert(db(), owed, 100)
      await ageAlert(db(), recent, 10)

      expect(await pruneNotifications(db(), 0)).toBe(0) // 0 keeps everything
      expect(await pruneNotifications(db(), 90)).toBe(1)
      const left = await db().query<{ address: string; status: string; attempts: number }>(
        `SELECT d.address, d.status, (SELECT count(*)::int FROM delivery_attempts x WHERE x.delivery_id = d.id) AS attempts
         FROM deliveries d ORDER BY d.address`,
      )
      expect(left.rows).toEqual([
        { address: '13900000002', status: 'sent', attempts: 1 },
        { address: '13900000003', status: 'pending', attempts: 0 },
      ])
      const orphans = await db().query<{ n: number }>(
        `SELECT count(*)::int AS n FROM delivery_attempts x WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = x.delivery_id)`,
      )
      expect(orphans.rows[0]!.n).toBe(0)
      expect(await pruneNotifications(db(), 90)).toBe(0)
    }, 60_000)
  })
}
