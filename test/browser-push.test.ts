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
import { pushWorker } from './support/push-worker.ts'
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
    await page.evaluate(async () => {
      await navigator.serviceWorker.register('/sw.js')
    })
    const push = await pushWorker(context, page, origin)

    const params = { name: '王建国', event: '已离开安全区域', detail: '请打开同行查看位置，联系本人或就近寻找。' }
    const payload = {
      title: '王建国：需要关注',
      body: render('alert', 'zh', params),
      alertId: 42,
      url: '/?alert=42',
      tag: 'alert-42',
    }
    await push.deliver(payload)
    expect(await push.shown()).toEqual([
      { title: '王建国：需要关注', body: payload.body, tag: 'alert-42', data: { url: '/?alert=42' } },
    ])

    // Tapping: the worker's notificationclick handler brings the open page of this site to the alert.
    await push.tap()
    await expect.poll(() => page.url(), { timeout: 10_000 }).toBe(`${origin}/?alert=42`)
    await context.close()
  }, 60_000)
})
