// Nothing is lost between an alert and its notifications, even when the process dies without
// warning: alerts are in the database, the service starts sending them through slow providers
// and is killed with SIGKILL mid-delivery; after a restart every person and group has their
// message. A message whose request was in flight at the kill (or whose answer timed out)
// may reach the provider twice, with the same id (SMS OutId), so a receiver can drop the second.
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { insertCareCentre, insertResident } from '../dashboard/index.ts'
import { raiseAlert } from '../geofence/index.ts'
import { createDb, createLogger, migrate, startEmbeddedDb } from '../infra/index.ts'
import { freePort, spawnCli, type Child } from './support/cli.ts'
import { SMS_TEMPLATES, chatStandIn, providerEnv, smsStandIn } from './support/providers.ts'
import { eventually } from './support/service.ts'

const ALERTS = 40
const CONCURRENCY = 8
const KEYS = { keyId: 'LTAI-kill', secret: 'kill-secret' }
const phone = (i: number) => `138${String(i).padStart(8, '0')}`
const name = (i: number) => `Resident ${String(i).padStart(2, '0')}`

/** A database with ALERTS open SOS alerts, one per resident, each with a contact, and the centre's WeCom group. */
async function prepare(dataDir: string, wecomUrl: string): Promise<void> {
  const embedded = await startEmbeddedDb({ dataDir })
  const db = createDb({ connectionString: embedded.connectionString, log: createLogger('silent'), max: 1 })
  try {
    await migrate(db, createLogger('silent'))
    const centre = await insertCareCentre(db, 'Zhangdian Care Centre')
    await db.query(
      `INSERT INTO centre_channels (care_centre_id, kind, name, url) VALUES ($1, 'wecom', '张店照护群', $2)`,
      [centre, wecomUrl],
    )
    for (let i = 1; i <= ALERTS; i++) {
      const resident = await insertResident(db, name(i), centre)
      await db.query(`INSERT INTO resident_contacts (resident_id, position, name, phone) VALUES ($1, 1, '家属', $2)`, [
        resident,
        phone(i),
      ])
      await raiseAlert(db, {
        residentId: resident,
        bandId: `band-${i}`,
        zoneId: null,
        kind: 'sos',
        fixTime: Date.now(),
        evidence: {},
      })
    }
  } finally {
    await db.close()
    await embedded.stop()
  }
}

describe('SIGKILL between alerts and their notifications', () => {
  it('when the service is killed while handing messages to slow providers, then after a restart every message has been received, repeats only those in flight and with the same id', async () => {
    const sms = await smsStandIn({ ...KEYS, signName: '同行', templates: SMS_TEMPLATES })
    const chat = await chatStandIn({ wecomKey: 'wk-kill', dingtalkToken: 'x', dingtalkSecret: 'x', webhookSecret: 'x' })
    sms.delayMs = chat.delayMs = 300
    const dataDir = await mkdtemp(join(tmpdir(), 'tongxing-notify-kill-'))
    await prepare(dataDir, `http://127.0.0.1:${chat.port}/wecom?key=wk-kill`)
    const env = async () => ({
      ...providerEnv(sms, KEYS),
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      MQTT_PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NOTIFY_CONCURRENCY: String(CONCURRENCY),
      NOTIFY_TIMEOUT_MS: '2000',
      NOTIFY_POLL_MS: '100',
    })
    const received = () => sms.received.length + chat.received.length
    let service: Child | undefined
    try {
      service = spawnCli(['serve'], await env())
      await eventually(() => received() >= 12, 60_000)
      service.process.kill('SIGKILL')
      expect(await service.exited).toBeNull()
      const atKill = received()
      expect(atKill).toBeLessThan(2 * ALERTS) // killed mid-delivery, not after

      const again = await env()
      service = spawnCli(['serve'], again)
      // Done when the outbox says nothing is waiting (messages the killed process had in flight wait for their lease).
      const waiting = async () => {
        const text = await (await fetch(`http://127.0.0.1:${again.PORT}/metrics`).catch(() => undefined))?.text()
        return Number(/^tongxing_notifications_waiting (\d+)/m.exec(text ?? '')?.[1] ?? NaN)
      }
      await eventually(
        async () => new Set(sms.received.map((r) => r.to)).size === ALERTS && (await waiting()) === 0,
        90_000,
      )
      await new Promise((r) => setTimeout(r, 1000)) // anything still to come would come now
      service.process.kill('SIGTERM')
      await service.exited

      for (let i = 1; i <= ALERTS; i++) {
        expect(
          sms.received.some((r) => r.to === phone(i) && r.text.startsWith(`【同行】${name(i)} 按下了紧急求助键`)),
          phone(i),
        ).toBe(true)
      }
      // Repeats, each with the message's own OutId: what was in flight when the process died (at most one
      // round of CONCURRENCY), and attempts whose answer did not come in time (counted below).
      const smsRepeats = sms.received.length - new Set(sms.received.map((r) => r.to)).size
      const chatRepeats = chat.received.length - new Set(chat.received.map((r) => r.text)).size
      const byPhone = new Map<string, Set<string>>()
      for (const r of sms.received) byPhone.set(r.to, (byPhone.get(r.to) ?? new Set()).add(r.ref))
      expect([...byPhone.values()].every((refs) => refs.size === 1)).toBe(true)
      console.log(
        `notify-kill: ${atKill} received before the kill, ${received()} in all ` +
          `for ${2 * ALERTS} messages, ${smsRepeats + chatRepeats} repeated`,
      )

      const reopened = await startEmbeddedDb({ dataDir })
      const db = createDb({ connectionString: reopened.connectionString, log: createLogger('silent'), max: 1 })
      try {
        const r = await db.query<{ status: string; n: number }>(
          'SELECT status, count(*)::int AS n FROM deliveries GROUP BY status',
        )
        expect(r.rows).toEqual([{ status: 'sent', n: 2 * ALERTS }])
        const failed = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM delivery_attempts WHERE NOT ok')
        expect(smsRepeats + chatRepeats).toBeLessThanOrEqual(CONCURRENCY + failed.rows[0]!.n)
      } finally {
        await db.close()
        await reopened.stop()
      }
    } finally {
      if (service && service.process.exitCode === null && service.process.signalCode === null)
        service.process.kill('SIGKILL')
      await sms.close()
      await chat.close()
    }
  }, 240_000)
})
