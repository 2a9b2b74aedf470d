// Search links' rules with literal times: how long a link lasts, and when it stops working.
import { describe, expect, it } from 'vitest'
import { LINK_TOKEN, linkMinutes, linkState, linkTokenHash, newLinkToken } from './search-link.ts'

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
})
