// One interface for every way a message leaves: SMS, group robots, webhooks, Web Push.
import type { Channel } from '../audience.ts'
import type { Language, TemplateName, TemplateParams } from '../templates.ts'

/** A message to hand to a provider, with the target resolved from the outbox row. */
export interface OutgoingMessage {
  deliveryId: number
  alertId: number
  /** Stable across retries: receivers that see it twice can drop the second. */
  dedupeKey: string
  channel: Channel
  template: TemplateName
  params: TemplateParams
  language: Language
  /** The rendered text and title (chats, push, webhooks). */
  text: string
  title: string
  /** A phone number (sms), or the resolved target of a chat, webhook or push subscription. */
  target: Target
}

export type Target =
  | { type: 'phone'; phone: string }
  | { type: 'url'; url: string; secret: string }
  | { type: 'push'; endpoint: string; p256dh: string; auth: string }

/** The provider took it (`ref`: its id for the message), or did not: try again later, or never. */
export type SendResult = { ok: true; ref: string } | { ok: false; retry: boolean; gone?: boolean; detail: string }

export interface ChannelSender {
  send(m: OutgoingMessage): Promise<SendResult>
}

/** A sender made when its first message comes: its SDK is loaded then, not with the service. */
export function onFirstSend(make: () => Promise<ChannelSender>): ChannelSender {
  let sender: Promise<ChannelSender> | undefined
  const made = () => (sender ??= make())
  return { send: async (m) => (await made()).send(m) }
}

/** An HTTP status as a result: 2xx is the caller's to check; 429 and 5xx are worth retrying. */
export function httpFailure(status: number, what: string): SendResult {
  return { ok: false, retry: status === 429 || status >= 500 || status === 408, detail: `${what}: HTTP ${status}` }
}

/**
 * A network failure or time-out: always worth retrying. The detail names only the error's kind
 * (ECONNREFUSED, timed out): SDK messages carry the request URL, with phone numbers, names and robot keys.
 */
export function networkFailure(err: unknown, what: string): SendResult {
  const e = err as { name?: string; code?: unknown; cause?: { name?: string; code?: unknown } }
  const timedOut =
    e.name === 'TimeoutError' ||
    e.cause?.name === 'TimeoutError' || // a request aborted by AbortSignal.timeout
    /timeout/i.test(String(e.name ?? '') + String(e.code ?? ''))
  const code = [e.code, e.cause?.code].find((c): c is string => typeof c === 'string' && /^[A-Z_]+$/.test(c))
  return { ok: false, retry: true, detail: `${what}: ${timedOut ? 'timed out' : (code ?? 'network error')}` }
}
