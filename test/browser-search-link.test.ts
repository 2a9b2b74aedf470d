// The search link's page and the responder's page in Chromium (issue 19): a helper without an
// account opens the link and sees the person's position and photo; when the alert is resolved the
// page says "链接已失效" and shows nothing more. A responder on a phone sees a task offered while the
// page is open, accepts it and follows it, and the family's console says a community worker is on the way.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { saveResponderProfile } from '../finding/index.ts'
import { BROWSER_AVAILABLE, launchBrowser, signIn } from './support/browser.ts'
import { HOME, PASSWORD, login } from './support/fixtures.ts'
import { JPEG_BYTES, api, bandReports, openAlert } from './support/finding.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

const PHONE = { viewport: { width: 390, height: 780 }, locale: 'zh-CN', isMobile: true }

describe.runIf(BROWSER_AVAILABLE)('the helper pages in Chromium', () => {
  let service: Service
  let world: World
  let browser: Browser
  useServiceWithWorld(
    (s, w) => {
      service = s
      world = w
    },
    { TILE_URL: '' },
  )
  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(() => browser?.close())
  const call = (...a: Parameters<ReturnType<typeof api>>) => api(service)(...a)

  /** A new phone-sized page that records script errors and refused resources (CSP); the API's 4xx answers are expected. */
  const phonePage = async (): Promise<{ page: Page; errors: string[] }> => {
    const page = await browser.newPage(PHONE)
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(String(e)))
    page.on('console', (m) => {
      if (
        m.type() === 'error' &&
        !/^Failed to load resource: the server responded with a status of (401|404|410)/.test(m.text())
      )
        errors.push(m.text())
    })
    return { page, errors }
  }

  it('when a helper opens the search link, then they see the position and photo; once the alert is resolved the page says the link no longer works', async () => {
    const alertId = await openAlert(service, world)
    await bandReports(service, 1, 500, Date.now())
    const staff = await login(service.httpPort, 'staff-zhangdian')
    await call(`/api/residents/${world.resident}/photo`, staff, {
      method: 'PUT',
      headers: { 'content-type': 'image/jpeg' },
      body: new Uint8Array(JPEG_BYTES),
    })
    // Care staff make the link in the console, from the alert's details.
    const console_ = await signIn(browser, service.httpPort, 'staff-zhangdian')
    await console_.click(`[data-testid=alert-${alertId}] [data-testid=alert-open]`)
    await console_.click('[data-testid=search-link-make]')
    const url = await console_.inputValue('[data-testid=search-link-url]')
    expect(url).toMatch(/\/search\/#[A-Za-z0-9_-]{43}$/)
    const path = new URL(url).pathname + new URL(url).hash
    const { page, errors } = await phonePage()
    await page.goto(`http://127.0.0.1:${service.httpPort}${path}`)
    await page.waitForSelector('[data-testid=search-live]:not([hidden])')
    await expect
      .poll(() => page.getAttribute('[data-testid=search-updated]', 'data-lat'))
      .toBe((HOME.lat + 500 / 111_195).toFixed(5))
    expect(await page.textContent('body')).toContain('请帮忙寻找')
    expect(await page.isVisible('[data-testid=search-photo]')).toBe(true)
    expect(await page.locator('.helper-marker').count()).toBe(1)
    expect(await page.textContent('body')).not.toContain('Wang Jianguo')

    expect(
      (
        await call(`/api/alerts/${alertId}/resolve`, staff, {
          method: 'POST',
          body: JSON.stringify({ note: '已找到' }),
        })
      ).status,
    ).toBe(200)
    await page.waitForSelector('[data-testid=search-gone]:not([hidden])', { timeout: 10_000 })
    expect(await page.textContent('[data-testid=search-gone] h1')).toBe('链接已失效')
    expect(await page.locator('[data-testid=search-live]').count()).toBe(0)
    expect(await page.locator('.helper-marker').count()).toBe(0)
    expect(errors).toEqual([])
    await page.close()
    // Every word the console drew for the link (and the timeline's new events) is in its dictionary.
    expect(await console_.evaluate(() => (window as { __missingText?: string[] }).__missingText ?? [])).toEqual([])
    await console_.close()
  })

  it('when a task is offered while a responder has the page open, then it appears; accepted, they see the person on the map until the alert closes', async () => {
    const id = await insertUser(service.db, { username: 'grid-li', password: PASSWORD, role: 'responder' })
    await saveResponderProfile(service.db, Number(id), {
      area: { type: 'circle', center: [HOME.lon, HOME.lat], radiusM: 2000 },
      schedules: [],
      phone: null,
    })
    const familyPage = await signIn(browser, service.httpPort, 'family-wang')
    const { page, errors } = await phonePage()
    await page.goto(`http://127.0.0.1:${service.httpPort}/responder/`)
    await page.fill('[data-testid=responder-login] input[name=username]', 'grid-li')
    await page.fill('[data-testid=responder-login] input[name=password]', PASSWORD)
    await page.click('[data-testid=responder-login] button[type=submit]')
    await page.waitForSelector('#no-tasks:not([hidden])')
    // The resident wanders off while the page is open. The alert is written here, not by the service,
    // so its notifier offers it within NOTIFY_POLL_MS (as for a change another process made); the
    // open page shows the task without being reloaded.
    const alertId = await openAlert(service, world)
    await bandReports(service, 2, 600, Date.now())
    const accept = page.locator('[data-testid=responder-tasks] button')
    await accept.first().waitFor({ timeout: 15_000 })
    expect(await accept.first().textContent()).toBe('接受任务')
    await accept.first().click()
    await page.waitForSelector('.helper-marker')
    // The family's console hears that someone is on the way.
    await familyPage.waitForSelector('[data-testid=banner]:not([hidden])')
    expect(await familyPage.textContent('[data-testid=banner]')).toBe('A community worker is on the way')
    await familyPage.close()
    const staff = await login(service.httpPort, 'staff-zhangdian')
    await call(`/api/alerts/${alertId}/resolve`, staff, { method: 'POST', body: JSON.stringify({ note: '已找到' }) })
    await page.waitForSelector('[data-testid=responder-task-gone]:not([hidden])', { timeout: 10_000 })
    expect(await page.locator('.helper-marker').count()).toBe(0)
    expect(errors).toEqual([])
    await page.close()
  })
})
