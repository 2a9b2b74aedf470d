// The page follows what the server says about access, in a real Chromium: a resident erased
// leaves every open dashboard at once; a page whose account is deleted goes back to the sign-in
// form; a family member unlinked from their relative no longer sees them, without reloading by hand.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { BAND, PASSWORD, connectBand, fixNorth, login, provisionWorld } from './support/fixtures.ts'
import { BROWSER_AVAILABLE, launchBrowser, signIn as signInAs } from './support/browser.ts'
import { eventually, startTestService } from './support/service.ts'

describe.runIf(BROWSER_AVAILABLE)('the page and changes of access, in Chromium', () => {
  let service: Service
  let browser: Browser
  let world: Awaited<ReturnType<typeof provisionWorld>>
  let admin: string

  beforeAll(async () => {
    service = await startTestService({ TILE_URL: '' })
    world = await provisionWorld(service.db)
    await insertUser(service.db, { username: 'ops', password: PASSWORD, role: 'admin' })
    admin = await login(service.httpPort, 'ops')
    const band = await connectBand(service.mqttPort!, BAND)
    const fix = fixNorth(1, 0, Date.now() - 60_000)
    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fix), { qos: 1 })
    await band.endAsync()
    // band_status is written once a second: wait till it holds the position.
    await eventually(
      async () => (await service.db.query('SELECT 1 FROM band_status WHERE lat IS NOT NULL')).rowCount === 1,
    )
    browser = await launchBrowser()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await service?.stop()
  })

  const api = (method: string, path: string) =>
    fetch(`http://127.0.0.1:${service.httpPort}${path}`, { method, headers: { cookie: admin } })
  const signIn = async (username: string): Promise<Page> => {
    const page = await signInAs(browser, service.httpPort, username)
    await page.waitForSelector(`[data-testid=resident-${BAND.id}]`)
    return page
  }
  const family = async (username: string) =>
    Number(
      await insertUser(service.db, {
        username,
        password: PASSWORD,
        role: 'family',
        residentIds: [world.resident],
      }),
    )

  it('when a family member is unlinked from their relative, then the page stops showing them by itself', async () => {
    const userId = await family('family-unlinked')
    const page = await signIn('family-unlinked')
    expect((await api('DELETE', `/api/admin/users/${userId}/residents/${world.resident}`)).status).toBe(204)
    await page.waitForSelector(`[data-testid=resident-${BAND.id}]`, { state: 'detached', timeout: 5000 })
    expect(await page.locator(`[data-testid=marker-${BAND.id}]`).count()).toBe(0)
    await page.close()
  })

  it('when the account behind a page is deleted, then the page goes back to the sign-in form', async () => {
    const userId = await family('family-deleted')
    const page = await signIn('family-deleted')
    expect((await api('DELETE', `/api/admin/users/${userId}`)).status).toBe(204)
    await page.waitForSelector('[data-testid=login-form]', { state: 'visible', timeout: 5000 })
    expect(await page.locator(`[data-testid=resident-${BAND.id}]`).count()).toBe(0)
    await page.close()
  })

  it('when an admin erases a resident, then an open dashboard drops them at once: list, marker, alerts', async () => {
    const page = await signIn('staff-zhangdian')
    await page.locator(`[data-testid=marker-${BAND.id}]`).waitFor()
    const band = await connectBand(service.mqttPort!, BAND)
    const sos = fixNorth(2, 0, Date.now(), { evt: ['sos'] })
    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(sos), { qos: 1 })
    await band.endAsync()
    await page.locator('li[data-testid^=alert-]').waitFor()
    await page.evaluate(() => {
      ;(window as unknown as { sameLoad: boolean }).sameLoad = true
    })
    expect((await api('DELETE', `/api/admin/residents/${world.resident}`)).status).toBe(200)
    await page.waitForSelector(`[data-testid=resident-${BAND.id}]`, { state: 'detached', timeout: 5000 })
    expect(await page.locator(`[data-testid=marker-${BAND.id}]`).count()).toBe(0)
    expect(await page.locator('li[data-testid^=alert-]').count()).toBe(0)
    // Told, not reloaded.
    expect(await page.evaluate(() => (window as unknown as { sameLoad?: boolean }).sameLoad)).toBe(true)
    await page.close()
  })
})
