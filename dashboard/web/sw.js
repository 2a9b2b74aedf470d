// The service worker for Web Push (issue 17): shows a pushed alert as a notification even when no
// page is open, and opens the alert when it is tapped. The payload is what notify/channels/webpush.ts
// sends: { title, body, alertId, url, tag }. Only paths of this site are ever opened.
// A new worker takes over at once, and takes the pages already open, so a tap can bring one to the alert.
self.addEventListener('install', () => self.skipWaiting())
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()))

self.addEventListener('push', (event) => {
  let data = {}
  try {
    data = event.data ? event.data.json() : {}
  } catch {
    data = { body: event.data ? event.data.text() : '' }
  }
  event.waitUntil(
    self.registration.showNotification(data.title || '同行', {
      body: data.body || '',
      tag: data.tag,
      renotify: true,
      requireInteraction: true,
      lang: 'zh-CN',
      data: { url: typeof data.url === 'string' ? data.url : '/' },
    }),
  )
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const target = new URL(event.notification.data?.url || '/', self.location.origin)
  const url = self.location.origin + target.pathname + target.search // never another origin
  event.waitUntil(
    (async () => {
      const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
      for (const w of open) {
        if (new URL(w.url).origin !== self.location.origin) continue
        await w.focus().catch(() => undefined) // only a real tap may take the focus
        if (w.navigate) return w.navigate(url)
      }
      return self.clients.openWindow(url)
    })(),
  )
})
