// Stored XSS, tried in a real Chromium: markup is stored in every user-supplied field the page can
// show (resident, centre, zone and shared-zone names, usernames, a resolution note), through the
// admin API, the command line and the import; then staff open the page. Nothing may run, nothing
// may even try to run (no CSP violation), and the names show as the text they are.
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { raiseAlert } from '../geofence/index.ts'
import { runCli } from './support/cli.ts'
import { HOME, PASSWORD, connectBand, fixNorth, login } from './support/fixtures.ts'
import { startTestService } from './support/service.ts'

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))
const available = CHROMIUM !== undefined || process.env.CI === 'true'

/** Markup that records `tag` in window.__x if a browser ever runs it. */
const X = (tag: string) => `<img src=x onerror=__x.push('${tag}')>`
const BANDS = [
  { id: 'xss-band-import', secret: 'xss-secret-import-0001' },
  { id: 'xss-band-cli', secret: 'xss-secret-cli-000001' },
]

describe.runIf(available)('stored markup in the page', () => {
  let service: Service
  let browser: Browser
  let dataDir: string
  const base = () => `http://127.0.0.1:${service.httpPort}`

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tongxing-xss-'))
    service = await startTestService({ TILE_URL: '', DATA_DIR: dataDir })
    await insertUser(service.db, { username: 'root', password: PASSWORD, role: 'admin' })
    const admin = await login(service.httpPort, 'root', PASSWORD)
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${base()}${path}`, {
        method: 'POST',
        headers: { cookie: admin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300)
      return res.json() as Promise<Record<string, unknown>>
    }
    const circle = { type: 'circle', center: [HOME.lon, HOME.lat], radiusM: 200 }
    // The import: a centre, a resident with a band and a zone, a shared zone, a staff account.
    const imported = (await post('/api/admin/import', {
      centres: [{ key: 'c1', name: X('centre') }],
      residents: [
        {
          key: 'r1',
          name: X('resident-import'),
          centreKey: 'c1',
          band: BANDS[0],
          zones: [{ name: X('zone-import'), kind: 'safe', shape: circle }],
        },
      ],
      sharedZones: [{ name: X('shared-zone'), kind: 'danger', shape: { ...circle, radiusM: 50 }, centreKey: 'c1' }],
      users: [{ username: X('user'), password: PASSWORD, role: 'staff', centreKey: 'c1' }],
    })) as { centres: Record<string, number>; residents: Record<string, number> }
    const centre = imported.centres.c1!
    // The command line: a resident with a band and a named zone.
    const cli = { DATA_DIR: dataDir, LOG_LEVEL: 'error' }
    const residentId = Number(
      (await runCli(['resident', 'add', '--name', X('resident-cli'), '--centre', String(centre)], cli)).residentId,
    )
    await runCli(
      ['band', 'add', '--id', BANDS[1]!.id, '--secret', BANDS[1]!.secret, '--resident', String(residentId)],
      cli,
    )
    await runCli(
      [
        'zone',
        'add',
        '--resident',
        String(residentId),
        '--lat',
        String(HOME.lat),
        '--lon',
        String(HOME.lon),
        '--radius',
        '300',
        '--name',
        X('zone-cli'),
      ],
      cli,
    )
    // The admin API: a resident, and a zone drawn by staff.
    await post('/api/admin/residents', { name: X('resident-api'), careCentreId: centre })
    await post(`/api/residents/${imported.residents.r1}/zones`, {
      name: X('zone-api'),
      kind: 'safe',
      shape: { ...circle, radiusM: 400 },
    })
    // An alert resolved with a note, and one open for the queue.
    const done = (await raiseAlert(service.db, {
      residentId,
      bandId: BANDS[1]!.id,
      zoneId: null,
      kind: 'fall',
      fixTime: Date.now(),
      evidence: {},
    }))!.alert.id
    await post(`/api/alerts/${done}/resolve`, { note: X('note') })
    await raiseAlert(service.db, {
      residentId: imported.residents.r1!,
      bandId: BANDS[0]!.id,
      zoneId: null,
      kind: 'sos',
      fixTime: Date.now(),
      evidence: {},
    })
    for (const [i, b] of BANDS.entries()) {
      const band = await connectBand(service.mqttPort!, b)
      await band.publishAsync(`bands/${b.id}/telemetry`, JSON.stringify(fixNorth(1, 20 * i, Date.now() - 60_000)), {
        qos: 1,
      })
      await band.endAsync()
    }
    await new Promise((r) => setTimeout(r, 1500)) // band_status is written once a second
    browser = await chromium.launch({ executablePath: CHROMIUM ?? 'chromium', args: ['--no-sandbox'] })
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await service?.stop()
  })

  it('when staff whose username, residents, centre, zones and notes carry markup use the page, then nothing runs, nothing is blocked, and the names read as text', async () => {
    const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1200, height: 800 } })
    await page.addInitScript(() => {
      const w = window as unknown as { __x: string[]; __violations: string[] }
      w.__x = []
      w.__violations = []
      document.addEventListener('securitypolicyviolation', (e) =>
        w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
      )
    })
    const dialogs: string[] = []
    page.on('dialog', (d) => {
      dialogs.push(d.message())
      void d.dismiss()
    })
    await page.goto(`${base()}/`)
    await page.fill('input[name=username]', X('user'))
    await page.fill('input[name=password]', PASSWORD)
    await page.click('[data-testid=login-form] button[type=submit]')
    await page.waitForSelector('[data-testid=connection].on')
    await page.waitForSelector(`[data-testid=resident-${BANDS[1]!.id}]`)
    await page.locator(`[data-testid=marker-${BANDS[0]!.id}]`).waitFor()
    await page.click(`[data-testid=resident-${BANDS[0]!.id}]`) // the zone editor lists the resident's zones
    await page.waitForSelector('[data-testid=zone-list] li')
    await page.mouse.move(600, 400)
    await new Promise((r) => setTimeout(r, 500))

    expect(await page.evaluate(() => (window as unknown as { __x: string[] }).__x)).toEqual([])
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([])
    expect(dialogs).toEqual([])
    expect(await page.locator('img[src=x]').count()).toBe(0)
    expect(await page.textContent('[data-testid=who]')).toContain(X('user'))
    expect(await page.textContent(`[data-testid=resident-${BANDS[0]!.id}]`)).toContain(X('resident-import'))
    expect(await page.textContent('[data-testid=zone-list]')).toContain(X('zone-api'))
    expect(await page.textContent('.marker-label >> nth=0')).toMatch(
      /<img src=x onerror=__x\.push\('resident-(import|cli)'\)>/,
    )
    expect(await page.textContent('#alerts')).toContain(X('resident-import'))
    await page.close()
  }, 60_000)

  it('when the API description at /docs is opened, then Swagger UI works under the same policy', async () => {
    const page = await browser.newPage()
    const violations: string[] = []
    page.on('console', (m) => {
      if (/Content Security Policy/.test(m.text())) violations.push(m.text())
    })
    await page.goto(`${base()}/docs`)
    await page.waitForSelector('.opblock', { timeout: 20_000 })
    expect(violations).toEqual([])
    await page.close()
  }, 60_000)
})
