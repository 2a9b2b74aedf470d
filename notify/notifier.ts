// The notifier: plans recorded alert changes into the outbox and sends what is due, through the
// channel for each message; retries with backoff; gives up after maxAttempts (status 'failed',
// on the alert's timeline). Woken at once by kick() (an alert changed in this process), otherwise
// every pollMs. Delivery is at least once: a process killed mid-send leaves the message 'sending'
// until its lease ends, and another attempt sends it again with the same dedupe key.
import type { Db, Logger } from '../infra/index.ts'
import type { Channel } from './audience.ts'
import type { ChannelSender, SendResult } from './channels/channel.ts'
import { claimDue, forgetSubscription, markFailed, markSent, type ClaimedDelivery } from './outbox.pg.ts'
import { planPending } from './planning.pg.ts'
import { render, titleText } from './templates.ts'

export interface NotifierSettings {
  timeZone: string
  pollMs: number
  /** Messages sent side by side. */
  concurrency: number
  maxAttempts: number
  /** First retry after this long, doubling up to retryMaxMs. */
  retryMs: number
  retryMaxMs: number
  /** How long a claimed message is this worker's before another may send it (longer than any send). */
  leaseMs: number
  city: { url: string; secret: string }
}

export interface NotifierOptions {
  db: Db
  log: Logger
  settings: NotifierSettings
  senders: Partial<Record<Channel, ChannelSender>>
  /** A message was handed to its provider: `ms` since its row was written. */
  onSent?: (channel: Channel, ms: number) => void
  onFailed?: (channel: Channel, final: boolean) => void
}

export interface Notifier {
  start(): void
  /** Look for work now. */
  kick(): void
  /** Resolves when the current round is done; no new round starts. */
  stop(): Promise<void>
}

export function createNotifier({ db, log, settings: s, senders, onSent, onFailed }: NotifierOptions): Notifier {
  let stopped = true
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let again = false

  const backoff = (attempts: number) => Math.min(s.retryMs * 2 ** (attempts - 1), s.retryMaxMs)

  const deliver = async (d: ClaimedDelivery) => {
    const sender = senders[d.channel]
    let result: SendResult
    if (!sender) result = { ok: false, retry: false, detail: `${d.channel}: not configured here` }
    else if (!d.target) result = { ok: false, retry: false, detail: `${d.channel}: recipient no longer set up` }
    else {
      result = await sender.send({
        deliveryId: d.id, alertId: d.alertId, dedupeKey: d.dedupeKey, channel: d.channel, template: d.template,
        params: d.params, language: d.language, text: render(d.template, d.language, d.params),
        title: titleText(d.template, d.language, d.params.name), target: d.target,
      }).catch((err: unknown): SendResult => ({ ok: false, retry: true, detail: `${d.channel}: ${(err as Error).message}` }))
    }
    if (result.ok) {
      await markSent(db, d.id, result.ref)
      onSent?.(d.channel, Date.now() - d.createdAt)
      log.info({ deliveryId: d.id, alertId: d.alertId, channel: d.channel }, 'notification handed to the provider')
      return
    }
    const final = !result.retry || d.attempts >= s.maxAttempts
    if (result.gone) await forgetSubscription(db, d.address)
    await markFailed(db, d.id, result.detail, final ? null : backoff(d.attempts))
    onFailed?.(d.channel, final)
    log.warn({ deliveryId: d.id, alertId: d.alertId, channel: d.channel, attempt: d.attempts, final, detail: result.detail },
      final ? 'notification failed; giving up' : 'notification failed; will retry')
  }

  /** Plans and sends until nothing is due; true if anything was done. */
  const round = async () => {
    for (;;) {
      const planned = await planPending(db, { timeZone: s.timeZone, cityWebhook: s.city.url !== '' })
      const due = await claimDue(db, s.concurrency, s.leaseMs, s.city)
      await Promise.all(due.map((d) => deliver(d).catch((err: unknown) => log.error({ err, deliveryId: d.id }, 'recording a notification failed'))))
      if ((planned === 0 && due.length === 0) || stopped) return
    }
  }

  const run = () => {
    if (stopped) return
    if (running) { again = true; return }
    clearTimeout(timer)
    running = round()
      .catch((err: unknown) => log.error({ err }, 'notification round failed; trying again shortly'))
      .finally(() => {
        running = undefined
        if (stopped) return
        if (again) { again = false; run() } else timer = setTimeout(run, s.pollMs)
      })
  }

  return {
    start() {
      stopped = false
      run()
    },
    kick: run,
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
