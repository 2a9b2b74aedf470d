// Web Push (RFC 8030, payload encrypted per RFC 8291, VAPID per RFC 8292) through the `web-push` library,
// to each device a user allowed. The service worker shows it and opens the alert when tapped.
import type { Agent } from 'node:https'
import webPush from 'web-push'
import { networkFailure, type ChannelSender, type SendResult } from './channel.ts'

export interface VapidSettings {
  subject: string
  publicKey: string
  privateKey: string
  timeoutMs: number
  /** An HTTPS agent (a test's push service with its own certificate authority). */
  agent?: Agent
}

export function webPushSender(v: VapidSettings): ChannelSender {
  return {
    async send(m): Promise<SendResult> {
      if (m.target.type !== 'push') return { ok: false, retry: false, detail: 'webpush: no subscription' }
      const payload = JSON.stringify({
        title: m.title,
        body: m.text,
        alertId: m.alertId,
        url: `/?alert=${m.alertId}`,
        tag: `alert-${m.alertId}`,
      })
      try {
        const r = await webPush.sendNotification(
          { endpoint: m.target.endpoint, keys: { p256dh: m.target.p256dh, auth: m.target.auth } },
          payload,
          {
            vapidDetails: { subject: v.subject, publicKey: v.publicKey, privateKey: v.privateKey },
            TTL: 3600,
            urgency: 'high',
            timeout: v.timeoutMs,
            topic: `alert${m.alertId}`,
            ...(v.agent ? { agent: v.agent } : {}),
          },
        )
        return { ok: true, ref: r.headers.location ?? `push ${r.statusCode}` }
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode
        // 404/410: the browser dropped the subscription; it is removed and never tried again.
        if (status === 404 || status === 410)
          return { ok: false, retry: false, gone: true, detail: `webpush: subscription gone (${status})` }
        if (status !== undefined)
          return { ok: false, retry: status === 429 || status >= 500, detail: `webpush: HTTP ${status}` }
        return networkFailure(err, 'webpush')
      }
    },
  }
}
