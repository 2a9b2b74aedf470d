// Web Push as a phone's browser sees it: the service worker the service serves (dashboard/web/sw.js),
// installed in a real Chromium, gets a push (Chrome DevTools Protocol ServiceWorker.deliverPushMessage,
// the payload notify/channels/webpush.ts sends) and shows the alert as a notification with no page
// of ours in front; tapping it brings our page to the alert (a synthetic tap: no protocol taps a
// notification, and a synthetic one may not open a new window, so the test's page is already open).
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { render } from '../notify/index.ts'
import { BROWSER_AVAILABLE, launchBrowser } from './support/browser.ts'
import { startTestService } from './support/service.ts'

describe.runIf(BROWSER_AVAILABLE)('the push service worker in Chromium', () => {
  let service: Service
  let browser: Browser
  beforeAll(async () => {
    service = await startTestService({ TILE_URL: '' })
    browser = await launchBrowser()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await service?.stop()
  })

  it('when a push arrives, then the worker shows the alert in plain words, and tapping it opens that alert', async () => {
    const origin = `http://127.0.0.1:${service.httpPort}`
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } })
    await context.grantPermissions(['notifications'], { origin })
    const page = await context.newPage()
    await page.goto(`${origin}/`)
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
    await page.evaluate(async () => {
      await navigator.serviceWorker.register('/sw.js')
    })
    await expect
      .poll(() => page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state), { timeout: 10_000 })
      .toBe('activated')
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

    const params = { name: '王建国', event: '已离开安全区域', detail: '请打开同行查看位置，联系本人或就近寻找。' }
    const payload = {
      title: '王建国：需要关注',
      body: render('alert', 'zh', params),
      alertId: 42,
      url: '/?alert=42',
      tag: 'alert-42',
    }
    const deliver = () =>
      cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: JSON.stringify(payload) })
    await deliver()
    const shown = async () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
          data: n.data as unknown,
        })),
      )
    // On a loaded machine Chromium may stop the idle worker just as the push comes and lose it: deliver it
    // again until it shows (the same tag, so one notification however many arrive).
    const shownOrRedeliver = async () => {
      const n = await shown()
      if (n.length === 0) await deliver()
      return n
    }
    await expect
      .poll(shownOrRedeliver, { timeout: 20_000, interval: 1000 })
      .toEqual([{ title: '王建国：需要关注', body: payload.body, tag: 'alert-42', data: { url: '/?alert=42' } }])

    // Tapping: the worker's notificationclick handler brings the open page of this site to the alert.
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
    await expect.poll(() => page.url(), { timeout: 10_000 }).toBe(`${origin}/?alert=42`)
    await context.close()
  }, 60_000)
})
