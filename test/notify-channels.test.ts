// Each channel through the real SDK or HTTP call, against a stand-in that checks requests the way
// the provider does: Aliyun's signature and templates, DingTalk's signed URL, the webhook's HMAC,
// and an RFC 8030 push service whose payload the test decrypts with the subscription's keys.
import { createECDH, createPublicKey, randomBytes, verify } from 'node:crypto'
import { readFileSync } from 'node:fs'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { decrypt } from 'http_ece'
import webPush from 'web-push'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  aliyunSms,
  dingtalkRobot,
  render,
  signedWebhook,
  webPushSender,
  wecomRobot,
  type OutgoingMessage,
} from '../notify/index.ts'
import { SMS_TEMPLATES, chatStandIn, smsStandIn, type StandIn } from './support/providers.ts'
import { selfSignedCertificate } from './support/certificate.ts'

const KEYS = { keyId: 'LTAI-test-key', secret: 'test-secret-value' }
const params = { name: '王建国', event: '已离开安全区域', detail: '请打开同行查看位置，联系本人或就近寻找。' }
const message = (over: Partial<OutgoingMessage>): OutgoingMessage => ({
  deliveryId: 7,
  alertId: 3,
  dedupeKey: '3/opened/contact:1/sms/13800000001',
  channel: 'sms',
  template: 'alert',
  params,
  language: 'zh',
  text: render('alert', 'zh', params),
  title: '王建国：需要关注',
  target: { type: 'phone', phone: '13800000001' },
  ...over,
})
const templates = { alert: 'SMS_100001', reminder: 'SMS_100002', handling: 'SMS_100003', closed: 'SMS_100004' }

describe('SMS through the Aliyun SDK', () => {
  let sms: StandIn
  beforeAll(async () => {
    sms = await smsStandIn({ ...KEYS, signName: '同行', templates: SMS_TEMPLATES })
  })
  afterAll(() => sms.close())
  const sender = (over: { secret?: string; timeoutMs?: number } = {}) =>
    aliyunSms({
      accessKeyId: KEYS.keyId,
      accessKeySecret: over.secret ?? KEYS.secret,
      endpoint: `127.0.0.1:${sms.port}`,
      protocol: 'http',
      signName: '同行',
      templates,
      timeoutMs: over.timeoutMs ?? 2000,
    })

  it('when an alert is sent by SMS, then the provider checks the signature and template and the phone shows the plain-words text', async () => {
    sms.mode = 'ok'
    expect(await sender().send(message({}))).toMatchObject({ ok: true, ref: expect.stringMatching(/\^0$/) })
    expect(sms.received.at(-1)).toMatchObject({
      to: '13800000001',
      ref: '7',
      text: '【同行】王建国 已离开安全区域。请打开同行查看位置，联系本人或就近寻找。',
    })
  })

  it('when the access key secret is wrong, then the provider refuses the signature and the message is not retried', async () => {
    const r = await sender({ secret: 'wrong' }).send(message({}))
    expect(r).toMatchObject({ ok: false, retry: false })
    expect(sms.refused.at(-1)).toBe('SignatureDoesNotMatch')
  })

  it('when the provider is down, throttles or does not answer, then the message is to be retried', async () => {
    for (const mode of ['fail', 'throttle', 'hang'] as const) {
      sms.mode = mode
      const r = await sender({ timeoutMs: 300 }).send(message({}))
      expect(r, mode).toMatchObject({ ok: false, retry: true })
      // What is logged and shown never carries the number or the name (the SDK's errors quote the request URL).
      expect(JSON.stringify(r), mode).not.toMatch(/13800000001|%E7%8E%8B|王建国/)
    }
    sms.mode = 'ok'
    const closed = await aliyunSms({
      accessKeyId: KEYS.keyId,
      accessKeySecret: KEYS.secret,
      endpoint: '127.0.0.1:1',
      protocol: 'http',
      signName: '同行',
      templates,
      timeoutMs: 500,
    }).send(message({}))
    expect(closed).toEqual({ ok: false, retry: true, detail: 'sms: ECONNREFUSED' })
  })
})

