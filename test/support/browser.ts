// The page in Debian's Chromium through playwright-core: whether it can run here, and signing in.
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { PASSWORD } from './fixtures.ts'

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))
/** A developer's machine may lack Chromium; CI installs it, and there the tests must run. */
export const BROWSER_AVAILABLE = CHROMIUM !== undefined || process.env.CI === 'true'

/**
 * A time zone where it is about midday now. The page shows "today" in the browser's time zone, and
 * the tests replay fixes taken minutes ago: at a real midnight those would belong to yesterday.
 */
export const MIDDAY_TZ = (() => {
  let offset = 12 - new Date().getUTCHours()
  if (offset > 14) offset -= 24
  if (offset < -12) offset += 24
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}` // Etc/GMT-8 is UTC+8
})()

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM ?? 'chromium', args: ['--no-sandbox'] })

/** A new page signed in as `username`, its live socket connected. */
export async function signIn(browser: Browser, httpPort: number, username: string, password = PASSWORD): Promise<Page> {
  const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1200, height: 800 }, timezoneId: MIDDAY_TZ })
  await page.goto(`http://127.0.0.1:${httpPort}/`)
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', password)
  await page.click('[data-testid=login-form] button[type=submit]')
  await page.waitForSelector('[data-testid=connection].on')
  return page
}
