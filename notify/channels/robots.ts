// Care-centre group chats: WeCom (企业微信) and DingTalk (钉钉) group robots, and the signed webhook
// for the city's other systems. Each is one JSON POST; the URL (with its key or token) is per centre.
import { createHmac } from 'node:crypto'
import { httpFailure, networkFailure, type ChannelSender, type OutgoingMessage, type SendResult } from './channel.ts'

/** WeCom and DingTalk answer 200 with an errcode; these mean "too fast, later". */
const THROTTLED = new Set([45009, 130101])

async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
  what: string,
): Promise<Response | SendResult> {
  try {
    return await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (err) {
    return networkFailure(err, what)
  }
}

/** A robot's answer: HTTP 200 and errcode 0 means it was posted to the group. */
async function robotResult(res: Response | SendResult, what: string): Promise<SendResult> {
  if (!(res instanceof Response)) return res
  if (!res.ok) return httpFailure(res.status, what)
  const body = (await res.json().catch(() => ({}))) as { errcode?: number; errmsg?: string }
  if (body.errcode === 0) return { ok: true, ref: `${what} ok` }
  return { ok: false, retry: THROTTLED.has(body.errcode ?? -1), detail: `${what}: errcode ${body.errcode ?? '?'}` }
}

const urlTarget = (m: OutgoingMessage) => (m.target.type === 'url' ? m.target : undefined)

/** WeCom group robot: POST {msgtype:"text"} to its webhook URL (https://developer.work.weixin.qq.com/document/path/91770). */
export function wecomRobot(timeoutMs: number): ChannelSender {
  return {
    async send(m) {
      const t = urlTarget(m)
      if (!t) return { ok: false, retry: false, detail: 'wecom: no robot URL' }
      return robotResult(
        await postJson(t.url, { msgtype: 'text', text: { content: m.text } }, {}, timeoutMs, 'wecom'),
        'wecom',
      )
    },
  }
}

/** DingTalk's robot signature: base64(HMAC-SHA256(secret, timestamp + "\n" + secret)) (https://open.dingtalk.com/document/robots/customize-robot-security-settings). */
export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64')
}

/** DingTalk group robot with "加签" security: the URL carries timestamp and sign. */
export function dingtalkRobot(timeoutMs: number, now: () => number = Date.now): ChannelSender {
  return {
    async send(m) {
      const t = urlTarget(m)
      if (!t) return { ok: false, retry: false, detail: 'dingtalk: no robot URL' }
      const url = new URL(t.url)
      if (t.secret) {
        const timestamp = now()
        url.searchParams.set('timestamp', String(timestamp))
        url.searchParams.set('sign', dingtalkSign(t.secret, timestamp))
      }
      return robotResult(
        await postJson(url.toString(), { msgtype: 'text', text: { content: m.text } }, {}, timeoutMs, 'dingtalk'),
        'dingtalk',
      )
    },
  }
}

/** The webhook signature: hex HMAC-SHA256 of "timestamp.body" with the shared secret. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

/** A signed JSON webhook: `X-Tongxing-Signature: sha256=…` over `X-Tongxing-Timestamp` and the body;
 *  `Idempotency-Key` is the same on every retry of one message. */
export function signedWebhook(timeoutMs: number, now: () => number = Date.now): ChannelSender {
  return {
    async send(m) {
      const t = urlTarget(m)
      if (!t) return { ok: false, retry: false, detail: 'webhook: no URL' }
      const body = JSON.stringify({
        id: m.dedupeKey,
        alertId: m.alertId,
        template: m.template,
        language: m.language,
        params: m.params,
        text: m.text,
      })
      const timestamp = Math.floor(now() / 1000)
      let res: Response
      try {
        res = await fetch(t.url, {
          method: 'POST',
          body,
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'content-type': 'application/json',
            'idempotency-key': m.dedupeKey,
            'x-tongxing-timestamp': String(timestamp),
            'x-tongxing-signature': `sha256=${webhookSignature(t.secret, timestamp, body)}`,
          },
        })
      } catch (err) {
        return networkFailure(err, 'webhook')
      }
      await res.body?.cancel()
      return res.ok ? { ok: true, ref: `webhook ${res.status}` } : httpFailure(res.status, 'webhook')
    },
  }
}
