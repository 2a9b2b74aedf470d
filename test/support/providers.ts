// Stand-ins for the notification providers that cannot be reached from here: they listen on free
// ports and check each request the way the provider does (Aliyun's ACS3-HMAC-SHA256 signature and
// approved templates; DingTalk's signed URL; the webhook's HMAC), and can be told to fail, throttle
// or hang. What they accepted is recorded with the time it arrived.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type Mode = 'ok' | 'fail' | 'throttle' | 'hang'

export interface Received {
  at: number
  to: string
  text: string
  /** The sender's own id for the message (SMS OutId, webhook Idempotency-Key). */
  ref: string
}

export interface StandIn {
  port: number
  received: Received[]
  /** Requests refused because they were malformed or badly signed. */
  refused: string[]
  mode: Mode
  /** How long an accepted request waits for its answer (a slow provider). */
  delayMs: number
  close(): Promise<void>
}

async function listen(
  handle: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => {
      body += c
    })
    req.on('end', () => handle(req, body, res))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, port: (server.address() as AddressInfo).port }
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

const closer = (server: http.Server) => () =>
  new Promise<void>((r) => {
    server.closeAllConnections()
    server.close(() => r())
  })

/** Aliyun's percent-encoding for signatures (RFC 3986). */
const pct = (s: string) => encodeURIComponent(s).replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~')
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex')