describe('group robots and the signed webhook', () => {
  let chat: StandIn
  const secrets = {
    wecomKey: 'wk-1',
    dingtalkToken: 'dt-1',
    dingtalkSecret: 'SEC-dingtalk-secret',
    webhookSecret: 'webhook-secret-0123456789',
  }
  beforeAll(async () => {
    chat = await chatStandIn(secrets)
  })
  afterAll(() => chat.close())
  const base = () => `http://127.0.0.1:${chat.port}`

  it('when an alert goes to the WeCom and DingTalk groups, then each robot takes the text, DingTalk after checking the signed URL', async () => {
    chat.mode = 'ok'
    const text = render('alert', 'zh', params)
    expect(
      await wecomRobot(2000).send(
        message({ channel: 'wecom', target: { type: 'url', url: `${base()}/wecom?key=wk-1`, secret: '' } }),
      ),
    ).toMatchObject({ ok: true })
    expect(
      await dingtalkRobot(2000).send(
        message({
          channel: 'dingtalk',
          target: { type: 'url', url: `${base()}/dingtalk?access_token=dt-1`, secret: secrets.dingtalkSecret },
        }),
      ),
    ).toMatchObject({ ok: true })
    expect(chat.received.slice(-2).map((r) => [r.to, r.text])).toEqual([
      ['wecom', text],
      ['dingtalk', text],
    ])
  })

  it('when the DingTalk secret is wrong or the robot throttles, then a wrong secret is final and throttling is retried', async () => {
    const target = { type: 'url' as const, url: `${base()}/dingtalk?access_token=dt-1`, secret: 'SEC-wrong' }
    expect(await dingtalkRobot(2000).send(message({ channel: 'dingtalk', target }))).toMatchObject({
      ok: false,
      retry: false,
      detail: 'dingtalk: errcode 310000',
    })
    chat.mode = 'throttle'
    expect(
      await wecomRobot(2000).send(
        message({ channel: 'wecom', target: { type: 'url', url: `${base()}/wecom?key=wk-1`, secret: '' } }),
      ),
    ).toMatchObject({ ok: false, retry: true })
    chat.mode = 'ok'
  })

  it("when the city webhook is called, then its HMAC signature checks out and the idempotency key is the message's", async () => {
    const target = { type: 'url' as const, url: `${base()}/hook`, secret: secrets.webhookSecret }
    expect(await signedWebhook(2000).send(message({ channel: 'webhook', target }))).toMatchObject({ ok: true })
    expect(chat.received.at(-1)).toMatchObject({ to: 'webhook', ref: '3/opened/contact:1/sms/13800000001' })
    expect(
      await signedWebhook(2000).send(
        message({ channel: 'webhook', target: { ...target, secret: 'another-secret-abcdefgh' } }),
      ),
    ).toMatchObject({ ok: false, retry: false })
  })
})

/** The Web Push sender with these VAPID keys, trusting the test push service's certificate. */
const pushSender = (
  vapid: { publicKey: string; privateKey: string },
  cert: Buffer,
  o: { timeoutMs: number; privateAddresses?: boolean },
) =>
  webPushSender({
    subject: 'mailto:ops@example.cn',
    publicKey: vapid.publicKey,
    privateKey: vapid.privateKey,
    agent: new https.Agent({ ca: cert }),
    ...o,
  })

