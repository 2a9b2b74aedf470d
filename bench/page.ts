// The page under the programme's load, in Chromium: the old page (main's dashboard/web, served in
// place of this branch's files) against this one, signed in as the admin (1500 residents) and as a
// care worker (one centre of 60), while 1500 bands report every 10 s through Mosquitto.
//
//   npm run bench:page -- [--bands 1500] [--centre 60] [--seconds 30] [--old main]
//
// Per page and viewer: time from pressing "sign in" to the whole first snapshot on screen (the
// list says how many residents there are, or has them all); main-thread busy share and busy time per
// socket message while positions stream; click-to-next-frame latency (p50/p95) of clicks on list
// rows meanwhile; and the page weight (bytes over the wire). Ratios are old / new.
import { execFileSync } from 'node:child_process'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import type { Browser } from 'playwright-core'
import { chromium } from 'playwright-core'
import { CHROMIUM } from '../test/support/browser.ts'
import { provisionCrowd, streamCrowd } from '../test/support/crowd.ts'
import { PASSWORD } from '../test/support/fixtures.ts'
import { startMosquitto } from '../test/support/mosquitto.ts'
import { startTestService } from '../test/support/service.ts'

const { values: v } = parseArgs({
  options: {
    bands: { type: 'string', default: '1500' },
    centre: { type: 'string', default: '60' },
    seconds: { type: 'string', default: '30' },
    old: { type: 'string', default: 'main' },
  },
})
const BANDS = Number(v.bands),
  CENTRE = Number(v.centre),
  SECONDS = Number(v.seconds)
const SNAPSHOT_TIMEOUT_MS = 60_000
const ROOT = new URL('../', import.meta.url).pathname

/** The old page's files, from git, by path. */
function oldPage(ref: string): Map<string, string> {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' })
  const names = git('ls-tree', '--name-only', `${ref}:dashboard/web`).trim().split('\n')
  return new Map(names.map((n) => [`/${n}`, git('show', `${ref}:dashboard/web/${n}`)]))
}
const TYPES: Record<string, string> = { js: 'text/javascript', css: 'text/css', html: 'text/html' }

interface Result {
  snapshotMs: number | null
  busyShare: number
  busyPerMessageMs: number
  messages: number
  p50: number
  p95: number
  bytes: number
}

async function measure(
  browser: Browser,
  port: number,
  username: string,
  expected: number,
  old: Map<string, string> | null,
): Promise<Result> {
  const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1400, height: 900 } })
  if (old) {
    await page.route(/^http:\/\/127\.0\.0\.1:\d+\/([a-z-]+\.(js|css|html))?(\?.*)?$/, (route) => {
      const path = new URL(route.request().url()).pathname
      const body = old.get(path === '/' ? '/index.html' : path)
      if (body === undefined) return route.continue()
      return route.fulfill({ body, contentType: TYPES[(path === '/' ? 'index.html' : path).split('.').pop()!] })
    })
  }
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  await cdp.send('Network.enable')
  let frames = 0
  let bytes = 0
  cdp.on('Network.webSocketFrameReceived', () => {
    frames++
  })
  cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
    bytes += e.encodedDataLength
  })
  await page.goto(`http://127.0.0.1:${port}/`)
  await page.waitForSelector('input[name=username]')
  const weight = bytes
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', PASSWORD)
  const pressed = await page.evaluate(() => performance.now())
  await page.click('[data-testid=login-form] button[type=submit]')
  // The whole snapshot on screen: the new list's count, or the old list with every resident.
  const drawn = await page
    .waitForFunction(
      (n) => {
        const count = document.querySelector('[data-testid=people-count]')?.textContent
        const done = count ? count === `${n} / ${n}` : document.querySelectorAll('#residents > li').length >= n
        return done ? performance.now() : false
      },
      expected,
      { polling: 'raf', timeout: SNAPSHOT_TIMEOUT_MS },
    )
    .then(
      (h) => h.jsonValue() as Promise<number>,
      () => null,
    )
  const snapshotMs = drawn === null ? null : drawn - pressed

  // Clicks on rows while positions stream: from the click to the frame after it was handled.
  await page.evaluate(() => {
    const w = window as unknown as { __lat: number[] }
    w.__lat = []
    document.addEventListener(
      'click',
      (e) => {
        const t0 = e.timeStamp
        requestAnimationFrame(() => setTimeout(() => w.__lat.push(performance.now() - t0)))
      },
      true,
    )
  })
  const busy = async () =>
    ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) as number
  const framesBefore = frames
  const busyBefore = await busy()
  const t0 = Date.now()
  const rows = '[data-testid^=resident-], #residents > li'
  while (Date.now() - t0 < SECONDS * 1000) {
    await page.waitForTimeout(1000)
    const row = page.locator(rows).nth(Math.floor(Math.random() * 5))
    const box = await row.boundingBox({ timeout: 5000 }).catch(() => null)
    if (box) await page.mouse.click(box.x + box.width / 3, box.y + box.height / 2)
  }
  const wall = (Date.now() - t0) / 1000
  const busyS = (await busy()) - busyBefore
  const messages = frames - framesBefore
  const lat = (await page.evaluate(() => (window as unknown as { __lat: number[] }).__lat)).sort((a, b) => a - b)
  const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! : NaN)
  await page.close()
  const busyPerMessageMs = messages ? (busyS * 1000) / messages : NaN
  return { snapshotMs, busyShare: busyS / wall, busyPerMessageMs, messages, p50: q(0.5), p95: q(0.95), bytes: weight }
}

