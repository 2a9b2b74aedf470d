// From a band to a person's pocket, end to end: a band's SOS over MQTT becomes an alert, the family's
// SMS and the care centre's WeCom group receive the plain-words text within seconds; nobody
// acknowledging climbs the contact list and the duty roster; acknowledging stops it everywhere and
// tells everyone who is handling it; resolving sends the closing message. Real broker, database,
// HTTP API; stand-ins for the SMS provider and WeCom that check what they are sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { BAND, connectBand, fixNorth, login, provisionWorld } from './support/fixtures.ts'
import { SMS_TEMPLATES, chatStandIn, providerEnv, smsStandIn, type StandIn } from './support/providers.ts'
import { eventually, startTestService } from './support/service.ts'

const KEYS = { keyId: 'LTAI-e2e', secret: 'e2e-secret' }
const ESCALATION_S = 2
/** The most an alert may take to reach a phone or a group chat here. */
const WITHIN_MS = 5000

describe('notifications end to end', () => {
  let service: Service
  let world: Awaited<ReturnType<typeof provisionWorld>>
  let sms: StandIn
  let chat: StandIn
  const url = (p: string) => `http://127.0.0.1:${service.httpPort}${p}`
  const call = async (method: string, path: string, cookie: string, body?: unknown) => {
    const res = await fetch(url(path), {
      method,
      headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> }
  }

  beforeAll(async () => {
    sms = await smsStandIn({ ...KEYS, signName: '同行', templates: SMS_TEMPLATES })
    chat = await chatStandIn({ wecomKey: 'wk-e2e', dingtalkToken: 'x', dingtalkSecret: 'x', webhookSecret: 'x' })
    service = await startTestService({
      ...providerEnv(sms, KEYS),
      ESCALATION_SECONDS: String(ESCALATION_S),
      NOTIFY_POLL_MS: '100',
      NOTIFY_RETRY_SECONDS: '0.2',
      NOTIFY_RETRY_MAX_SECONDS: '0.5',
    })
    world = await provisionWorld(service.db)
    const family = await login(service.httpPort, 'family-wang')
    const staff = await login(service.httpPort, 'staff-zhangdian')
    // The family orders its contacts; the centre sets its group chat and who is on duty (all day, every day).
    expect(
      (
        await call('PUT', `/api/residents/${world.resident}/contacts`, family, {
          contacts: [
            { name: '王丽', relation: '女儿', phone: '13800000001', userId: null, channels: ['sms'] },
            { name: '王强', relation: '儿子', phone: '13800000002', userId: null, channels: ['sms'] },
            { name: '李明', relation: '外甥', phone: '13800000003', userId: null, channels: ['sms'] },
          ],
        })
      ).status,
    ).toBe(200)
    expect(
      (
        await call('PUT', `/api/centres/${world.centre}/notify-channels`, staff, {
          channels: [{ kind: 'wecom', name: '张店照护群', url: `http://127.0.0.1:${chat.port}/wecom?key=wk-e2e` }],
        })
      ).body,
    ).toMatchObject({ channels: [{ kind: 'wecom', host: `127.0.0.1:${chat.port}`, secretSet: false }] })
    expect(
      (
        await call('PUT', `/api/centres/${world.centre}/roster`, staff, {
          roster: [
            {
              name: '张护士',
              phone: '13900000005',
              userId: null,
              weekdays: [0, 1, 2, 3, 4, 5, 6],
              startMinute: 0,
              endMinute: 1440,
            },
          ],
        })
      ).status,
    ).toBe(200)
  })
  afterAll(async () => {
    await service?.stop()
    await sms?.close()
    await chat?.close()
  })

  const texts = (s: StandIn, to?: string) => s.received.filter((r) => !to || r.to === to).map((r) => r.text)

  it("when a band sends SOS, then the first contact's phone and the centre group get the plain-words text within seconds; unanswered, it climbs; acknowledged, it stops; resolved, it closes", async () => {
    const band = await connectBand(service.mqttPort!, BAND)
    const pressed = Date.now()
    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(1, 0, pressed, { evt: ['sos'] })), {
      qos: 1,
    })
    await band.endAsync()
    const sos = '【同行】Wang Jianguo 按下了紧急求助键。请立即致电本人或前往查看，必要时拨打120。'
    await eventually(() => texts(sms, '13800000001').includes(sos) && texts(chat, 'wecom').includes(sos), WITHIN_MS)
    const first = Math.max(...[...sms.received, ...chat.received].map((r) => r.at))
    expect(first - pressed).toBeLessThan(WITHIN_MS)
    expect(texts(sms, '13800000002')).toEqual([]) // the second contact is not woken yet

    // Nobody acknowledges: at level 1 the daughter and the group hear it again, the son and the nurse on duty first.
    await eventually(
      () => texts(sms, '13800000002').includes(sos) && texts(sms, '13900000005').includes(sos),
      ESCALATION_S * 1000 + WITHIN_MS,
    )
    const again = '【同行】仍无人处理：Wang Jianguo 按下了紧急求助键。请立即致电本人或前往查看，必要时拨打120。'
    await eventually(() => texts(sms, '13800000001').includes(again) && texts(chat, 'wecom').includes(again), WITHIN_MS)
    expect(texts(sms, '13800000003')).toEqual([]) // the nephew is for level 2

    const alertId = (await service.db.query<{ id: number }>('SELECT id FROM alerts WHERE kind = $1', ['sos'])).rows[0]!
      .id
    const staff = await login(service.httpPort, 'staff-zhangdian')
    expect((await call('POST', `/api/alerts/${alertId}/acknowledge`, staff)).status).toBe(200)
    const handling = '【同行】Wang Jianguo 按下了紧急求助键：staff-zhangdian 正在处理，请保持电话畅通。'
    await eventually(
      () =>
        ['13800000001', '13800000002', '13900000005'].every((p) => texts(sms, p).includes(handling)) &&
        texts(chat, 'wecom').includes(handling),
      WITHIN_MS,
    )
    // Acknowledged: no level 2, however long we wait.
    const count = sms.received.length + chat.received.length
    await new Promise((r) => setTimeout(r, ESCALATION_S * 1000 * 2))
    expect(sms.received.length + chat.received.length).toBe(count)
    expect(texts(sms, '13800000003')).toEqual([])

    expect((await call('POST', `/api/alerts/${alertId}/resolve`, staff, { note: '已找到，平安' })).status).toBe(200)
    const closed = '【同行】Wang Jianguo 警报解除：已找到，平安'
    await eventually(
      () =>
        ['13800000001', '13800000002', '13900000005'].every((p) => texts(sms, p).includes(closed)) &&
        texts(chat, 'wecom').includes(closed),
      WITHIN_MS,
    )

    // Each message once, and the family can read the timeline of who was told what, when.
    const keys = sms.received.map((r) => r.ref)
    expect(new Set(keys).size).toBe(keys.length)
    const family = await login(service.httpPort, 'family-wang')
    const timeline = (await call('GET', `/api/alerts/${alertId}/notifications`, family)).body as {
      deliveries: { recipient: string; channel: string; status: string; tries: { ok: boolean; detail: string }[] }[]
    }
    expect(timeline.deliveries.filter((d) => d.status === 'sent').length).toBe(
      sms.received.length + chat.received.length,
    )
    expect(timeline.deliveries[0]).toMatchObject({
      recipient: '王丽',
      channel: 'sms',
      status: 'sent',
      tries: [{ ok: true, detail: expect.stringContaining('accepted') }],
    })
    expect(JSON.stringify(timeline)).not.toContain('13800000001') // no phone numbers on the timeline
    const other = await login(service.httpPort, 'staff-boshan')
    expect((await call('GET', `/api/alerts/${alertId}/notifications`, other)).status).toBe(404)
  }, 60_000)

  it('when the wearer wanders out and comes back, then the family hears "left the safe area", then "back in the safe area"', async () => {
    const before = sms.received.length
    const band = await connectBand(service.mqttPort!, BAND)
    // Fixes from now on (the band's wearer has worn it only since the world was made), up to 160 s ahead.
    const t = Date.now() - 1000
    for (const [seq, north, s] of [
      [11, 0, 0],
      [12, 300, 30],
      [13, 320, 90],
      [14, 330, 100],
    ] as const) {
      await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(seq, north, t + s * 1000)), {
        qos: 1,
      })
    }
    const out = '【同行】Wang Jianguo 已离开安全区域。请打开同行查看位置，联系本人或就近寻找。'
    await eventually(() => texts(sms, '13800000001').includes(out), WITHIN_MS)
    for (const [seq, north, s] of [
      [15, 20, 130],
      [16, 0, 160],
    ] as const) {
      await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(seq, north, t + s * 1000)), {
        qos: 1,
      })
    }
    await band.endAsync()
    const back = '【同行】Wang Jianguo 已回到安全区域，警报解除。'
    await eventually(() => texts(sms, '13800000001').includes(back), WITHIN_MS)
    const mine = sms.received
      .slice(before)
      .filter((r) => r.to === '13800000001')
      .map((r) => r.text)
    expect(mine.indexOf(out)).toBeLessThan(mine.indexOf(back))
  }, 30_000)

  it('when the SMS provider is down for a while, then every message is sent after it returns, in order per phone, none twice', async () => {
    sms.mode = 'fail'
    const before = sms.received.length
    const { raiseAlert, resolveAlert } = await import('../geofence/index.ts')
    const now = Date.now()
    await raiseAlert(service.db, {
      residentId: world.resident,
      bandId: BAND.id,
      zoneId: null,
      kind: 'fall',
      fixTime: now,
      evidence: {},
    })
    await new Promise((r) => setTimeout(r, 300))
    await resolveAlert(service.db, { residentId: world.resident, kind: 'fall', zoneId: null, reason: 'worn again' })
    await new Promise((r) => setTimeout(r, 3000))
    expect(sms.received.length).toBe(before)
    const attempts = await service.db.query<{
      n: number
    }>(`SELECT count(*)::int AS n FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
      JOIN alerts al ON al.id = d.alert_id WHERE al.kind = 'fall' AND NOT a.ok`)
    expect(attempts.rows[0]!.n).toBeGreaterThan(2) // retried while it was down
    sms.mode = 'ok'
    await eventually(() => sms.received.slice(before).filter((r) => r.to === '13800000001').length === 2, 10_000)
    const mine = sms.received
      .slice(before)
      .filter((r) => r.to === '13800000001')
      .map((r) => r.text)
    expect(mine).toEqual([
      '【同行】Wang Jianguo 可能摔倒了。请立即致电本人或前往查看，必要时拨打120。',
      '【同行】Wang Jianguo 已恢复正常，警报解除。',
    ])
    const refs = sms.received.map((r) => r.ref)
    expect(new Set(refs).size).toBe(refs.length)
  }, 30_000)
})
