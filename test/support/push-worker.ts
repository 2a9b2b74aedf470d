// The service worker (/sw.js) in a real Chromium, reached through the Chrome DevTools Protocol: a
// push delivered as a push service would (ServiceWorker.deliverPushMessage), the notifications it
// shows, and a tap on one (a synthetic NotificationEvent: no protocol taps a notification, and a
// synthetic tap may not open a new window, so the test's page is already open).
import type { BrowserContext, Page } from 'playwright-core'

export interface PushWorker {
  /** Delivers a push to the worker (again and again until it shows, on a loaded machine). */
  deliver(payload: unknown): Promise<void>
  /** The notifications the worker shows now. */
  shown(): Promise<{ title: string; body: string; tag: string; data: unknown }[]>
  /** Taps the first notification shown. */
  tap(): Promise<void>
}

/** Waits for the worker that `page` registered (scope /) to be activated and running. */
export async function pushWorker(context: BrowserContext, page: Page, origin: string): Promise<PushWorker> {
  const cdp = await context.newCDPSession(page)
  const registered = new Promise<string>((resolve) =>
    cdp.on(
      'ServiceWorker.workerRegistrationUpdated',
      (e: { registrations: { registrationId: string; scopeURL: string }[] }) => {
        const r = e.registrations.find((x) => x.scopeURL === `${origin}/`)
        if (r) resolve(r.registrationId)
      },
    ),
  )
  type Version = { registrationId: string; status: string; runningStatus: string }
  let running: (() => void) | undefined
  const versions: Version[] = []
  cdp.on('ServiceWorker.workerVersionUpdated', (e: { versions: Version[] }) => {
    versions.push(...e.versions)
    running?.()
  })
  await cdp.send('ServiceWorker.enable')
  const registrationId = await registered
  // Chromium delivers a push only to a worker that is activated and running.
  await new Promise<void>((resolve) => {
    running = () => {
      if (
        versions.some(
          (v) => v.registrationId === registrationId && v.status === 'activated' && v.runningStatus === 'running',
        )
      )
        resolve()
    }
    running()
  })
  const shown = () =>
    page.evaluate(async () =>
      (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
        title: n.title,
        body: n.body,
        tag: n.tag,
        data: n.data as unknown,
      })),
    )
  return {
    shown,
    async deliver(payload) {
      const send = () =>
        cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: JSON.stringify(payload) })
      await send()
      // On a loaded machine Chromium may stop the idle worker just as the push comes and lose it:
      // deliver it again until it shows (the same tag, so one notification however many arrive).
      const deadline = Date.now() + 20_000
      while ((await shown()).length === 0) {
        if (Date.now() > deadline) throw new Error('the worker showed no notification')
        await new Promise((r) => setTimeout(r, 1000))
        if ((await shown()).length === 0) await send()
      }
    },
    async tap() {
      await context.serviceWorkers()[0]!.evaluate(async () => {
        // The worker's own scope: its registration, and NotificationEvent (what a tap dispatches).
        const sw = self as unknown as {
          registration: ServiceWorkerRegistration
          dispatchEvent(e: Event): boolean
          NotificationEvent: new (type: string, init: { notification: Notification }) => Event
        }
        const [n] = await sw.registration.getNotifications()
        sw.dispatchEvent(new sw.NotificationEvent('notificationclick', { notification: n! }))
      })
    },
  }
}
