// The outbox on every database backend: two notifiers sharing it (as several processes do) send each
// message once; a provider that keeps failing is given up after the set attempts, visibly; a refusal
// is final at once; acknowledging drops escalation messages not yet sent; with nothing due the
// notifier sleeps until the next message falls due, and asks the database nothing meanwhile; a
// second SOS after the first was acknowledged is told to everyone again at once; a provider call
// that hangs holds up no other message, even when many hang at one address.
import { describe, expect, it } from 'vitest'
import { insertCareCentre, insertResident } from '../dashboard/index.ts'
import { acknowledgeAlert, raiseAlert } from '../geofence/index.ts'
import { createLogger, migrate, type Db } from '../infra/index.ts'
import { createNotifier, type ChannelSender, type OutgoingMessage, type SendResult } from '../notify/index.ts'
import { claimDue, recordOutcomes } from '../notify/outbox.pg.ts'
import { BACKENDS, useDatabase } from './support/databases.ts'
import { FAST_NOTIFIER } from './support/notifier.ts'
import { eventually } from './support/service.ts'

const log = createLogger('silent')
const settings = FAST_NOTIFIER

/** A fake SMS provider that records what it is handed and answers as told. */
function fakeSms(answer: (m: OutgoingMessage) => SendResult = () => ({ ok: true, ref: 'ok' })) {
  const sent: OutgoingMessage[] = []
  const sender: ChannelSender = {
    async send(m) {
      sent.push(m)
      await new Promise((r) => setTimeout(r, 5))
      return answer(m)
    },
  }
  return { sent, sender }
}

/** A resident's first contact's number, as residentsWithContacts gives it. */
const phoneOf = (residentId: number) => `1390000${String(residentId).padStart(4, '0')}`

/** The SMS stand-in, except that every message to `phone` takes 4 s to be answered. */
function hangingAt(phone: string, fake: ReturnType<typeof fakeSms>): ChannelSender {
  return {
    async send(m) {
      if (m.target.type === 'phone' && m.target.phone === phone) await new Promise((r) => setTimeout(r, 4000))
      return fake.sender.send(m)
    },
  }
}

/** The resident's band presses SOS (the fix taken at `fixTime`). */
const sos = (db: Db, residentId: number, fixTime = Date.now()) =>
  raiseAlert(db, { residentId, bandId: `b${residentId}`, zoneId: null, kind: 'sos', fixTime, evidence: {} })

async function residentsWithContacts(db: Db, n: number): Promise<number[]> {
  const centre = await insertCareCentre(db, `Centre ${Math.random()}`)
  const ids: number[] = []
  for (let i = 0; i < n; i++) {
    const r = await insertResident(db, `R${i}`, centre)
    await db.query(`INSERT INTO resident_contacts (resident_id, position, name, phone) VALUES ($1, 1, 'x', $2)`, [
      r,
      phoneOf(r),
    ])
    ids.push(r)
  }
  return ids
}

/**
 * An SOS whose change counts as planned, and `count` messages of its own written straight into the
 * outbox, each to its own number, keyed `${key}-1`, `${key}-2`, …
 */
async function outboxOf(db: Db, key: string, count: number): Promise<void> {
  const [resident] = await residentsWithContacts(db, 1)
  const alert = (await sos(db, resident!))!.alert.id
  await db.query(`UPDATE alert_changes SET planned_at = now() WHERE alert_id = $1`, [alert])
  await db.query(
    `INSERT INTO deliveries (alert_id, change_id, recipient, recipient_name, channel, address, template, params, language, dedupe_key)
     SELECT c.alert_id, c.id, 'contact:' || i, 'x', 'sms', '139' || lpad(i::text, 8, '0'), 'alert', '{}', 'zh', $2 || '-' || i
     FROM alert_changes c, generate_series(1, $3::int) i WHERE c.alert_id = $1`,
    [alert, key, count],
  )
}

