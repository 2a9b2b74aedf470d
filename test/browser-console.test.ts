// The care-centre console in Chromium at programme scale: 1500 bands reporting every 10 s through
// Mosquitto. An admin's first snapshot draws and clicks and typed notes survive the stream; staff
// click an alert and see the person, trail and evidence, handle it, and a colleague sees who did
// what; search and filters; the banner when the connection is lost and back; replay; a dragged
// zone corner; a language switch that leaves nothing behind; axe-core. Screenshots in Chinese go
// to test-artifacts/.
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { raiseAlert } from '../geofence/index.ts'
import { insertZone } from '../geofence/zone-store.pg.ts'
import { BROWSER_AVAILABLE, MIDDAY_TZ, launchBrowser } from './support/browser.ts'
import { provisionCrowd, streamCrowd, type Stream } from './support/crowd.ts'
import { BAND, OTHER_BAND, PASSWORD, fixNorth, provisionWorld } from './support/fixtures.ts'
import { MOSQUITTO, startMosquitto, type Mosquitto } from './support/mosquitto.ts'
import { startProxy, type Proxy as TcpProxy } from './support/proxy.ts'
import { eventually, startTestService } from './support/service.ts'
import mqtt from 'mqtt'

const available = BROWSER_AVAILABLE && (MOSQUITTO !== undefined || process.env.CI === 'true')
const ARTIFACTS = new URL('../test-artifacts/', import.meta.url)
const N = 1500
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