describe('Web Push', () => {
  it('when an alert is pushed, then the push service gets a VAPID-signed request and the device decrypts the alert text; a push service on this host is refused', async () => {
    const vapid = webPush.generateVAPIDKeys()
    const device = createECDH('prime256v1')
    device.generateKeys()
    const auth = randomBytes(16).toString('base64url')
    const pushed: { body: Buffer; authorization: string; status: number }[] = []
    let status = 201
    // Push services speak HTTPS only (and web-push sends nothing else): a certificate for this one.
    const tls = await selfSignedCertificate()
    const cert = readFileSync(tls.cert)
    const server = https.createServer({ cert, key: readFileSync(tls.key) }, (req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        pushed.push({ body: Buffer.concat(chunks), authorization: String(req.headers.authorization), status })
        res.writeHead(status, { location: '/m/1' }).end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}/push/abc`
      const sender = pushSender(vapid, cert, { timeoutMs: 2000, privateAddresses: true })
      const target = { type: 'push' as const, endpoint, p256dh: device.getPublicKey().toString('base64url'), auth }
      expect(await sender.send(message({ channel: 'webpush', target }))).toMatchObject({ ok: true })
      const payload = JSON.parse(
        decrypt(pushed[0]!.body, { version: 'aes128gcm', privateKey: device, authSecret: auth }).toString('utf8'),
      ) as Record<string, unknown>
      expect(payload).toMatchObject({
        title: '王建国：需要关注',
        body: render('alert', 'zh', params),
        alertId: 3,
        url: '/?alert=3',
      })
      // RFC 8292: "vapid t=<JWT>, k=<public key>", the JWT signed with the private key for this origin.
      const [, jwt, k] = /^vapid t=([^,]+), k=(.+)$/.exec(pushed[0]!.authorization)!
      expect(k).toBe(vapid.publicKey)
      const [h, p, sig] = jwt!.split('.')
      const raw = Buffer.from(vapid.publicKey, 'base64url')
      const key = createPublicKey({
        key: {
          kty: 'EC',
          crv: 'P-256',
          x: raw.subarray(1, 33).toString('base64url'),
          y: raw.subarray(33).toString('base64url'),
        },
        format: 'jwk',
      })
      expect(
        verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig!, 'base64url')),
      ).toBe(true)
      expect(JSON.parse(Buffer.from(p!, 'base64url').toString())).toMatchObject({
        aud: new URL(endpoint).origin,
        sub: 'mailto:ops@example.cn',
      })
      status = 410
      expect(await sender.send(message({ channel: 'webpush', target }))).toMatchObject({
        ok: false,
        retry: false,
        gone: true,
      })
      // A family account registers this host as its "push service": nothing is sent, the subscription goes.
      const asDeployed = pushSender(vapid, cert, { timeoutMs: 2000 })
      const before = pushed.length
      expect(await asDeployed.send(message({ channel: 'webpush', target }))).toEqual({
        ok: false,
        retry: false,
        gone: true,
        detail: 'webpush: endpoint not on the public internet',
      })
      expect(pushed.length).toBe(before)
    } finally {
      server.close()
    }
  })

  it('when a push service answers its status and then trickles the body or drops the connection, then the send ends with that status, within its time-out; one that never answers times out', async () => {
    const vapid = webPush.generateVAPIDKeys()
    const device = createECDH('prime256v1')
    device.generateKeys()
    const tls = await selfSignedCertificate()
    const cert = readFileSync(tls.cert)
    const open = new Set<import('node:net').Socket>()
    const server = https.createServer({ cert, key: readFileSync(tls.key) }, (req, res) => {
      req.resume()
      if (req.url === '/push/silent') return // never answers
      // Headers at once; then a byte a second for ever, or the connection cut half a second in.
      res.writeHead(req.url === '/push/trickle' ? 500 : 201, { 'content-length': '1000' })
      res.write('x')
      if (req.url === '/push/trickle') setInterval(() => res.write('x'), 1000).unref()
      else setTimeout(() => req.socket.destroy(), 500)
    })
    server.on('secureConnection', (sock) => {
      open.add(sock)
      sock.on('close', () => open.delete(sock))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const sender = pushSender(vapid, cert, { timeoutMs: 1500, privateAddresses: true })
      const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}/push/`
      const push = (path: string) =>
        sender.send(
          message({
            channel: 'webpush',
            target: {
              type: 'push',
              endpoint: base + path,
              p256dh: device.getPublicKey().toString('base64url'),
              auth: randomBytes(16).toString('base64url'),
            },
          }),
        )
      // The status is the push service's answer (RFC 8030 §5: 201 accepted); the body says nothing more.
      for (const [path, answer] of [
        ['trickle', { ok: false, retry: true, detail: 'webpush: HTTP 500' }],
        ['drop', { ok: true }],
        ['silent', { ok: false, retry: true, detail: 'webpush: timed out' }],
      ] as const) {
        const started = Date.now()
        const result = await Promise.race([push(path), new Promise((r) => setTimeout(() => r('still waiting'), 5000))])
        expect(result, path).toMatchObject(answer)
        expect(Date.now() - started, path).toBeLessThan(2500)
      }
    } finally {
      for (const sock of open) sock.destroy()
      server.close()
    }
  })
})
