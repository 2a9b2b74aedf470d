// A base map without internet: a PMTiles archive on disk served by the service (TILE_ARCHIVE) and
// shown by the page; and when no tiles load at all, zones and markers are still there.
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { BROWSER_AVAILABLE, launchBrowser, signIn } from './support/browser.ts'
import { BAND, HOME, connectBand, fixNorth, provisionWorld } from './support/fixtures.ts'
import { writePmtiles } from './support/pmtiles.ts'
import { startTestService } from './support/service.ts'

const ARTIFACTS = new URL('../test-artifacts/', import.meta.url)
const BOX = { minLon: HOME.lon - 0.03, minLat: HOME.lat - 0.03, maxLon: HOME.lon + 0.03, maxLat: HOME.lat + 0.03 }

describe.runIf(BROWSER_AVAILABLE)('base maps', () => {
  let browser: Browser
  const services: Service[] = []
  const start = async (env: Record<string, string>) => {
    const s = await startTestService(env)
    services.push(s)
    await provisionWorld(s.db)
    const band = await connectBand(s.mqttPort!, BAND)
    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(1, 0, Date.now() - 60_000)), {
      qos: 1,
    })
    await band.endAsync()
    await new Promise((r) => setTimeout(r, 1200)) // band_status is written once a second
    return s
  }
  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    for (const s of services) await s.stop()
  })

  it('when the service is given a local tile archive, then it serves its tiles and the page draws streets from it', async () => {
    const archive = join(await mkdtemp(join(tmpdir(), 'tongxing-tiles-')), 'zibo.pmtiles')
    expect(await writePmtiles(archive, BOX, 10, 17)).toBeGreaterThan(50)
    const service = await start({ TILE_ARCHIVE: archive })
    const tile = await fetch(`http://127.0.0.1:${service.httpPort}/tiles/16/54259/25551`)
    expect(tile.status).toBe(200)
    expect(tile.headers.get('content-type')).toBe('image/png')
    expect((await fetch(`http://127.0.0.1:${service.httpPort}/tiles/16/1/1`)).status).toBe(404)
    const page = await signIn(browser, service.httpPort, 'staff-zhangdian')
    await page.waitForSelector('img.leaflet-tile-loaded[src^="/tiles/"]')
    expect(await page.locator('#map.no-tiles').count()).toBe(0)
    await page.locator(`[data-testid=marker-${BAND.id}]`).waitFor()
    await page.click('[data-testid=lang]')
    await page.screenshot({ path: new URL('console-local-tiles.png', ARTIFACTS).pathname })
    await page.close()
  }, 60_000)

  it('when no tile can be loaded, then the page says nothing is wrong with the data: zones and markers are drawn on a plain background', async () => {
    const service = await start({ TILE_URL: 'http://127.0.0.1:9/{z}/{x}/{y}.png' })
    const page = await signIn(browser, service.httpPort, 'staff-zhangdian')
    await page.waitForSelector('#map.no-tiles')
    await page.locator(`[data-testid=marker-${BAND.id}]`).waitFor()
    expect(await page.locator('.leaflet-overlay-pane path, .leaflet-overlay-pane canvas').count()).toBeGreaterThan(0)
    await page.close()
  }, 60_000)
})
