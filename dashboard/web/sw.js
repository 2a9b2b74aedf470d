// The service worker for Web Push (issue 17): shows a pushed alert as a notification even when no
// page is open, and opens the alert when it is tapped. The payload is what notify/channels/webpush.ts
// sends: { title, body, alertId, url, tag }. Only paths of this site are ever opened.
// A new worker takes over at once, and takes the pages already open, so a tap can bring one to the alert.
self.addEventListener('install', () => self.skipWaiting())
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()))

// The family app's offline shell: its files (/family/…) and the shared modules it loads are kept as
// they are fetched (network first, so a new version shows at once) and served from the cache when
// the network is away. Never the API, the socket or anything of the console. A device that keeps
// this cache has the family app installed, so a tapped notification opens the alert there.
const FAMILY_SHELL = 'tongxing-family-shell'
const fromFamily = (request) => {
  const url = new URL(request.url)
  if (url.origin !== self.location.origin || request.method !== 'GET') return false
  if (url.pathname.startsWith('/api/') || url.pathname === '/ws') return false
  if (url.pathname === '/family' || url.pathname.startsWith('/family/')) return true
  const ref = request.referrer ? new URL(request.referrer) : null
  return ref?.origin === self.location.origin && ref.pathname.startsWith('/family/')
}
self.addEventListener('fetch', (event) => {
  if (!fromFamily(event.request)) return
  event.respondWith(
    (async () => {
      const cache = await caches.open(FAMILY_SHELL)
      try {
        const res = await fetch(event.request)
        if (res.ok) await cache.put(event.request, res.clone())
        return res
      } catch (err) {
        const kept = await cache.match(event.request, { ignoreSearch: event.request.mode === 'navigate' })
        if (kept) return kept
        throw err
      }
    })(),
  )
})

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
  event.waitUntil(
    (async () => {
      // The alert in the family app where it is installed here, else the console; never another origin.
      const path = target.pathname === '/' && (await caches.has(FAMILY_SHELL)) ? '/family/' : target.pathname
      const url = self.location.origin + path + target.search
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
