// Notifier settings for tests that run the outbox directly: quick polls and retries, no city webhook, no voice.
import type { NotifierSettings } from '../../notify/index.ts'

export const FAST_NOTIFIER: NotifierSettings = {
  timeZone: 'Asia/Shanghai',
  pollMs: 50,
  concurrency: 4,
  maxAttempts: 3,
  retryMs: 20,
  retryMaxMs: 50,
  leaseMs: 10_000,
  city: { url: '', secret: '' },
  voiceFromLevel: null,
}
