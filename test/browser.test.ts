// The page in a real Chromium (Debian's package, driven by playwright-core): care staff sign in,
// see their resident's marker move, get an alert live and acknowledge it; a family member sees
// only their relative. Each view is kept as a screenshot in test-artifacts/.
import { existsSync, mkdirSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { BAND, OTHER_BAND, PASSWORD, connectBand, fixNorth, provisionWorld } from './support/fixtures.ts'
import { eventually, startTestService } from './support/service.ts'
import { raiseAlert } from '../geofence/index.ts'

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))
// A developer's machine may lack Chromium; CI installs it, and there the test must run.
const available = CHROMIUM !== undefined || process.env.CI === 'true'
if (!available) console.warn('browser tests skipped: apt-get install chromium to run them')
const ARTIFACTS = new URL('../test-artifacts/', import.meta.url)

describe.runIf(available)('the page in Chromium', () => {
  let service: Service
  let browser: Browser
  const t0 = Date.now() - 300_000

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    // No tiles in tests: the page must work without a base map.
    service = await startTestService({ TILE_URL: '' })
    await provisionWorld(service.db)
    const band = await connectBand(service.mqttPort!, BAND)
    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(1, 0, t0)), { qos: 1 })
    await band.endAsync()
    const other = await connectBand(service.mqttPort!, OTHER_BAND)
    await other.publishAsync(
      `bands/${OTHER_BAND.id}/telemetry`,
      JSON.stringify({ ...fixNorth(1, 0, t0), lat: 36.49, lon: 117.87 }),
      { qos: 1 },
    )
    await other.endAsync()
    // band_status is written once a second: wait till it holds both positions.
    await eventually(
      async () => (await service.db.query('SELECT 1 FROM band_status WHERE lat IS NOT NULL')).rowCount === 2,
    )
    browser = await chromium.launch({ executablePath: CHROMIUM ?? 'chromium', args: ['--no-sandbox'] })
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await service?.stop()
  })

  const signIn = async (username: string): Promise<Page> => {
    const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1200, height: 800 } })
    await page.goto(`http://127.0.0.1:${service.httpPort}/`)
    await page.fill('input[name=username]', username)
    await page.fill('input[name=password]', PASSWORD)
    await page.click('[data-testid=login-form] button[type=submit]')
    await page.waitForSelector('[data-testid=connection].on')
    return page
  }

  it('when care staff sign in, then they see their resident, the marker moves with new fixes, and an alert arrives live and can be acknowledged', async () => {
    const page = await signIn('staff-zhangdian')
    await page.waitForSelector(`[data-testid=resident-${BAND.id}]`)
    expect(await page.locator('[data-testid^=resident-]').count()).toBe(1)
    expect(await page.textContent(`[data-testid=resident-${BAND.id}]`)).toContain('Wang Jianguo')
    const marker = page.locator(`[data-testid=marker-${BAND.id}]`)
    await marker.waitFor()
    const before = await marker.boundingBox()

    const band = await connectBand(service.mqttPort!, BAND)
    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(2, 300, t0 + 60_000)), { qos: 1 })
    await page.waitForFunction(([sel, y]) => (document.querySelector(sel)?.getBoundingClientRect().y ?? y) < y - 5, [
      `[data-testid=marker-${BAND.id}]`,
      before!.y,
    ] as const)
    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(3, 320, t0 + 120_000)), { qos: 1 })
    await band.endAsync()

    const alert = page.locator('#alerts > li').first()
    await alert.waitFor()
    expect(await alert.textContent()).toContain('Left the safe zone')
    expect(await page.textContent('[data-testid=alert-count]')).toBe('1')
    await page.screenshot({ path: new URL('staff-alert.png', ARTIFACTS).pathname })
    await alert.locator('[data-testid=acknowledge]').click()
    await page.waitForSelector('#alerts > li[data-status=acknowledged]')
    const stored = await service.db.query<{ status: string; acknowledged_by: number | null }>(
      "SELECT status, acknowledged_by FROM alerts WHERE kind = 'left_safe_zone'",
    )
    expect(stored.rows).toEqual([{ status: 'acknowledged', acknowledged_by: expect.anything() }])

    await alert.locator('[data-testid=resolve]').click()
    await page.fill('[data-testid=resolve-note]', 'found at the market, safe')
    await page.click('[data-testid=resolve-save]')
    await page.waitForFunction(() => document.querySelector('[data-testid=alert-count]')?.textContent === '0')
    await page.close()
  }, 60_000)

  it('when care staff edit a zone on the map, then the change is saved: a wider home circle, and a new polygon drawn by clicking', async () => {
    const page = await signIn('staff-zhangdian')
    await page.click(`[data-testid=resident-${BAND.id}]`)
    const zoneId = (
      await service.db.query<{ id: number }>(
        "SELECT id FROM zones WHERE name = 'home' AND resident_id IS NOT NULL ORDER BY id LIMIT 1",
      )
    ).rows[0]!.id
    await page.click(`[data-testid=zone-edit-${zoneId}]`)
    await page.fill('[data-testid=zone-radius]', '250')
    await page.click('[data-testid=zone-save]')
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=zone-form]') as HTMLElement | null)?.hidden === true,
    )
    const home = await service.db.query<{ shape: { radiusM: number } }>('SELECT shape FROM zones WHERE id = $1', [
      zoneId,
    ])
    expect(home.rows[0]!.shape.radiusM).toBe(250)

    await page.click('[data-testid=zone-new-polygon]')
    await page.fill('#zone-form input[name=name]', 'garden')
    const map = (await page.locator('#map').boundingBox())!
    for (const [dx, dy] of [
      [0.4, 0.4],
      [0.6, 0.4],
      [0.5, 0.6],
    ] as const)
      await page.mouse.click(map.x + map.width * dx, map.y + map.height * dy)
    await page.screenshot({ path: new URL('zone-editor.png', ARTIFACTS).pathname })
    await page.click('[data-testid=zone-save]')
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=zone-form]') as HTMLElement | null)?.hidden === true,
    )
    const garden = await service.db.query<{ shape: { type: string; coordinates: number[][][] } }>(
      "SELECT shape FROM zones WHERE name = 'garden'",
    )
    expect(garden.rows[0]!.shape.type).toBe('Polygon')
    expect(garden.rows[0]!.shape.coordinates[0]).toHaveLength(4)
    await page.close()
  }, 60_000)

  it('when a family member signs in, then only their relative is on the page, in Chinese when they switch to it', async () => {
    const page = await signIn('family-wang')
    await page.waitForSelector(`[data-testid=resident-${BAND.id}]`)
    expect(await page.locator('[data-testid^=resident-]').count()).toBe(1)
    expect(await page.locator(`[data-testid=marker-${OTHER_BAND.id}]`).count()).toBe(0)
    expect(await page.content()).not.toContain('Li Xiuying')
    // Today's walk, replayed with the slider (the look is recorded).
    await page.click(`[data-testid=resident-${BAND.id}]`)
    await page.click('[data-testid=history-load]')
    await page.waitForFunction(() =>
      (document.querySelector('[data-testid=history-time]')?.textContent ?? '').includes('/'),
    )
    const last = await page.textContent('[data-testid=history-time]')
    await page.fill('[data-testid=history-slider]', '0')
    expect(await page.textContent('[data-testid=history-time]')).not.toBe(last)
    expect(await page.textContent('[data-testid=history-time]')).toMatch(/^.+ · 1 \/ \d+ positions$/)
    const views = await service.db.query(
      "SELECT 1 FROM history_views h JOIN users u ON u.id = h.user_id WHERE u.username = 'family-wang'",
    )
    expect(views.rowCount).toBe(1)
    await page.click('[data-testid=lang]')
    expect(await page.textContent('h2')).toContain('警报')
    await page.screenshot({ path: new URL('family.png', ARTIFACTS).pathname })
    await page.setViewportSize({ width: 390, height: 800 }) // a phone
    await page.screenshot({ path: new URL('family-phone.png', ARTIFACTS).pathname, fullPage: true })
    await page.close()
  }, 60_000)

  it('when care staff invite a family member, then the link lets them create an account that sees their relative', async () => {
    const staff = await signIn('staff-zhangdian')
    await staff.click(`[data-testid=resident-${BAND.id}]`)
    await staff.click('[data-testid=invite]')
    await staff.waitForFunction(() =>
      (document.querySelector('[data-testid=invite-link]')?.textContent ?? '').includes('invite='),
    )
    const link = (await staff.textContent('[data-testid=invite-link]'))!.match(/http\S+/)![0]
    await staff.close()
    const page = await browser.newPage({ locale: 'en-US' })
    await page.goto(link)
    await page.fill('#accept-form input[name=username]', 'granddaughter-wang')
    await page.fill('#accept-form input[name=password]', 'lantern by the old bridge')
    await page.click('#accept-form button[type=submit]')
    await page.waitForSelector(`[data-testid=resident-${BAND.id}]`)
    expect(await page.locator('[data-testid^=resident-]').count()).toBe(1)
    expect(await page.textContent('[data-testid=who]')).toContain('granddaughter-wang')
    await page.close()
  }, 60_000)

  it('when the password is wrong, then the page says so and shows nothing else', async () => {
    const page = await browser.newPage({ locale: 'en-US' })
    await page.goto(`http://127.0.0.1:${service.httpPort}/`)
    await page.fill('input[name=username]', 'staff-zhangdian')
    await page.fill('input[name=password]', 'not the password')
    await page.click('[data-testid=login-form] button[type=submit]')
    await page.waitForFunction(() => (document.querySelector('[data-testid=login-error]')?.textContent ?? '') !== '')
    expect(await page.isHidden('#app')).toBe(true)
    await page.close()
  })

  it("when an alarm came from a band's late upload, then the family's alert says it was reported late", async () => {
    const provision = await service.db.query<{ id: number }>('SELECT id FROM residents WHERE display_name = $1', [
      'Wang Jianguo',
    ])
    await raiseAlert(service.db, {
      residentId: provision.rows[0]!.id,
      bandId: BAND.id,
      zoneId: null,
      kind: 'fall',
      fixTime: Date.now() - 3_600_000,
      evidence: { rule: 'band reported fall', late: true },
    })
    const page = await signIn('family-wang')
    const alert = page.locator('#alerts > li', { hasText: 'Fall' }).first()
    await alert.waitFor()
    expect(await alert.textContent()).toContain('reported late')
    await page.close()
  }, 60_000)
})
