// Web Push opt-in: the service worker (/sw.js, scope /) is registered when the app opens (it also
// keeps the app's shell for offline use); the offer to allow notifications shows until this
// device is subscribed, and a tap on it asks the browser, subscribes with the service's VAPID key
// and registers the device with POST /api/me/push-subscriptions.
import { $, api } from '../common.js'
import { t } from '../i18n.js'

/** RFC 8292's public key (base64url) as the bytes pushManager.subscribe wants. */
function keyBytes(base64url) {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4)
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
}

export async function registerWorker() {
  if (!('serviceWorker' in navigator)) return null
  return navigator.serviceWorker.register('/sw.js').catch(() => null)
}

function show(textKey, offerButton) {
  $('push-offer').hidden = false
  $('push-text').textContent = t(textKey)
  $('push-allow').hidden = !offerButton
}

async function subscribe(publicKey) {
  const reg = await navigator.serviceWorker.ready
  const sub =
    (await reg.pushManager.getSubscription()) ??
    (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }))
  const { endpoint, keys } = sub.toJSON()
  await api('/api/me/push-subscriptions', { method: 'POST', body: JSON.stringify({ endpoint, keys }) })
}

/** Shows the offer (or why there is none), and subscribes when it is taken. */
export async function setUpPush() {
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window
  const { publicKey } = await api('/api/push/key')
  if (!publicKey) return // Web Push is off in this deployment: SMS and calls still reach the family
  if (!supported) return show('pushUnavailable', false)
  if (Notification.permission === 'denied') return show('pushDenied', false)
  const reg = await navigator.serviceWorker.ready
  if (Notification.permission === 'granted' && (await reg.pushManager.getSubscription())) {
    // Registered again on each start: the server may have dropped it (404/410 from the push service).
    await subscribe(publicKey).catch(() => undefined)
    $('push-offer').hidden = true
    return
  }
  show('pushWhy', true)
  $('push-allow').onclick = async () => {
    const answer = await Notification.requestPermission()
    if (answer !== 'granted') return show('pushDenied', false)
    try {
      await subscribe(publicKey)
      show('pushOn', false)
    } catch {
      show('pushUnavailable', false)
    }
  }
}
