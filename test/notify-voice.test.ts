// Voice calls (Aliyun dyvmsapi SingleCallByTts through its official OpenAPI core) for critical alerts
// nobody acknowledges, optional per deployment: the request signed and shaped as the provider
// checks it; a throttled or failing provider is retried, a refusal is final; end to end, an SOS
// still unacknowledged at level 1 rings the phones its SMS reached, and acknowledging stops the calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { aliyunVoice, type OutgoingMessage } from '../notify/index.ts'
import { BAND, connectBand, fixNorth, login, provisionWorld } from './support/fixtures.ts'
import { SMS_TEMPLATES, providerEnv, smsStandIn, voiceStandIn, type StandIn } from './support/providers.ts'
import { eventually, startTestService } from './support/service.ts'

const KEYS = { keyId: 'LTAI-voice', secret: 'voice-secret' }
const TTS = { TTS_200001: '仍无人处理：${name} ${event}。${detail}' }
const params = { name: '王建国', event: '按下了紧急求助键', detail: '请立即致电本人或前往查看，必要时拨打120。' }
const message = (): OutgoingMessage => ({
  deliveryId: 9,
  alertId: 3,
  dedupeKey: '3/escalated/1/contact:1/voice/13800000001',
  channel: 'voice',
  template: 'reminder',
  params,
  language: 'zh',
  text: '',
  title: '',
  target: { type: 'phone', phone: '13800000001' },
})

describe('the voice channel against a stand-in that checks requests as Aliyun does', () => {
  let voice: StandIn
  beforeAll(async () => {
    voice = await voiceStandIn({ ...KEYS, templates: TTS })
  })
  afterAll(() => voice.close())
  const sender = (secret = KEYS.secret, timeoutMs = 2000) =>
    aliyunVoice({
      accessKeyId: KEYS.keyId,
      accessKeySecret: secret,
      endpoint: `127.0.0.1:${voice.port}`,
      protocol: 'http',
      ttsCode: 'TTS_200001',
      showNumber: '',
      timeoutMs,
    })

  it('when a call is asked for, then the signed request rings the number with the template filled in, and its id comes back', async () => {
    expect(await sender().send(message())).toEqual({ ok: true, ref: 'call-1' })
    expect(voice.received).toEqual([
      expect.objectContaining({
        to: '13800000001',
        text: '仍无人处理：王建国 按下了紧急求助键。请立即致电本人或前往查看，必要时拨打120。',
        ref: '9',
      }),
    ])
  })

  it('when the provider throttles, fails or hangs, then it is retried; a bad signature is final', async () => {
    voice.mode = 'throttle'
    expect(await sender().send(message())).toMatchObject({ ok: false, retry: true })
    voice.mode = 'fail'
    expect(await sender().send(message())).toMatchObject({ ok: false, retry: true })
    voice.mode = 'hang'
    expect(await sender(KEYS.secret, 300).send(message())).toMatchObject({ ok: false, retry: true })
    voice.mode = 'ok'
    expect(await sender('wrong-secret').send(message())).toMatchObject({
      ok: false,
      retry: false,
      detail: 'voice: SignatureDoesNotMatch',
    })
    expect(voice.refused).toContain('SignatureDoesNotMatch')
  })
})

describe('voice calls end to end', () => {
  let service: Service
  let sms: StandIn
  let voice: StandIn
  beforeAll(async () => {
    sms = await smsStandIn({ ...KEYS, signName: '同行', templates: SMS_TEMPLATES })
    voice = await voiceStandIn({ ...KEYS, templates: TTS })
    service = await startTestService({
      ...providerEnv(sms, KEYS),
      VOICE_ACCESS_KEY_ID: KEYS.keyId,
      VOICE_ACCESS_KEY_SECRET: KEYS.secret,
      VOICE_ENDPOINT: `127.0.0.1:${voice.port}`,
      VOICE_PROTOCOL: 'http',
      VOICE_TTS_CODE: 'TTS_200001',
      ESCALATION_SECONDS: '2',
      NOTIFY_POLL_MS: '100',
    })
    const world = await provisionWorld(service.db)
    const family = await login(service.httpPort, 'family-wang')
    const res = await fetch(`http://127.0.0.1:${service.httpPort}/api/residents/${world.resident}/contacts`, {
      method: 'PUT',
      headers: { cookie: family, 'content-type': 'application/json' },
      body: JSON.stringify({
        contacts: [
          { name: '王丽', relation: '女儿', phone: '13800000001', userId: null, channels: ['sms'] },
          { name: '王强', relation: '儿子', phone: '13800000002', userId: null, channels: ['sms'] },
          { name: '李明', relation: '外甥', phone: '13800000003', userId: null, channels: ['sms'] },
        ],
      }),
    })
    expect(res.status).toBe(200)
  })
  afterAll(async () => {
    await service?.stop()
    await sms?.close()
    await voice?.close()
  })

  it('when an SOS stays unacknowledged to level 1, then the first two contacts are rung; once acknowledged, nobody else is', async () => {
    const band = await connectBand(service.mqttPort!, BAND)
    await band.publishAsync(
      `bands/${BAND.id}/telemetry`,
      JSON.stringify(fixNorth(1, 0, Date.now(), { evt: ['sos'] })),
      {
        qos: 1,
      },
    )
    await band.endAsync()
    // The first SMS goes at once; no call before anyone had a chance to answer it.
    await eventually(() => sms.received.some((r) => r.to === '13800000001'), 5000)
    expect(voice.received).toEqual([])
    await eventually(() => voice.received.length >= 2, 10_000)
    expect(voice.received.map((r) => r.to).sort()).toEqual(['13800000001', '13800000002'])
    expect(voice.received[0]!.text).toBe(
      '仍无人处理：Wang Jianguo 按下了紧急求助键。请立即致电本人或前往查看，必要时拨打120。',
    )

    const alertId = (await service.db.query<{ id: number }>('SELECT id FROM alerts WHERE kind = $1', ['sos'])).rows[0]!
      .id
    const staff = await login(service.httpPort, 'staff-zhangdian')
    const ack = await fetch(`http://127.0.0.1:${service.httpPort}/api/alerts/${alertId}/acknowledge`, {
      method: 'POST',
      headers: { cookie: staff },
    })
    expect(ack.status).toBe(200)
    await eventually(() => sms.received.some((r) => r.text.includes('正在处理')), 5000)
    await new Promise((r) => setTimeout(r, 5000)) // two escalation periods: level 2 would ring everyone
    expect(voice.received.map((r) => r.to).sort()).toEqual(['13800000001', '13800000002'])
  }, 40_000)
})
