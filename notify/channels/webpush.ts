// Web Push (RFC 8030, payload encrypted per RFC 8291, VAPID per RFC 8292) to each device a user
// allowed. The service worker shows it and opens the alert when tapped. The `web-push` library
// encrypts and signs the request; it is sent here, with one deadline over the whole exchange: the
// library's own time-out is a socket's idle time, so a push service that answers its status and
// then trickles the body (or never ends it) held the send, and a notifier slot, for ever. Endpoints
// come from family members' browsers: a push goes only to the public internet (public-address.ts).
import https, { type Agent } from 'node:https'
import webPush from 'web-push'
import { networkFailure, type ChannelSender, type SendResult } from './channel.ts'
import { NotPublic, assertPublicHost, publicLookup } from './public-address.ts'

export interface VapidSettings {
  subject: string
  publicKey: string
  privateKey: string
  timeoutMs: number
  /** An HTTPS agent (a test's push service with its own certificate authority). */
  agent?: Agent
  /** Lets a push go to this host or a private network: a test's push service. */
  privateAddresses?: boolean
}

/**
 * Sends the request and resolves with the push service's status line (RFC 8030 §5: 201 means
 * accepted; the body says nothing more and is not waited for). Aborted when `timeoutMs` runs out.
 */
function post(
  d: ReturnType<typeof webPush.generateRequestDetails>,
  v: VapidSettings,
): Promise<{ status: number; location: string | undefined }> {
  if (!v.privateAddresses) assertPublicHost(new URL(d.endpoint))
  return new Promise((resolve, reject) => {
    const req = https.request(
      d.endpoint,
      {
        method: d.method,
        headers: d.headers,
        agent: v.agent,
        signal: AbortSignal.timeout(v.timeoutMs),
        ...(v.privateAddresses ? {} : { lookup: publicLookup }),
      },
      (res) => {
        resolve({ status: res.statusCode ?? 0, location: res.headers.location })
        res.on('error', () => undefined) // cut mid-body, or aborted: the status has been answered
        res.resume()
      },
    )
    req.on('error', reject)
    req.end(d.body)
  })
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
      let answer: { status: number; location: string | undefined }
      try {
        const request = webPush.generateRequestDetails(
          { endpoint: m.target.endpoint, keys: { p256dh: m.target.p256dh, auth: m.target.auth } },
          payload,
          {
            vapidDetails: { subject: v.subject, publicKey: v.publicKey, privateKey: v.privateKey },
            TTL: 3600,
            urgency: 'high',
            topic: `alert${m.alertId}`,
          },
        )
        answer = await post(request, v)
      } catch (err) {
        // Not a push service anyone's browser would use: the subscription is dropped, as a gone one is.
        if (err instanceof NotPublic || (err as { cause?: unknown }).cause instanceof NotPublic)
          return { ok: false, retry: false, gone: true, detail: 'webpush: endpoint not on the public internet' }
        return networkFailure(err, 'webpush')
      }
      const { status } = answer
      if (status >= 200 && status < 300) return { ok: true, ref: answer.location ?? `push ${status}` }
      // 404/410: the browser dropped the subscription; it is removed and never tried again.
      if (status === 404 || status === 410)
        return { ok: false, retry: false, gone: true, detail: `webpush: subscription gone (${status})` }
      return { ok: false, retry: status === 429 || status >= 500, detail: `webpush: HTTP ${status}` }
    },
  }
}
