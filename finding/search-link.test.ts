// Search links' rules with literal times: how long a link lasts, and when it stops working.
import { describe, expect, it } from 'vitest'
import {
  LINK_TOKEN,
  TRAIL_LOOKBACK_MS,
  linkMinutes,
  linkState,
  linkTokenHash,
  newLinkToken,
  trailStart,
} from './search-link.ts'

const T = Date.UTC(2026, 11, 5, 6, 0)
const open = { expiresAt: T + 3 * 3_600_000, revokedAt: null, alertStatus: 'open', alertKind: 'left_safe_zone' }

describe('search links', () => {
  it('when a link is made, then its token has 256 random bits in 43 URL-safe characters and only its hash is kept', () => {
    const a = newLinkToken()
    expect(a).toMatch(LINK_TOKEN)
    expect(a).not.toBe(newLinkToken())
    expect(linkTokenHash(a).length).toBe(32)
  })

  it('when no duration is asked, then the default applies; beyond the maximum, the request is refused', () => {
    const limits = { defaultMinutes: 180, maxMinutes: 1440 }
    expect(linkMinutes(undefined, limits)).toEqual({ ok: true, minutes: 180 })
    expect(linkMinutes(60, limits)).toEqual({ ok: true, minutes: 60 })
    expect(linkMinutes(1441, limits).ok).toBe(false)
    expect(linkMinutes(0, limits).ok).toBe(false)
  })

  it('when the alert is open and the link neither expired nor revoked, then it works; otherwise it says why not', () => {
    expect(linkState(open, T)).toBe('valid')
    expect(linkState(open, open.expiresAt)).toBe('expired')
    expect(linkState({ ...open, revokedAt: T }, T)).toBe('revoked')
    expect(linkState({ ...open, alertStatus: 'resolved' }, T)).toBe('closed')
    expect(linkState({ ...open, alertStatus: 'acknowledged' }, T)).toBe('valid')
  })

  it('when the alert is not a wander (an SOS), then no link for it works', () => {
    expect(linkState({ ...open, alertKind: 'sos' }, T)).toBe('closed')
  })

  it("when a wander alert is raised, then its helpers' trail starts at its earliest evidence, at most 30 minutes back", () => {
    const exit = {
      openedAt: T,
      fixTime: T - 20_000,
      evidence: { outsideSince: T - 90_000, fixes: [{ ts: T - 90_000 }, { ts: T - 50_000 }, { ts: T - 20_000 }] },
    }
    expect(trailStart(exit)).toBe(T - 90_000)
    expect(trailStart({ ...exit, evidence: { fixes: [{ ts: T - 60_000 }] } })).toBe(T - 60_000)
    expect(trailStart({ openedAt: T, fixTime: T - 5_000, evidence: { test: true } })).toBe(T - 5_000)
    expect(trailStart({ openedAt: T, fixTime: T + 5_000, evidence: null })).toBe(T)
    expect(trailStart({ ...exit, evidence: { outsideSince: T - 5 * 3_600_000, fixes: 'x' } })).toBe(
      T - TRAIL_LOOKBACK_MS,
    )
  })
})