/** Checks an ACS3-HMAC-SHA256 Authorization header (https://help.aliyun.com/document_detail/2593177.html). */
export function acs3Valid(req: http.IncomingMessage, body: string, keyId: string, secret: string): boolean {
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(
    String(req.headers.authorization ?? ''),
  )
  if (!m || m[1] !== keyId) return false
  const url = new URL(req.url!, 'http://x')
  const query = [...url.searchParams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${pct(k)}=${pct(v)}`)
    .join('&')
  const signed = m[2]!.split(';')
  const headers = signed.map((h) => `${h}:${String(req.headers[h] ?? '').trim()}\n`).join('')
  const hashed = String(req.headers['x-acs-content-sha256'])
  if (hashed !== sha256(body)) return false
  const canonical = [req.method, url.pathname, query, headers, m[2], hashed].join('\n')
  const expected = createHmac('sha256', secret)
    .update(`ACS3-HMAC-SHA256\n${sha256(canonical)}`)
    .digest('hex')
  return timingSafeEqual(Buffer.from(expected), Buffer.from(m[3]!.padEnd(expected.length).slice(0, expected.length)))
}

/** An approved template filled with its JSON parameters; undefined unless they are exactly its variables, all strings. */
function fill(template: string, raw: string | null): string | undefined {
  let params: Record<string, unknown>
  try {
    params = JSON.parse(raw ?? '') as Record<string, unknown>
  } catch {
    return undefined
  }
  const wanted = [...template.matchAll(/\$\{(\w+)\}/g)].map((x) => x[1]!).sort()
  if (JSON.stringify(Object.keys(params).sort()) !== JSON.stringify(wanted)) return undefined
  if (Object.values(params).some((v) => typeof v !== 'string')) return undefined
  return template.replace(/\$\{(\w+)\}/g, (_m, k: string) => String(params[k]))
}

type Taken = { to: string; text: string; ref: string }

/**
 * An Aliyun RPC API (action, version 2017-05-25, ACS3 signature) that plays its mode (fail, throttle,
 * hang) and then lets `check` refuse the request with the provider's code or take the message;
 * `answer` adds the provider's id for the n-th message taken.
 */
async function aliyunStandIn(
  o: { keyId: string; secret: string; action: string },
  check: (q: URLSearchParams) => Taken | { refused: string },
  answer: (n: number) => Record<string, string>,
): Promise<StandIn> {
  const s: StandIn = { port: 0, received: [], refused: [], mode: 'ok', delayMs: 0, close: async () => {} }
  const { server, port } = await listen((req, body, res) => {
    const refuse = (code: string, status = 400) => {
      s.refused.push(code)
      json(res, status, { Code: code, Message: code, RequestId: 'r' })
    }
    if (req.headers['x-acs-action'] !== o.action || req.headers['x-acs-version'] !== '2017-05-25')
      return refuse('InvalidAction')
    if (!acs3Valid(req, body, o.keyId, o.secret)) return refuse('SignatureDoesNotMatch')
    if (s.mode === 'hang') return // never answers: the client times out
    if (s.mode === 'fail') return json(res, 503, { Code: 'ServiceUnavailable', Message: 'down', RequestId: 'r' })
    if (s.mode === 'throttle')
      return json(res, 200, { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: 'throttled', RequestId: 'r' })
    const taken = check(new URL(req.url!, 'http://x').searchParams)
    if ('refused' in taken) return refuse(taken.refused)
    s.received.push({ at: Date.now(), ...taken })
    const ids = answer(s.received.length)
    setTimeout(() => json(res, 200, { Code: 'OK', Message: 'OK', ...ids, RequestId: 'r' }), s.delayMs)
  })
  return Object.assign(s, { port, close: closer(server) })
}

/** Aliyun SendSms: signature, action, sign name, an approved template and exactly its variables. */
export function smsStandIn(o: {
  keyId: string
  secret: string
  signName: string
  templates: Record<string, string>
}): Promise<StandIn> {
  return aliyunStandIn(
    { ...o, action: 'SendSms' },
    (q) => {
      if (q.get('SignName') !== o.signName) return { refused: 'isv.SMS_SIGNATURE_ILLEGAL' }
      const template = o.templates[q.get('TemplateCode') ?? '']
      if (!template) return { refused: 'isv.SMS_TEMPLATE_ILLEGAL' }
      const phone = q.get('PhoneNumbers') ?? ''
      if (!/^1\d{10}$/.test(phone)) return { refused: 'isv.MOBILE_NUMBER_ILLEGAL' }
      const filled = fill(template, q.get('TemplateParam'))
      if (filled === undefined) return { refused: 'isv.TEMPLATE_MISSING_PARAMETERS' }
      return { to: phone, text: `【${o.signName}】${filled}`, ref: q.get('OutId') ?? '' }
    },
    (n) => ({ BizId: `${n}^0` }),
  )
}

/** Aliyun SingleCallByTts (voice): signature, action, an approved TTS template and exactly its variables. */
export function voiceStandIn(o: {
  keyId: string
  secret: string
  templates: Record<string, string>
}): Promise<StandIn> {
  return aliyunStandIn(
    { ...o, action: 'SingleCallByTts' },
    (q) => {
      const template = o.templates[q.get('TtsCode') ?? '']
      if (!template) return { refused: 'isv.TTS_TEMPLATE_ILLEGAL' }
      const phone = q.get('CalledNumber') ?? ''
      if (!/^1\d{10}$/.test(phone)) return { refused: 'isv.MOBILE_NUMBER_ILLEGAL' }
      const text = fill(template, q.get('TtsParam'))
      if (text === undefined) return { refused: 'isv.TTS_PARAMS_ILLEGAL' }
      return { to: phone, text, ref: q.get('OutId') ?? '' }
    },
    (n) => ({ CallId: `call-${n}` }),
  )
}

/** WeCom and DingTalk group robots and a signed webhook, on one server: /wecom?key=, /dingtalk?access_token=, /hook. */
export async function chatStandIn(o: {
  wecomKey: string
  dingtalkToken: string
  dingtalkSecret: string
  webhookSecret: string
}): Promise<StandIn> {
  const s: StandIn = { port: 0, received: [], refused: [], mode: 'ok', delayMs: 0, close: async () => {} }
  const { server, port } = await listen((req, body, res) => {
    const url = new URL(req.url!, 'http://x')
    const refuse = (why: string, errcode: number) => {
      s.refused.push(why)
      json(res, 200, { errcode, errmsg: why })
    }
    if (s.mode === 'hang') return
    if (s.mode === 'fail') return json(res, 502, {})
    if (url.pathname === '/hook') {
      const ts = Number(req.headers['x-tongxing-timestamp'])
      const expected = `sha256=${createHmac('sha256', o.webhookSecret).update(`${ts}.${body}`).digest('hex')}`
      if (req.headers['x-tongxing-signature'] !== expected || Math.abs(Date.now() / 1000 - ts) > 300) {
        s.refused.push('webhook signature')
        return json(res, 401, {})
      }
      const m = JSON.parse(body) as { text: string }
      s.received.push({ at: Date.now(), to: 'webhook', text: m.text, ref: String(req.headers['idempotency-key']) })
      return json(res, 200, { ok: true })
    }
    if (s.mode === 'throttle') return refuse('send too fast', url.pathname === '/wecom' ? 45009 : 130101)
    let m: { msgtype?: string; text?: { content?: string } }
    try {
      m = JSON.parse(body) as typeof m
    } catch {
      return refuse('invalid json', 40000)
    }
    if (m.msgtype !== 'text' || typeof m.text?.content !== 'string' || Buffer.byteLength(m.text.content) > 2048)
      return refuse('bad message', 40008)
    if (url.pathname === '/wecom') {
      if (url.searchParams.get('key') !== o.wecomKey) return refuse('invalid webhook url', 93000)
    } else if (url.pathname === '/dingtalk') {
      const ts = Number(url.searchParams.get('timestamp'))
      const sign = createHmac('sha256', o.dingtalkSecret).update(`${ts}\n${o.dingtalkSecret}`).digest('base64')
      if (url.searchParams.get('access_token') !== o.dingtalkToken) return refuse('token is not exist', 300001)
      // DingTalk refuses a timestamp more than an hour from its clock, and a wrong sign.
      if (url.searchParams.get('sign') !== sign || Math.abs(Date.now() - ts) > 3_600_000)
        return refuse('sign not match', 310000)
    } else return json(res, 404, {})
    s.received.push({ at: Date.now(), to: url.pathname.slice(1), text: m.text.content, ref: '' })
    setTimeout(() => json(res, 200, { errcode: 0, errmsg: 'ok' }), s.delayMs)
  })
  return Object.assign(s, { port, close: closer(server) })
}

/** The approved SMS templates the tests (and the docs) use: the variables the planner fills. */
export const SMS_TEMPLATES = {
  SMS_100001: '${name} ${event}。${detail}',
  SMS_100002: '仍无人处理：${name} ${event}。${detail}',
  SMS_100003: '${name} ${event}：${detail}',
  SMS_100004: '${name} ${detail}',
}

/** Service settings that point every channel at these stand-ins. */
export function providerEnv(sms: StandIn, keys: { keyId: string; secret: string }): Record<string, string> {
  return {
    SMS_ACCESS_KEY_ID: keys.keyId,
    SMS_ACCESS_KEY_SECRET: keys.secret,
    SMS_ENDPOINT: `127.0.0.1:${sms.port}`,
    SMS_PROTOCOL: 'http',
    SMS_SIGN_NAME: '同行',
    SMS_TEMPLATE_ALERT: 'SMS_100001',
    SMS_TEMPLATE_REMINDER: 'SMS_100002',
    SMS_TEMPLATE_HANDLING: 'SMS_100003',
    SMS_TEMPLATE_CLOSED: 'SMS_100004',
  }
}
