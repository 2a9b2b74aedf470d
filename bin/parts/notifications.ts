// Wires the notifier from the configuration: a sender for each channel that is configured, the
// outbox worker, and its metrics. Secrets go from the config to the SDKs and nowhere else.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { periodic, within, type Config, type Db, type Logger } from '../../infra/index.ts'
import {
  aliyunSms,
  aliyunVoice,
  createNotifier,
  dingtalkRobot,
  outboxBacklog,
  pruneNotifications,
  signedWebhook,
  webPushSender,
  wecomRobot,
  type Channel,
  type ChannelSender,
  type Notifier,
} from '../../notify/index.ts'

export function sendersFor(c: Config): Partial<Record<Channel, ChannelSender>> {
  const timeoutMs = c.notifyTimeoutMs
  const senders: Partial<Record<Channel, ChannelSender>> = {
    wecom: wecomRobot(timeoutMs),
    dingtalk: dingtalkRobot(timeoutMs),
    webhook: signedWebhook(timeoutMs),
  }
  if (c.smsAccessKeyId) {
    senders.sms = aliyunSms({
      accessKeyId: c.smsAccessKeyId,
      accessKeySecret: c.smsAccessKeySecret,
      endpoint: c.smsEndpoint,
      protocol: c.smsProtocol,
      signName: c.smsSignName,
      timeoutMs,
      templates: {
        alert: c.smsTemplateAlert,
        reminder: c.smsTemplateReminder,
        handling: c.smsTemplateHandling,
        closed: c.smsTemplateClosed,
      },
    })
  }
  if (c.voiceAccessKeyId) {
    senders.voice = aliyunVoice({
      accessKeyId: c.voiceAccessKeyId,
      accessKeySecret: c.voiceAccessKeySecret,
      endpoint: c.voiceEndpoint,
      protocol: c.voiceProtocol,
      ttsCode: c.voiceTtsCode,
      showNumber: c.voiceShowNumber,
      timeoutMs,
    })
  }
  if (c.webpushPublicKey) {
    senders.webpush = webPushSender({
      subject: c.webpushSubject,
      publicKey: c.webpushPublicKey,
      privateKey: c.webpushPrivateKey,
      timeoutMs,
    })
  }
  return senders
}

export function startNotifications(config: Config, db: Db, log: Logger, registry: Registry): Notifier {
  const registers = [registry]
  const sentSeconds = new Histogram({
    name: 'tongxing_notification_seconds',
    help: 'From a notification being written to the outbox to its provider taking it',
    labelNames: ['channel'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30, 300],
    registers,
  })
  const failed = new Counter({
    name: 'tongxing_notification_failures_total',
    help: 'Notification attempts a provider did not take; final: given up',
    labelNames: ['channel', 'final'],
    registers,
  })
  new Gauge({
    name: 'tongxing_notifications_waiting',
    help: 'Notifications in the outbox not yet handed to a provider',
    registers,
    async collect() {
      try {
        this.set(await within(1000, outboxBacklog(db)))
      } catch {
        /* keep the last figure */
      }
    },
  })
  const notifier = createNotifier({
    db,
    log,
    senders: sendersFor(config),
    settings: {
      timeZone: config.notifyTimeZone,
      pollMs: config.notifyPollMs,
      concurrency: config.notifyConcurrency,
      maxAttempts: config.notifyMaxAttempts,
      retryMs: config.notifyRetrySeconds * 1000,
      retryMaxMs: config.notifyRetryMaxSeconds * 1000,
      leaseMs: config.notifyTimeoutMs * 3 + 5000,
      city: { url: config.cityWebhookUrl, secret: config.cityWebhookSecret },
      voiceFromLevel: config.voiceAccessKeyId ? config.voiceFromLevel : null,
    },
    onSent: (channel, ms) => sentSeconds.observe({ channel }, ms / 1000),
    onFailed: (channel, final) => failed.inc({ channel, final: String(final) }),
  })
  notifier.start()
  // Retention: finished notifications older than NOTIFY_RETENTION_DAYS go, at start and hourly.
  const retention = periodic({
    everyMs: 3_600_000,
    log,
    what: 'notification retention',
    run: async () => {
      const n = await pruneNotifications(db, config.notifyRetentionDays)
      if (n > 0) log.info({ messages: n }, 'old notifications deleted')
    },
  })
  if (config.notifyRetentionDays > 0) {
    retention.start()
    void retention.runNow()
  }
  return {
    ...notifier,
    async stop() {
      await retention.stop()
      await notifier.stop()
    },
  }
}