/** The database, counting the statements and transactions asked of it. */
function counting(inner: Db) {
  let n = 0
  const db: Db = {
    query: ((...args: Parameters<Db['query']>) => {
      n++
      return inner.query(...args)
    }) as Db['query'],
    tx: (fn) => {
      n++
      return inner.tx(fn)
    },
    close: () => inner.close(),
  }
  return { db, asked: () => n }
}

const statuses = async (db: Db, residents: number[]) =>
  (
    await db.query<{ status: string; n: number }>(
      `SELECT d.status, count(*)::int AS n FROM deliveries d JOIN alerts a ON a.id = d.alert_id
       WHERE a.resident_id = ANY($1) GROUP BY d.status ORDER BY d.status`,
      [residents],
    )
  ).rows

for (const backend of BACKENDS) {
  describe(`the outbox on ${backend.name}`, () => {
    const db = useDatabase(backend)

    it('when two notifiers share the outbox, then each of 30 alerts reaches its contact exactly once', async () => {
      await migrate(db(), log)
      const residents = await residentsWithContacts(db(), 30)
      const fake = fakeSms()
      const a = createNotifier({ db: db(), log, settings, senders: { sms: fake.sender } })
      const b = createNotifier({ db: db(), log, settings, senders: { sms: fake.sender } })
      a.start()
      b.start()
      try {
        for (const r of residents) {
          await raiseAlert(db(), {
            residentId: r,
            bandId: `b${r}`,
            zoneId: null,
            kind: 'sos',
            fixTime: Date.now(),
            evidence: {},
          })
        }
        await eventually(async () => (await statuses(db(), residents))[0]?.n === 30 && fake.sent.length >= 30, 20_000)
        await new Promise((r) => setTimeout(r, 300))
        expect(await statuses(db(), residents)).toEqual([{ status: 'sent', n: 30 }])
        expect(new Set(fake.sent.map((m) => m.deliveryId)).size).toBe(fake.sent.length)
        expect(fake.sent).toHaveLength(30)
      } finally {
        await a.stop()
        await b.stop()
      }
    }, 60_000)

    it('when six workers claim from one outbox at once, then no message is claimed twice', async () => {
      await migrate(db(), log)
      await outboxOf(db(), 'race', 400) // each to its own number, so the per-address cap holds none back
      const claimed: number[] = []
      const worker = async () => {
        for (let idle = 0; idle < 3; ) {
          const got = await claimDue(db(), 3, 60_000, settings.city, 10)
          idle = got.length === 0 ? idle + 1 : 0
          claimed.push(...got.map((d) => d.id))
          await recordOutcomes(
            db(),
            got.map((d) => ({ id: d.id, attempt: d.attempts, ok: true as const, ref: 'ok' })),
          )
        }
      }
      await Promise.all(Array.from({ length: 6 }, worker))
      expect(claimed.length - new Set(claimed).size).toBe(0)
      expect(new Set(claimed).size).toBe(400)
    }, 60_000)

    it("when an attempt's answer comes after its lease lapsed and the message was sent again, then the late answer undoes nothing", async () => {
      await migrate(db(), log)
      await outboxOf(db(), 'late', 1)
      const status = async () =>
        (
          await db().query<{ status: string; attempts: number; recorded: number }>(
            `SELECT status, attempts, (SELECT count(*)::int FROM delivery_attempts x WHERE x.delivery_id = d.id) AS recorded
             FROM deliveries d WHERE dedupe_key = 'late-1'`,
          )
        ).rows[0]
      // Attempt 1 is out (its process frozen); its lease lapses; attempt 2 goes and is accepted.
      const [first] = await claimDue(db(), 1, 1, settings.city, 4)
      await new Promise((r) => setTimeout(r, 20))
      const [second] = await claimDue(db(), 1, 60_000, settings.city, 4)
      expect([first!.attempts, second!.attempts]).toEqual([1, 2])
      await recordOutcomes(db(), [{ id: second!.id, attempt: 2, ok: true, ref: 'biz-2' }])
      // Attempt 1's failure comes in late: the message stays sent and is not claimed again.
      await recordOutcomes(db(), [{ id: first!.id, attempt: 1, ok: false, detail: 'sms: timed out', retryInMs: 0 }])
      expect(await status()).toEqual({ status: 'sent', attempts: 2, recorded: 1 })
      expect(await claimDue(db(), 1, 60_000, settings.city, 4)).toEqual([])

      // The other way round: attempt 3 is out when attempt 2's acceptance comes in late. Accepted is
      // accepted: the message is sent, and attempt 3's failure after it changes nothing.
      await db().query(`UPDATE deliveries SET status = 'pending', attempts = 2 WHERE dedupe_key = 'late-1'`)
      const [third] = await claimDue(db(), 1, 60_000, settings.city, 4)
      await recordOutcomes(db(), [{ id: third!.id, attempt: 2, ok: true, ref: 'biz-2-late' }])
      await recordOutcomes(db(), [{ id: third!.id, attempt: 3, ok: false, detail: 'sms: HTTP 503', retryInMs: 0 }])
      expect(await status()).toEqual({ status: 'sent', attempts: 3, recorded: 2 })
      expect(await claimDue(db(), 1, 60_000, settings.city, 4)).toEqual([])
    })

    it('when the provider keeps failing, then the message is tried the set number of times and shown as failed; a refusal is final at once', async () => {
      const residents = await residentsWithContacts(db(), 2)
      const fake = fakeSms((m) =>
        m.target.type === 'phone' && m.target.phone.endsWith(String(residents[0]).padStart(4, '0'))
          ? { ok: false, retry: true, detail: 'sms: HTTP 503' }
          : { ok: false, retry: false, detail: 'sms: isv.MOBILE_NUMBER_ILLEGAL' },
      )
      const n = createNotifier({ db: db(), log, settings, senders: { sms: fake.sender } })
      n.start()
      try {
        for (const r of residents) {
          await raiseAlert(db(), {
            residentId: r,
            bandId: `b${r}`,
            zoneId: null,
            kind: 'fall',
            fixTime: Date.now(),
            evidence: {},
          })
        }
        await eventually(
          async () => JSON.stringify(await statuses(db(), residents)) === '[{"status":"failed","n":2}]',
          10_000,
        )
        const rows = await db().query<{ resident_id: number; attempts: number; last_error: string; tries: number }>(
          `SELECT a.resident_id, d.attempts, d.last_error, (SELECT count(*)::int FROM delivery_attempts t WHERE t.delivery_id = d.id) AS tries
           FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.resident_id = ANY($1) ORDER BY a.resident_id`,
          [residents],
        )
        expect(rows.rows.map((x) => [x.attempts, x.tries, x.last_error])).toEqual([
          [3, 3, 'sms: HTTP 503'],
          [1, 1, 'sms: isv.MOBILE_NUMBER_ILLEGAL'],
        ])
      } finally {
        await n.stop()
      }
    }, 30_000)

    it('when an alert is acknowledged before its escalation messages go, then they are dropped and "being handled" goes instead', async () => {
      const [r] = await residentsWithContacts(db(), 1)
      const alert = (await raiseAlert(db(), {
        residentId: r!,
        bandId: 'bx',
        zoneId: null,
        kind: 'sos',
        fixTime: Date.now(),
        evidence: {},
      }))!
      const fake = fakeSms()
      const n = createNotifier({ db: db(), log, settings, senders: { sms: fake.sender } })
      n.start()
      await eventually(() => fake.sent.length >= 1, 10_000) // the first word went out
      await n.stop()
      // While no notifier runs: nobody acknowledged in time (level 1), then someone does.
      await db().query('UPDATE alerts SET escalation_level = 1 WHERE id = $1', [alert.alert.id])
      await acknowledgeAlert(db(), alert.alert.id, 1)
      n.start()
      try {
        const rows = await eventually(async () => {
          const r = await db().query<{ template: string; status: string }>(
            'SELECT template, status FROM deliveries WHERE alert_id = $1 ORDER BY id',
            [alert.alert.id],
          )
          return r.rows.some((x) => x.template === 'handling' && x.status === 'sent') && r
        }, 10_000)
        expect(rows.rows.filter((x) => x.template === 'reminder').map((x) => x.status)).toEqual(['cancelled'])
        expect(rows.rows.filter((x) => x.template === 'handling').map((x) => x.status)).toEqual(['sent'])
      } finally {
        await n.stop()
      }
    }, 30_000)

    it('when a message is to be retried, then it is tried when it falls due, not at the next poll, and the idle notifier asks the database nothing', async () => {
      const [r] = await residentsWithContacts(db(), 1)
      const triedAt: number[] = []
      const fake = fakeSms(() => {
        triedAt.push(Date.now())
        return triedAt.length === 1 ? { ok: false, retry: true, detail: 'sms: HTTP 503' } : { ok: true, ref: 'ok' }
      })
      await sos(db(), r!)
      const counted = counting(db())
      const slowPoll = { ...settings, pollMs: 60_000, retryMs: 700, retryMaxMs: 700 }
      const n = createNotifier({ db: counted.db, log, settings: slowPoll, senders: { sms: fake.sender } })
      n.start()
      try {
        await eventually(() => triedAt.length >= 2, 10_000)
        expect(triedAt[1]! - triedAt[0]!).toBeGreaterThanOrEqual(650)
        expect(triedAt[1]! - triedAt[0]!).toBeLessThan(5000)
        expect(await statuses(db(), [r!])).toEqual([{ status: 'sent', n: 1 }])
        // Nothing waits now: the notifier sleeps until pollMs or a kick.
        await new Promise((resolve) => setTimeout(resolve, 300))
        const asked = counted.asked()
        await new Promise((resolve) => setTimeout(resolve, 1500))
        expect(counted.asked()).toBe(asked)
      } finally {
        await n.stop()
      }
    }, 30_000)

    it('when the band presses SOS again after someone acknowledged the first, then the family is told again at once', async () => {
      const [r] = await residentsWithContacts(db(), 1)
      const fake = fakeSms()
      const n = createNotifier({
        db: db(),
        log,
        settings: { ...settings, pollMs: 60_000 },
        senders: { sms: fake.sender },
      })
      const press = (fixTime: number) => sos(db(), r!, fixTime)
      const t = Date.now()
      const first = (await press(t - 60_000))!
      n.start()
      try {
        await eventually(() => fake.sent.some((m) => m.template === 'alert'), 10_000)
        await acknowledgeAlert(db(), first.alert.id, 1)
        n.kick()
        await eventually(() => fake.sent.some((m) => m.template === 'handling'), 10_000)
        const again = (await press(t))!
        expect(again.alert.id).toBe(first.alert.id)
        expect(again.alert.status).toBe('open')
        n.kick() // as the service does for every alert change it makes
        await eventually(() => fake.sent.filter((m) => m.template === 'alert').length >= 2, 5_000)
        expect(fake.sent.map((m) => m.template)).toEqual(['alert', 'handling', 'alert'])
      } finally {
        await n.stop()
      }
    }, 30_000)

    it('when one provider call hangs, then an alert raised meanwhile is sent and recorded without waiting for it', async () => {
      const [slow, quick] = await residentsWithContacts(db(), 2)
      const sender = hangingAt(phoneOf(slow!), fakeSms())
      const n = createNotifier({ db: db(), log, settings: { ...settings, pollMs: 60_000 }, senders: { sms: sender } })
      n.start()
      try {
        await sos(db(), slow!)
        n.kick()
        await eventually(async () => (await statuses(db(), [slow!]))[0]?.status === 'sending', 5_000)
        const t = Date.now()
        await sos(db(), quick!)
        n.kick()
        await eventually(async () => (await statuses(db(), [quick!]))[0]?.status === 'sent', 10_000)
        expect(Date.now() - t).toBeLessThan(1500)
        expect(await statuses(db(), [slow!])).toEqual([{ status: 'sending', n: 1 }])
      } finally {
        await n.stop()
      }
      expect(await statuses(db(), [slow!])).toEqual([{ status: 'sent', n: 1 }])
    }, 30_000)

    it("when a channel's call never ends, then its slot is given up by half the lease, the message is tried the set number of times, and an acceptance that comes late is recorded", async () => {
      await migrate(db(), log)
      const [silent, late] = await residentsWithContacts(db(), 2)
      const calls: string[] = []
      // A channel whose own time-out fails: one number's calls never end; the other's are accepted after 800 ms.
      const sender: ChannelSender = {
        send: (m) => {
          const phone = m.target.type === 'phone' ? m.target.phone : ''
          calls.push(phone)
          if (phone === phoneOf(silent!)) return new Promise<SendResult>(() => undefined)
          return new Promise((r) => setTimeout(() => r({ ok: true, ref: `late-${calls.length}` }), 800))
        },
      }
      const n = createNotifier({
        db: db(),
        log,
        settings: { ...settings, leaseMs: 1000, pollMs: 60_000 },
        senders: { sms: sender },
      })
      n.start()
      try {
        await sos(db(), silent!)
        await sos(db(), late!)
        n.kick()
        await eventually(async () => (await statuses(db(), [silent!]))[0]?.status === 'failed', 10_000)
        await eventually(async () => (await statuses(db(), [late!]))[0]?.status === 'sent', 10_000)
      } finally {
        const stopping = Date.now()
        await n.stop()
        expect(Date.now() - stopping).toBeLessThan(1500)
      }
      expect(calls.filter((p) => p === phoneOf(silent!))).toHaveLength(settings.maxAttempts)
      const recorded = await db().query<{ detail: string }>(
        `SELECT x.detail FROM delivery_attempts x JOIN deliveries d ON d.id = x.delivery_id JOIN alerts a ON a.id = d.alert_id
         WHERE a.resident_id = $1 ORDER BY x.at`,
        [silent],
      )
      expect(recorded.rows.map((r) => r.detail)).toEqual(
        Array(settings.maxAttempts).fill('sms: no answer within 500 ms'),
      )
    }, 30_000)

    it('when every message to one address hangs, then a burst of them keeps no other family waiting', async () => {
      const residents = await residentsWithContacts(db(), 7)
      const hanging = residents.slice(0, 6)
      const quick = residents[6]!
      const shared = '13900009999' // one number behind six residents, as a city webhook is behind every alert
      await db().query('UPDATE resident_contacts SET phone = $1 WHERE resident_id = ANY($2)', [shared, hanging])
      const sender = hangingAt(shared, fakeSms())
      const n = createNotifier({ db: db(), log, settings: { ...settings, pollMs: 60_000 }, senders: { sms: sender } })
      n.start()
      try {
        for (const r of hanging) await sos(db(), r)
        n.kick()
        await eventually(async () => (await statuses(db(), hanging)).some((x) => x.status === 'sending'), 5_000)
        const t = Date.now()
        await sos(db(), quick)
        n.kick()
        await eventually(async () => (await statuses(db(), [quick]))[0]?.status === 'sent', 15_000)
        expect(Date.now() - t).toBeLessThan(1500)
        // The hanging address holds one slot (concurrency 4, a quarter each); the rest of its messages wait their turn.
        expect(await statuses(db(), hanging)).toEqual([
          { status: 'pending', n: 5 },
          { status: 'sending', n: 1 },
        ])
      } finally {
        await n.stop()
      }
    }, 60_000)
  })
}
