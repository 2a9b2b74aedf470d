// The found-me page in a real Chromium (issue 19), as a stranger's phone opens it: Chinese first,
// location shared (granted) or not (refused), "the family has been told" after sending; then the
// care worker resolves the alert in the console, saying who found the person.
import type { Browser, BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { BAND, PASSWORD, login, provisionWorld } from './support/fixtures.ts'
import { BROWSER_AVAILABLE, launchBrowser, signIn } from './support/browser.ts'
import { startTestService } from './support/service.ts'

const FINDER = { latitude: 36.8179, longitude: 118.0562, accuracy: 20 }

describe.runIf(BROWSER_AVAILABLE)('the found-me page, in Chromium', () => {
  let service: Service
  let browser: Browser
  let foundUrl: string
  let world: Awaited<ReturnType<typeof provisionWorld>>

  beforeAll(async () => {
    service = await startTestService({ TILE_URL: '' })
    world = await provisionWorld(service.db)
    await insertUser(service.db, { username: 'ops', password: PASSWORD, role: 'admin' })
    const admin = await login(service.httpPort, 'ops')
    const r = await fetch(`http://127.0.0.1:${service.httpPort}/api/bands/${BAND.id}/found-qr?format=link`, {
      headers: { cookie: admin },
    })
    foundUrl = ((await r.json()) as { url: string }).url
    browser = await launchBrowser()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await service?.stop()
  })

  const finderReports = async () =>
    (
      await service.db.query<{ lat: number | null; note: string | null }>(
        "SELECT lat, note FROM found_scans WHERE kind = 'report' ORDER BY id",
      )
    ).rows
  const openAs = async (context: BrowserContext) => {
    const page = await context.newPage()
    await page.goto(foundUrl)
    await page.waitForSelector('body[data-ready=true]')
    return page
  }

  it('when the finder shares their location, then the page says the family has been told and the alert carries where they are', async () => {
    const context = await browser.newContext({
      locale: 'en-US',
      permissions: ['geolocation'],
      geolocation: FINDER,
    })
    const page = await openAs(context)
    // Chinese first, even on an English phone; English a tap away.
    expect(await page.textContent('h1')).toBe('这位老人可能迷路了')
    expect(await page.textContent('[data-testid=call]')).toContain('110')
    await page.click('[data-testid=lang]')
    expect(await page.textContent('h1')).toBe('This person may be lost')
    await page.click('[data-testid=lang]')
    await page.fill('[data-testid=finder-note]', '在人民公园南门')
    await page.click('[data-testid=share]')
    await page.waitForSelector('[data-testid=sent]', { state: 'visible' })
    expect(await page.textContent('[data-testid=sent]')).toContain('已通知家属和照护中心')
    expect(await page.evaluate(() => (window as { __missingText?: string[] }).__missingText ?? [])).toEqual([])
    const alert = await service.db.query<{ evidence: { finder: { position: unknown; note: string } } }>(
      "SELECT evidence FROM alerts WHERE kind = 'found_report' AND resident_id = $1",
      [world.resident],
    )
    expect(alert.rows[0]!.evidence.finder).toMatchObject({
      position: { lat: FINDER.latitude, lon: FINDER.longitude, acc: FINDER.accuracy },
      note: '在人民公园南门',
    })
    await context.close()
  })

  it('when the finder refuses their location, then the report still goes, without a position, and the page asks them to write where they are', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', permissions: [] })
    const page = await openAs(context)
    await page.fill('[data-testid=finder-phone]', '13912345678')
    await page.click('[data-testid=share]')
    await page.waitForSelector('[data-testid=sent]', { state: 'visible' })
    expect(await page.textContent('[data-testid=status]')).toContain('未能获取您的位置')
    const last = (await finderReports()).at(-1)!
    expect(last).toEqual({ lat: null, note: null })
    await context.close()
  })

  it('when the care worker resolves the found report in the console saying a passer-by found him, then the outcome is recorded with its minutes', async () => {
    const page = await signIn(browser, service.httpPort, 'staff-zhangdian')
    const id = (await service.db.query<{ id: number }>("SELECT id FROM alerts WHERE kind = 'found_report'")).rows[0]!.id
    // The console shows where the finder's phone was and what they wrote.
    await page.click(`[data-testid=alert-${id}] [data-testid=alert-open]`)
    await page.waitForSelector('#evidence >> text=finder says: 在人民公园南门')
    expect(await page.textContent('#evidence')).toContain("finder's phone location ±20 m")
    await page.locator(`[data-testid=alert-${id}] [data-testid=resolve]`).click()
    await page.fill('[data-testid=resolve-note]', '路人陪着，已接回')
    await page.selectOption('[data-testid=resolve-found-by]', 'stranger')
    await page.click('[data-testid=resolve-save]')
    await page.waitForSelector(`[data-testid=alert-${id}]`, { state: 'detached' })
    const outcome = await service.db.query<{ found_by: string; minutes: number }>(
      'SELECT found_by, minutes FROM alert_outcomes WHERE alert_id = $1',
      [id],
    )
    expect(outcome.rows).toEqual([{ found_by: 'stranger', minutes: expect.any(Number) }])
    expect(outcome.rows[0]!.minutes).toBeGreaterThanOrEqual(0)
    await page.close()
  })
})
