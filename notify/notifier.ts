// The notifier: plans recorded alert changes into the outbox and sends what is due, through the
// channel for each message; retries with backoff; gives up after maxAttempts (status 'failed',
// on the alert's timeline). Woken at once by kick() (an alert changed in this process), when the
// next message falls due (a retry, the end of quiet hours, a lapsed lease), and at the latest after
// pollMs (a change another process recorded and did not plan). Delivery is at least once: a process
// killed mid-send leaves the message 'sending' until its lease ends, and another attempt sends it
// again with the same dedupe key.
import { within, type Db, type Logger } from '../infra/index.ts'
import type { Channel } from './audience.ts'
import { networkFailure, type ChannelSender, type SendResult } from './channels/channel.ts'
import {
  claimDue,
  forgetSubscription,
  nextDueMs,
  recordOutcomes,
  type ClaimedDelivery,
  type Outcome,
} from './outbox.pg.ts'
import { planPending } from './planning.pg.ts'
import { render, titleText } from './templates.ts'

export interface NotifierSettings {
  timeZone: string
  /** The longest the notifier sleeps with nothing due. */
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
  /** A critical alert nobody acknowledged rings phones from this escalation level on; null: no voice calls. */
  voiceFromLevel: number | null
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
  /** Resolves when the current round and the messages out are done; no new round starts. */
  stop(): Promise<void>
}

/** A message due now but locked by another worker's claim is looked for again this much later, not in a busy loop. */
const MIN_SLEEP_MS = 50
/** A failed round (the database away) is tried again this soon. */
const RETRY_ROUND_MS = 1000

export function createNotifier({ db, log, settings: s, senders, onSent, onFailed }: NotifierOptions): Notifier {
  let stopped = true
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let again = false

  const backoff = (attempts: number) => Math.min(s.retryMs * 2 ** (attempts - 1), s.retryMaxMs)
  /** Half the lease: a send is over, and recorded, well before another worker may claim its message. */
  const deadlineMs = s.leaseMs / 2

  /** Hands one message to its channel; what became of it. */
  const deliver = async (d: ClaimedDelivery): Promise<Outcome> => {
    const sender = senders[d.channel]
    let result: SendResult
    if (!sender) result = { ok: false, retry: false, detail: `${d.channel}: not configured here` }
    else if (!d.target) result = { ok: false, retry: false, detail: `${d.channel}: recipient no longer set up` }
    else {
      const sent = sender
        .send({
          deliveryId: d.id,
          alertId: d.alertId,
          dedupeKey: d.dedupeKey,
          channel: d.channel,
          template: d.template,
          params: d.params,
          language: d.language,
          text: render(d.template, d.language, d.params),
          title: titleText(d.template, d.language, d.params.name),
          target: d.target,
        })
        .catch((err: unknown): SendResult => networkFailure(err, d.channel))
      // A channel whose own time-out failed to end the call gives up its slot by the deadline, and
      // the message is tried again; should the provider accept it after all, that is recorded then.
      result = await within(deadlineMs, sent).catch((): SendResult => {
        void sent
          .then((late) => (late.ok ? recordOutcomes(db, [{ id: d.id, attempt: d.attempts, ...late }]) : undefined))
          .catch((err: unknown) => log.error({ err, deliveryId: d.id }, 'recording a late notification failed'))
        return { ok: false, retry: true, detail: `${d.channel}: no answer within ${deadlineMs} ms` }
      })
    }
    if (result.ok) {
      onSent?.(d.channel, Date.now() - d.createdAt)
      log.info({ deliveryId: d.id, alertId: d.alertId, channel: d.channel }, 'notification handed to the provider')
      return { id: d.id, attempt: d.attempts, ok: true, ref: result.ref }
    }
    const final = !result.retry || d.attempts >= s.maxAttempts
    if (result.gone)
      await forgetSubscription(db, d.address).catch((err: unknown) =>
        log.error({ err }, 'forgetting a push subscription failed'),
      )
    onFailed?.(d.channel, final)
    log.warn(
      { deliveryId: d.id, alertId: d.alertId, channel: d.channel, attempt: d.attempts, final, detail: result.detail },
      final ? 'notification failed; giving up' : 'notification failed; will retry',
    )
    return {
      id: d.id,
      attempt: d.attempts,
      ok: false,
      detail: result.detail,
      retryInMs: final ? null : backoff(d.attempts),
    }
  }

  /** Messages out at once to one address (the city webhook, a centre's chat): one that hangs keeps the rest of the slots free. */
  const perAddress = Math.max(1, Math.floor(s.concurrency / 4))
  /** Messages handed to their channels and not yet recorded. */
  const sending = new Set<Promise<void>>()

  /**
   * Sends one message and records what became of it at once: a slow or hanging provider holds up
   * no other message (each family's SMS is recorded when it is taken, not when the slowest message
   * of its round is). If the process dies before the record, the lease runs out and it is sent again.
   */
  const send = (d: ClaimedDelivery) => {
    const p = deliver(d)
      .then((outcome) => recordOutcomes(db, [outcome]))
      .catch((err: unknown) =>
        log.error({ err, deliveryId: d.id }, 'recording a notification failed; it is sent again when its lease ends'),
      )
      .finally(() => {
        sending.delete(p)
        run() // room for the next message, and one held behind this one may go now
      })
    sending.add(p)
  }

  /**
   * Plans, and claims what is due while fewer than `concurrency` messages are out; then how long
   * until something falls due (ms), null if nothing waits or the notifier is busy (a send that
   * finishes looks again).
   */
  const round = async (): Promise<number | null> => {
    for (;;) {
      const planned = await planPending(db, {
        timeZone: s.timeZone,
        cityWebhook: s.city.url !== '',
        voiceFromLevel: s.voiceFromLevel,
      })
      const room = s.concurrency - sending.size
      const due = room > 0 ? await claimDue(db, room, s.leaseMs, s.city, perAddress) : []
      for (const d of due) send(d)
      if (stopped) return null
      if (planned === 0 && due.length === 0) return room > 0 ? nextDueMs(db) : null
    }
  }

  const run = () => {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    clearTimeout(timer)
    let sleepMs = s.pollMs
    running = round()
      .then(
        (dueMs) => {
          if (dueMs !== null) sleepMs = Math.min(sleepMs, Math.max(MIN_SLEEP_MS, dueMs))
        },
        (err: unknown) => {
          sleepMs = Math.min(sleepMs, RETRY_ROUND_MS)
          log.error({ err }, 'notification round failed; trying again shortly')
        },
      )
      .finally(() => {
        running = undefined
        if (stopped) return
        if (again) {
          again = false
          run()
        } else timer = setTimeout(run, sleepMs)
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
      while (sending.size > 0) await Promise.all(sending)
    },
  }
}
