// The family app (/family/) as a relative uses it: a phone-sized Chromium in Chinese, signed in as
// the family member, a real band over MQTT, the real geofence and socket. Each status in plain
// words, the last fix in words, locate now reaching the band, the care centre's handler by name, the
// "back home" card closing the alert; then allowing notifications and tapping one to open the alert.
import type { MqttClient } from 'mqtt'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import webPush from 'web-push'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { BROWSER_AVAILABLE, MIDDAY_TZ, launchBrowser } from './support/browser.ts'
import { BAND, PASSWORD, connectBand, fixNorth, login, provisionWorld } from './support/fixtures.ts'
import { pushWorker } from './support/push-worker.ts'
import { eventually, startTestService } from './support/service.ts'

const VAPID = webPush.generateVAPIDKeys()
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' }

describe.runIf(BROWSER_AVAILABLE)('the family app on a phone', () => {
  let service: Service
  let browser: Browser
  let world: Awaited<ReturnType<typeof provisionWorld>>
  let band: MqttClient
  let staff: string
  const origin = () => `http://127.0.0.1:${service.httpPort}`
  const call = (method: string, path: string, cookie: string, body?: unknown) =>
    fetch(`${origin()}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  const publish = (fix: object) => band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fix), { qos: 1 })
  const openAlert = async () =>
    eventually(async () => {
      const r = await service.db.query<{ id: string }>(
        `SELECT id FROM alerts WHERE kind = 'left_safe_zone' AND status <> 'resolved' ORDER BY id DESC LIMIT 1`,
      )
      return r.rows[0] ? Number(r.rows[0].id) : undefined
    })

  async function signedInPhone(context: BrowserContext): Promise<Page> {
    const page = await context.newPage()
    await page.goto(`${origin()}/family/`)
    await page.fill('input[name=username]', 'family-wang')
    await page.fill('input[name=password]', PASSWORD)
    await page.click('[data-testid=login-form] button[type=submit]')
    await page.waitForSelector('[data-testid=connection].on')
    return page
  }

  beforeAll(async () => {
    service = await startTestService({
      TILE_URL: '',
      WEBPUSH_PUBLIC_KEY: VAPID.publicKey,
      WEBPUSH_PRIVATE_KEY: VAPID.privateKey,
    })
    world = await provisionWorld(service.db)
    staff = await login(service.httpPort, 'staff-zhangdian')
    const family = await login(service.httpPort, 'family-wang')
    const me = (await (await call('GET', '/api/me', family)).json()) as { user: { id: number } }
    expect(
      (await call('PUT', `/api/centres/${world.centre}/duty-phone`, staff, { phone: '0533-2345678' })).status,
    ).toBe(204)
    const contacts = [
      { name: '王丽', relation: '女儿', phone: '13800000001', userId: me.user.id, channels: ['sms'] },
      { name: '王强', relation: '儿子', phone: '13800000002', userId: null, channels: ['sms'] },
    ]
    expect((await call('PUT', `/api/residents/${world.resident}/contacts`, family, { contacts })).status).toBe(200)
    band = await connectBand(service.mqttPort!, BAND)
    await band.subscribeAsync(`bands/${BAND.id}/cmd`, { qos: 1 })
    browser = await launchBrowser()
  }, 60_000)
  afterAll(async () => {
    await band?.endAsync()
    await browser?.close()
    await service?.stop()
  })

  it('when the relative is home, out, outside and back, then the card says so in plain Chinese and the alert closes with "back home"', async () => {
    const context = await browser.newContext({ ...PHONE, timezoneId: MIDDAY_TZ })
    const page = await signedInPhone(context)
    const card = page.locator(`[data-testid=card-${world.resident}]`)
    const status = card.locator('[data-testid=status]')
    // Nothing heard from the band yet.
    await expect.poll(() => status.textContent()).toBe('手环未连接或长时间没有消息')
    await expect.poll(() => card.locator('[data-testid=call-centre]').getAttribute('href')).toBe('tel:05332345678')
    // Other contacts to call, but not the signed-in daughter herself.
    expect(await card.locator('[data-testid^=call-contact]').allTextContents()).toEqual(['打给儿子王强'])
    expect(await card.locator('[data-testid=call-contact-0]').getAttribute('href')).toBe('tel:13800000002')

    const t0 = Date.now()
    await publish(fixNorth(1, 0, t0 - 150_000))
    await expect.poll(() => status.textContent()).toBe('在家，安全')
    expect(await card.locator('[data-testid=fix]').textContent()).toMatch(/^\d+ 分钟前，在家附近，GPS ±10 米$/)
    expect(await card.locator('.battery').textContent()).toBe('手环电量 80%')

    // One fix 300 m north: out, but the engine has not confirmed an exit.
    await publish(fixNorth(2, 300, t0 - 70_000))
    await expect.poll(() => status.textContent()).toBe('外出（在安全区域内）')
    expect(await card.locator('[data-testid=fix]').textContent()).toMatch(
      /^\d+ (秒|分钟)前，家北方约 300 米，GPS ±10 米$/,
    )
    // Navigation at the fix in AMap's own datum (GCJ-02 is about 500 m off WGS-84 here, not the raw fix).
    const amap = new URL((await card.locator('[data-testid=nav-amap]').getAttribute('href'))!)
    const [lon, lat] = amap.searchParams.get('position')!.split(',').map(Number)
    const offM = Math.hypot((lat! - fixNorth(0, 300, 0).lat) * 111_195, (lon! - fixNorth(0, 300, 0).lon) * 89_000)
    expect(offM).toBeGreaterThan(100)
    expect(offM).toBeLessThan(800)

    // A second fix outside, a minute later: the engine raises the exit.
    await publish(fixNorth(3, 320, t0))
    const alertId = await openAlert()
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('已离开安全区域')
    const alertCard = page.locator(`[data-testid=alert-${alertId}]`)
    expect(await alertCard.locator('h2').textContent()).toBe('Wang Jianguo 已离开安全区域')
    expect(await alertCard.locator('.advice').textContent()).toBe('请打开同行查看位置，联系本人或就近寻找。')
    expect(await alertCard.locator('[data-testid=who]').textContent()).toBe('照护中心已收到提醒，尚无人接手。')
    expect(await page.locator('main').textContent()).not.toMatch(/升级|escalat/i)

    // Locate now: the band is asked over MQTT.
    const asked = new Promise<string>((resolve) => band.once('message', (_t, p) => resolve(String(p))))
    await card.locator('[data-testid=locate]').tap()
    expect(JSON.parse(await asked)).toMatchObject({ cmd: 'locate' })
    await expect.poll(() => card.locator('[data-testid=note]').textContent()).toBe('已请求定位，手环上报后这里会更新。')

    // The care centre takes it: the family sees who.
    expect((await call('POST', `/api/alerts/${alertId}/acknowledge`, staff)).status).toBeLessThan(300)
    await expect
      .poll(() => alertCard.locator('[data-testid=who]').textContent())
      .toBe('staff-zhangdian（照护人员）正在处理，请保持电话畅通。')

    // Back home: the engine closes the alert, and a visible card says so until dismissed.
    await publish(fixNorth(4, 0, Date.now()))
    await publish(fixNorth(5, 0, Date.now() + 1000))
    const back = page.locator(`[data-testid=back-home-${alertId}]`)
    await back.waitFor({ timeout: 15_000 })
    expect(await back.textContent()).toContain('已回家')
    expect(await back.textContent()).toContain('Wang Jianguo 已回到安全区域，警报解除。')
    await expect.poll(() => status.textContent()).toBe('在家，安全')
    expect(await alertCard.count()).toBe(0)
    await page.screenshot({ path: 'test-artifacts/family-back-home.png', fullPage: true })
    await back.locator('[data-testid=dismiss]').tap()
    expect(await back.count()).toBe(0)

    // The band goes off (its last will): not heard from.
    await band.publishAsync(`bands/${BAND.id}/status`, 'offline', { qos: 1, retain: true })
    await expect.poll(() => status.textContent()).toBe('手环未连接或长时间没有消息')

    // English is there too, and nothing is left untranslated.
    await page.locator('[data-testid=lang]').tap()
    await expect.poll(() => status.textContent()).toBe('Band not connected or not heard from for a while')
    expect(await page.evaluate(() => (window as { __missingText?: string[] }).__missingText ?? [])).toEqual([])
    await page.locator('[data-testid=lang]').tap()
    await band.publishAsync(`bands/${BAND.id}/status`, 'online', { qos: 1, retain: true })
    await context.close()
  }, 90_000)

  it('when the family allows notifications, then the device is registered with the VAPID key, and tapping a push opens the alert in the app', async () => {
    const context = await browser.newContext({ ...PHONE, timezoneId: MIDDAY_TZ })
    await context.grantPermissions(['notifications'], { origin: origin() })
    // Chromium here cannot reach a real push service (Google's), so subscribe() is the one stand-in: it
    // records the key it is given and answers with fresh P-256 keys, as a browser would.
    await context.addInitScript(() => {
      const w = window as unknown as { __subscribedWith?: string }
      let sub: unknown = null
      PushManager.prototype.getSubscription = async () => sub as PushSubscription | null
      PushManager.prototype.subscribe = async (options?: PushSubscriptionOptionsInit) => {
        const key = new Uint8Array(options!.applicationServerKey as ArrayBuffer)
        w.__subscribedWith = btoa(String.fromCharCode(...key))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, '')
        const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])
        const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
        const b64 = (b: Uint8Array) =>
          btoa(String.fromCharCode(...b))
            .replace(/\+/g, '-')
            .replace(/\//g, '_')
            .replace(/=+$/, '')
        const keys = { p256dh: b64(raw), auth: b64(crypto.getRandomValues(new Uint8Array(16))) }
        const endpoint = 'https://push.example.cn/send/family-phone'
        sub = { endpoint, toJSON: () => ({ endpoint, keys }) }
        return sub as PushSubscription
      }
    })
    const page = await signedInPhone(context)
    await page.locator('[data-testid=push-allow]').tap()
    await expect.poll(() => page.locator('#push-text').textContent()).toBe('通知已开启。')
    expect(await page.evaluate(() => (window as unknown as { __subscribedWith?: string }).__subscribedWith)).toBe(
      VAPID.publicKey,
    )
    const rows = await service.db.query<{ username: string; p256dh: string }>(
      `SELECT u.username, s.p256dh FROM push_subscriptions s JOIN users u ON u.id = s.user_id
       WHERE s.endpoint = 'https://push.example.cn/send/family-phone'`,
    )
    expect(rows.rows).toMatchObject([{ username: 'family-wang' }])
    expect(rows.rows[0]!.p256dh).toMatch(/^[A-Za-z0-9_-]{87}$/)

    // An exit alert, and its push as notify/channels/webpush.ts sends it; the tap opens it in the app.
    // (After the first test's last fix: a fix older than it would not move the engine.)
    const t0 = Date.now() + 5000
    await publish(fixNorth(10, 300, t0))
    await publish(fixNorth(11, 320, t0 + 61_000))
    const alertId = await openAlert()
    const push = await pushWorker(context, page, origin())
    await page.goto(`${origin()}/family/`) // the shell is kept by the worker now
    await page.waitForSelector('[data-testid=connection].on')
    await push.deliver({
      title: 'Wang Jianguo：需要关注',
      body: '…',
      alertId,
      url: `/?alert=${alertId}`,
      tag: `alert-${alertId}`,
    })
    await push.tap()
    await expect.poll(() => page.url(), { timeout: 10_000 }).toBe(`${origin()}/family/?alert=${alertId}`)
    await page.waitForSelector('[data-testid=connection].on')
    await expect.poll(() => page.locator(`[data-testid=alert-${alertId}]`).getAttribute('class')).toContain('focused')
    await page.screenshot({ path: 'test-artifacts/family-alert.png', fullPage: true })
    await context.close()
  }, 90_000)
})