const fmt = (r: Result) => [
  r.snapshotMs === null ? `>${SNAPSHOT_TIMEOUT_MS / 1000} s` : `${(r.snapshotMs / 1000).toFixed(2)} s`,
  `${(r.busyShare * 100).toFixed(1)} %`,
  `${r.busyPerMessageMs.toFixed(3)} ms (${r.messages})`,
  Number.isNaN(r.p50) ? 'no click answered' : `${r.p50.toFixed(0)} / ${r.p95.toFixed(0)} ms`,
  `${(r.bytes / 1024).toFixed(0)} KiB`,
]
const ratio = (a: number | null, b: number | null) =>
  a === null ? `>${(SNAPSHOT_TIMEOUT_MS / (b ?? 1)).toFixed(1)}` : b ? (a / b).toFixed(1) : '-'

async function main() {
  console.log(
    `bench:page — ${BANDS} bands every 10 s, centres of ${CENTRE}, ${SECONDS} s of streaming per run;` +
      ` ${cpus().length} cores, ${new Date().toISOString()}`,
  )
  const broker = await startMosquitto({ extra: 'max_queued_messages 200000\n' })
  const service = await startTestService({ TILE_URL: '', MQTT_URL: broker.url, ESCALATION_SECONDS: '3600' })
  await provisionCrowd(service.db, BANDS, CENTRE)
  const stream = await streamCrowd(broker.url, BANDS)
  // The old page's document is served by interception, which Chromium counts as a public page: its
  // socket to 127.0.0.1 would be blocked as a local-network request, so that check is off (for both).
  const browser = await chromium.launch({
    executablePath: CHROMIUM ?? 'chromium',
    args: ['--no-sandbox', '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests'],
  })
  const old = oldPage(v.old)
  try {
    const viewers = [
      ['admin', 'crowd-admin', BANDS],
      ['staff', 'crowd-staff', Math.min(CENTRE, BANDS)],
    ] as const
    for (const [who, username, expected] of viewers) {
      const before = await measure(browser, service.httpPort, username, expected, old)
      const after = await measure(browser, service.httpPort, username, expected, null)
      console.log(
        `\n${who} (${expected} residents)       first snapshot | main thread busy | busy per message |` +
          ' click p50 / p95 | page weight',
      )
      console.log(`  old page (${v.old})  ${fmt(before).join(' | ')}`)
      console.log(`  new page        ${fmt(after).join(' | ')}`)
      const clicks = Number.isNaN(before.p95) ? '-' : (before.p95 / after.p95).toFixed(1)
      const busy = (before.busyShare / after.busyShare).toFixed(1)
      const perMessage = (before.busyPerMessageMs / after.busyPerMessageMs).toFixed(1)
      const weight = (before.bytes / after.bytes).toFixed(2)
      console.log(
        `  old / new       ${ratio(before.snapshotMs, after.snapshotMs)} | ${busy} ` +
          `| ${perMessage} | ${clicks} (p95) | ${weight}`,
      )
    }
  } finally {
    await browser.close()
    await stream.stop()
    await service.stop()
    await broker.stop()
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