describe.runIf(available)('the console at programme scale', () => {
  let broker: Mosquitto
  let service: Service
  let browser: Browser
  let stream: Stream | undefined
  let proxy: TcpProxy
  let world: Awaited<ReturnType<typeof provisionWorld>>

  /** The world's band (or the other one) walks out of its home zone over the last three minutes: a real alert, live. */
  const walkOut = async (band: typeof BAND, home: { lat: number; lon: number } | null, seq: number) => {
    const c = await mqtt.connectAsync(broker.url, { clientId: `walker-${band.id}`, reconnectPeriod: 0 })
    const start = Date.now() - 180_000
    for (const [k, north] of [
      [0, 0],
      [1, 300],
      [2, 320],
    ] as const) {
      const fix = fixNorth(seq + k, north, start + k * 60_000)
      const at = home ? { ...fix, lat: home.lat + north / 111_000, lon: home.lon } : fix
      await c.publishAsync(`bands/${band.id}/telemetry`, JSON.stringify(at), { qos: 1 })
    }
    await c.endAsync()
  }

  const openAlerts = async (bandId: string) =>
    (await service.db.query("SELECT 1 FROM alerts WHERE band_id = $1 AND status = 'open'", [bandId])).rowCount

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    broker = await startMosquitto({ extra: 'max_queued_messages 200000\n' })
    service = await startTestService({ TILE_URL: '', MQTT_URL: broker.url, ESCALATION_SECONDS: '3600' })
    world = await provisionWorld(service.db)
    await insertUser(service.db, {
      username: 'staff-zhangdian-2',
      password: PASSWORD,
      role: 'staff',
      careCentreId: world.centre,
    })
    await insertUser(service.db, { username: 'root', password: PASSWORD, role: 'admin' })
    await provisionCrowd(service.db, N)
    proxy = await startProxy({ host: '127.0.0.1', port: service.httpPort })
    // The world's resident walks out of home: an open alert and a trail that each test may use.
    await walkOut(BAND, null, 0)
    await eventually(async () => (await openAlerts(BAND.id)) === 1, 15_000)
    browser = await launchBrowser()
  }, 90_000)
  afterAll(async () => {
    await stream?.stop()
    await browser?.close()
    await proxy?.close()
    await service?.stop()
    await broker?.stop()
  })

  type SignIn = { port?: number; lang?: 'en' | 'zh'; bypassCSP?: boolean }
  const signIn = async (username: string, opts: SignIn = {}): Promise<Page> => {
    const viewport = { width: 1400, height: 900 }
    const page = await browser.newPage({
      locale: 'en-US',
      viewport,
      bypassCSP: opts.bypassCSP ?? false,
      timezoneId: MIDDAY_TZ,
    })
    await page.addInitScript((lang) => localStorage.setItem('tongxing.lang', lang), opts.lang ?? 'en')
    await page.goto(`http://127.0.0.1:${opts.port ?? service.httpPort}/`)
    await page.fill('input[name=username]', username)
    await page.fill('input[name=password]', PASSWORD)
    await page.click('[data-testid=login-form] button[type=submit]')
    await page.waitForSelector('[data-testid=connection].on')
    return page
  }
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: new URL(`console-${name}.png`, ARTIFACTS).pathname })
  const countText = (page: Page) => page.textContent('[data-testid=people-count]')

  it('when an admin signs in with 1500 bands reporting, then the whole snapshot is drawn, only the rows in view exist, and clicks and a half-typed note survive the stream and a new alert', async () => {
    await eventually(async () => (await openAlerts(BAND.id)) === 1, 15_000)
    stream = await streamCrowd(broker.url, N)
    const page = await signIn('crowd-admin')
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=people-count]')?.textContent === `${n} / ${n}`,
      N + 2,
    )
    // Virtualised: a few dozen rows exist, not 1502; markers are clustered at this zoom.
    const rows = await page.locator('[data-testid^=resident-]').count()
    expect(rows).toBeGreaterThan(5)
    expect(rows).toBeLessThan(60)
    await page.waitForSelector('.marker-cluster')
    expect(await page.locator('.band-marker').count()).toBeLessThan(N / 2)
    await shot(page, 'admin-1500')

    // A half-typed resolve note while positions stream and a new alert arrives.
    const alert = page.locator('#alerts > li', { hasText: 'Wang Jianguo' })
    await alert.locator('[data-testid=resolve]').click()
    await page.locator('[data-testid=resolve-note]').pressSequentially('found her at the ', { delay: 20 })
    const sentBefore = stream.sent()
    await walkOut(OTHER_BAND, { lat: 36.49, lon: 117.87 }, 0)
    await page.waitForSelector('#alerts > li >> text=Li Xiuying', { timeout: 15_000 })
    expect(await page.textContent('[aria-live=polite][data-testid=announce]')).toContain(
      'Left the safe zone — Li Xiuying',
    )
    await page.locator('[data-testid=resolve-note]').pressSequentially('market', { delay: 20 })
    expect(await page.inputValue('[data-testid=resolve-note]')).toBe('found her at the market')
    expect(stream.sent() - sentBefore).toBeGreaterThan(20) // positions kept coming meanwhile

    // Clicks on rows answer while the stream goes on: each opens that resident, five times over.
    for (let k = 0; k < 5; k++) {
      const row = page.locator('[data-testid^=resident-]').nth(k + 2)
      const name = (await row.locator('.name').textContent())!
      const started = Date.now()
      await row.click()
      await page.waitForFunction((n) => document.querySelector('[data-testid=details-name]')?.textContent === n, name, {
        timeout: 2000,
      })
      expect(Date.now() - started).toBeLessThan(2000)
    }
    await page.click('[data-testid=lang]')
    await shot(page, 'admin-1500-zh')
    await page.close()
  }, 120_000)

  it('when staff click an alert, then the map goes to the person, highlighted, with the trail since they left, the zone and the evidence in words; acknowledge, note and resolve are seen by a colleague with who did them', async () => {
    const page = await signIn('staff-zhangdian', { lang: 'zh' })
    const alertId = (
      await service.db.query<{ id: number }>("SELECT id FROM alerts WHERE resident_id = $1 AND status = 'open'", [
        world.resident,
      ])
    ).rows[0]!.id
    await page.click(`[data-testid=alert-${alertId}] [data-testid=alert-open]`)
    await page.waitForSelector(`[data-testid=marker-${BAND.id}].selected`)
    await page.waitForSelector('path.trail', { state: 'attached' })
    await page.waitForSelector('path.zone-left', { state: 'attached' })
    const evidence = (await page.textContent('[data-testid=evidence]'))!
    expect(evidence).toMatch(/在“home”外 \d+ 米，北/)
    expect(evidence).toContain('GPS ±')
    expect(await page.getAttribute('[data-testid=nav-amap]', 'href')).toMatch(
      /^https:\/\/uri\.amap\.com\/marker\?position=118\.0\d+,36\.8\d+/,
    )
    expect(await page.getAttribute('[data-testid=nav-baidu]', 'href')).toContain('coord_type=bd09ll')
    // The details are beside the list, on screen.
    const box = (await page.locator('[data-testid=details]').boundingBox())!
    expect(box.y + 40).toBeLessThan(900)
    await shot(page, 'alert-evidence')

    await page.click('[data-testid=detail-acknowledge]')
    await page.waitForSelector('[data-testid=timeline] [data-testid=event-acknowledged]')
    await page.fill('[data-testid=note]', '已电话联系家属')
    await page.click('[data-testid=note-save]')
    await page.waitForSelector('[data-testid=timeline] [data-testid=event-note]')
    // A family member adds a note too: shown as theirs.
    const family = await signIn('family-wang')
    await family.click(`[data-testid=alert-${alertId}] [data-testid=alert-open]`)
    await family.fill('[data-testid=note]', 'I am on my way')
    await family.click('[data-testid=note-save]')
    await family.waitForSelector('[data-testid=timeline] [data-testid=event-note] >> text=family-wang')
    await family.close()
    await page.locator(`[data-testid=alert-${alertId}] [data-testid=resolve]`).click()
    await page.fill('[data-testid=resolve-note]', '在菜市场找到，平安')
    await page.click('[data-testid=resolve-save]')
    await page.waitForSelector(`[data-testid=alert-${alertId}]`, { state: 'detached' })

    const colleague = await signIn('staff-zhangdian-2')
    const timeline = await colleague.evaluate(async (id) => (await fetch(`/api/alerts/${id}/timeline`)).json(), alertId)
    const said = (
      timeline as { events: { kind: string; username: string | null; role: string | null; note: string | null }[] }
    ).events.map((e) => `${e.kind}:${e.username ?? ''}:${e.role ?? ''}:${e.note ?? ''}`)
    expect(said).toEqual([
      'opened:::',
      'acknowledged:staff-zhangdian:staff:',
      'note:staff-zhangdian:staff:已电话联系家属',
      'note:family-wang:family:I am on my way',
      'resolved:staff-zhangdian:staff:在菜市场找到，平安',
    ])
    await page.close()
    await colleague.close()
  }, 90_000)

  it('when care staff search and filter 1500 residents, then the list shows just those, offline and low battery told apart by text', async () => {
    const page = await signIn('crowd-staff', { lang: 'zh' })
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=people-count]')?.textContent === `${n} / ${n}`,
      N,
    )
    await page.fill('[data-testid=search]', '0750')
    await page.waitForFunction(() => document.querySelector('[data-testid=people-count]')?.textContent === '1 / 1500')
    expect(await page.textContent('[data-testid=resident-crowd-0750]')).toContain('长者 0750')
    await page.fill('[data-testid=search]', '')
    await page.selectOption('[data-testid=filter]', 'offline')
    await page.waitForFunction(() => document.querySelector('[data-testid=people-count]')?.textContent === '66 / 1500')
    expect(await page.textContent('[data-testid=resident-crowd-0023]')).toContain('离线')
    await page.selectOption('[data-testid=filter]', 'battery')
    await page.waitForFunction(() => document.querySelector('[data-testid=people-count]')?.textContent === '89 / 1500')
    expect(await page.textContent('[data-testid=resident-crowd-0017]')).toContain('电量 12%')
    await shot(page, 'filter-battery')
    expect(await countText(page)).toBe('89 / 1500')
    await page.close()
  }, 60_000)

  it('when the connection to the service is lost and comes back, then a banner says so, an action taken meanwhile is sent when it is back, and the map keeps its view', async () => {
    const alertId = (await raiseAlert(service.db, {
      residentId: world.resident,
      bandId: BAND.id,
      zoneId: null,
      kind: 'sos',
      fixTime: Date.now(),
      evidence: { rule: 'band reported sos', lat: 36.8136, lon: 118.0549, acc: 15 },
    }))!.alert.id
    const page = await signIn('staff-zhangdian', { port: proxy.port, lang: 'zh' })
    await page.waitForSelector(`[data-testid=alert-${alertId}]`)
    const zoomIn = page.locator('.leaflet-control-zoom-in')
    await zoomIn.click()
    await page.waitForTimeout(400)
    const view = await page.evaluate(() => document.querySelector('.leaflet-map-pane')?.getAttribute('style'))
    proxy.cut()
    await page.waitForSelector('[data-testid=banner].lost', { timeout: 120_000 })
    expect(await page.textContent('[data-testid=banner]')).toContain('实时连接已断开')
    await page.click(`[data-testid=alert-${alertId}] [data-testid=acknowledge]`)
    await page.waitForFunction(
      (id) => (document.querySelector(`[data-testid=alert-${id}] .error`)?.textContent ?? '').includes('已排队'),
      alertId,
    )
    await shot(page, 'connection-lost')
    proxy.restore()
    await page.waitForSelector('[data-testid=banner].back', { timeout: 30_000 })
    expect(await page.textContent('[data-testid=banner]')).toContain('已恢复')
    await eventually(
      async () =>
        (await service.db.query("SELECT 1 FROM alerts WHERE id = $1 AND status = 'acknowledged'", [alertId]))
          .rowCount === 1,
    )
    expect(await page.evaluate(() => document.querySelector('.leaflet-map-pane')?.getAttribute('style'))).toBe(view)
    await page.close()
  }, 180_000)

  it('when staff replay a day, then it plays with times; when they drag a zone corner, then the zone saved has moved', async () => {
    const zoneId = await insertZone(service.db, {
      residentId: world.resident,
      name: 'garden',
      kind: 'safe',
      shape: {
        type: 'Polygon',
        coordinates: [
          [
            [118.054, 36.813],
            [118.056, 36.813],
            [118.055, 36.815],
            [118.054, 36.813],
          ],
        ],
      },
    })
    const page = await signIn('staff-zhangdian', { lang: 'zh' })
    await page.click(`[data-testid=resident-${BAND.id}]`)
    await page.click('[data-testid=history-load]')
    await page.waitForFunction(
      () => !(document.querySelector('[data-testid=history-play]') as HTMLButtonElement).disabled,
    )
    await page.fill('[data-testid=history-slider]', '0')
    const first = await page.textContent('[data-testid=history-time]')
    expect(first).toMatch(/\d{2}:\d{2}:\d{2} · 1 \/ \d+ 个位置/)
    await page.click('[data-testid=history-play]')
    await page.waitForFunction((f) => document.querySelector('[data-testid=history-time]')?.textContent !== f, first)
    await shot(page, 'replay')

    await page.click(`[data-testid=zone-edit-${zoneId}]`)
    const handle = page.locator('[data-testid=vertex-2]')
    const at = (await handle.boundingBox())!
    await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2)
    await page.mouse.down()
    await page.mouse.move(at.x + 60, at.y - 40, { steps: 8 })
    await page.mouse.up()
    await shot(page, 'zone-drag')
    await page.click('[data-testid=zone-save]')
    await page.waitForFunction(() => (document.querySelector('[data-testid=zone-form]') as HTMLElement).hidden)
    const saved = await service.db.query<{ shape: { coordinates: number[][][] } }>(
      'SELECT shape FROM zones WHERE id = $1',
      [zoneId],
    )
    const moved = saved.rows[0]!.shape.coordinates[0]![2]!
    expect(moved[0]).toBeGreaterThan(118.055)
    expect(moved[1]).toBeGreaterThan(36.815)
    expect(saved.rows[0]!.shape.coordinates[0]![0]).toEqual([118.054, 36.813])
    await page.close()
  }, 60_000)

  it('when an admin uses the admin pages, then a centre, a resident, a band with its secret, a new secret, an assignment and a user are made', async () => {
    const page = await signIn('root', { lang: 'zh' })
    await page.click('[data-testid=admin-open]')
    const submit = async (form: string, fields: Record<string, string>) => {
      for (const [name, value] of Object.entries(fields)) {
        const input = page.locator(`[data-testid=${form}] [name=${name}]`)
        if (await input.evaluate((e) => e.tagName === 'SELECT')) await input.selectOption(value)
        else await input.fill(value)
      }
      await page.click(`[data-testid=${form}] button[type=submit]`)
      await page.waitForFunction(
        (f) => (document.querySelector(`[data-testid=${f}] .result`)?.textContent ?? '') !== '',
        form,
      )
      return (await page.textContent(`[data-testid=${form}] .result`))!
    }
    const centre = Number((await submit('admin-centre', { name: '周村照护中心' })).match(/编号 (\d+)/)![1])
    const resident = Number(
      (await submit('admin-resident', { name: '赵桂兰', careCentreId: String(centre) })).match(/编号 (\d+)/)![1],
    )
    expect(await submit('admin-band', { id: 'admin-band-0001', residentId: '' })).toMatch(
      /密钥（只显示这一次，请写入手环）: \S{16,}/,
    )
    expect(await submit('admin-rotate', { bandId: 'admin-band-0001' })).toMatch(/密钥.*: \S{16,}/)
    expect(await submit('admin-assign', { bandId: 'admin-band-0001', residentId: String(resident) })).toBe('已完成')
    expect(
      await submit('admin-user', {
        username: 'zhoucun-staff',
        password: 'a long staff password',
        role: 'staff',
        careCentreId: String(centre),
      }),
    ).toMatch(/^已完成/)
    await page.waitForSelector('[data-testid=admin-users] >> text=zhoucun-staff')
    const band = await service.db.query<{ resident_id: string }>('SELECT resident_id FROM bands WHERE id = $1', [
      'admin-band-0001',
    ])
    expect(Number(band.rows[0]!.resident_id)).toBe(resident)
    await shot(page, 'admin')
    await page.close()
  }, 60_000)

  it('when the language is switched, then no word of the other language is left and no key is missing; axe-core finds no serious violation', async () => {
    const page = await signIn('staff-zhangdian', { lang: 'en', bypassCSP: true })
    await page.click(`[data-testid=resident-${BAND.id}]`)
    const fall = (await raiseAlert(service.db, {
      residentId: world.resident,
      bandId: BAND.id,
      zoneId: null,
      kind: 'fall',
      fixTime: Date.now(),
      evidence: { rule: 'band reported fall', lat: 36.8136, lon: 118.0549, acc: 15 },
    }))!.alert.id
    await page.reload()
    await page.click(`[data-testid=alert-${fall}] [data-testid=alert-open]`)
    await page.waitForSelector('[data-testid=timeline] li')
    await page.click('[data-testid=lang]')
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN')
    await shot(page, 'details-zh')
    // A string, so that the test runner leaves the page's own import alone.
    const leftovers = await page.evaluate(`(async () => {
      const { TEXT } = await import('/i18n.js')
      // English words (not those the Chinese uses too, such as SOS or GPS).
      const zh = Object.values(TEXT.zh).join('\\n')
      const english = Object.values(TEXT.en).filter((s) => /[a-z]{3}/i.test(s) && !zh.includes(s))
      const shown = []
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement
        if (el.closest('[hidden]') || el.closest('.leaflet-control-attribution')) continue
        shown.push(n.textContent.trim())
      }
      for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
        shown.push(el.getAttribute('aria-label') ?? '', el.getAttribute('placeholder') ?? '', el.getAttribute('title') ?? '')
      }
      const keys = (l) => Object.keys(TEXT[l]).sort().join()
      return { english: shown.filter((s) => english.some((e) => s.includes(e))),
        missing: window.__missingText ?? [], sameKeys: keys('zh') === keys('en') }
    })()`)
    expect(leftovers).toEqual({ english: [], missing: [], sameKeys: true })

    // The queue comes first: from the top of the page, a few Tab presses reach the first Acknowledge.
    await page.keyboard.press('Escape')
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    let presses = 0
    while (
      presses < 10 &&
      !(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'acknowledge'))
    ) {
      await page.keyboard.press('Tab')
      presses++
    }
    expect(presses).toBeLessThanOrEqual(5)
    // Touch targets: every button and field in the queue, list and details is at least 44 px high.
    const small = await page.evaluate(() =>
      [...document.querySelectorAll('#side button, #side input, #side select, #details button')]
        .filter((e) => (e as HTMLElement).offsetParent !== null && e.getBoundingClientRect().height < 44)
        .map((e) => e.outerHTML.slice(0, 80)),
    )
    expect(small).toEqual([])
    await page.click(`[data-testid=alert-${fall}] [data-testid=alert-open]`)
    await page.waitForSelector('[data-testid=details]:not([hidden])')

    await page.evaluate(AXE)
    const serious = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: {
            run: (
              o: unknown,
            ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>
          }
        }
      ).axe
      const r = await axe.run({ exclude: [['.leaflet-marker-pane'], ['.leaflet-overlay-pane']] })
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
    })
    expect(serious).toEqual([])
    await page.setViewportSize({ width: 390, height: 800 })
    await shot(page, 'phone-zh')
    const sheet = (await page.locator('[data-testid=details]').boundingBox())!
    expect(sheet.y + sheet.height).toBeLessThanOrEqual(801)
    await page.close()
  }, 60_000)
})
