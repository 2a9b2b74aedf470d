import { describe, expect, it } from 'vitest'
import { FIRST_DELAY_MS, FREE_FAILURES, MAX_DELAY_MS, createSignInGuard, guardKey } from './sign-in-guard.ts'

const fail = (times: number, key = 'wang', at = 0) => {
  const g = createSignInGuard()
  for (let i = 0; i < times; i++) g.failed(key, at)
  return g
}

describe('per-account sign-in delays', () => {
  it('when an account has had a few wrong passwords, then the next try is not held back', () => {
    expect(fail(FREE_FAILURES).waitMs('wang', 0)).toBe(0)
  })

  it('when wrong passwords go on, then each further try waits twice as long as the last', () => {
    expect(fail(FREE_FAILURES + 1).waitMs('wang', 0)).toBe(FIRST_DELAY_MS)
    expect(fail(FREE_FAILURES + 2).waitMs('wang', 0)).toBe(2 * FIRST_DELAY_MS)
    expect(fail(FREE_FAILURES + 4).waitMs('wang', 1000)).toBe(8 * FIRST_DELAY_MS - 1000)
  })

  it('when an attacker fails a thousand times, then the wait never exceeds the ceiling (no account is locked for good)', () => {
    const g = fail(1000)
    expect(g.waitMs('wang', 0)).toBe(MAX_DELAY_MS)
    expect(g.waitMs('wang', MAX_DELAY_MS)).toBe(0)
  })

  it('when the account is held back, then a browser that signed in to it before is not, nor is another account', () => {
    const g = fail(50)
    expect(g.waitMs(guardKey('wang', 'device-nonce'), 0)).toBe(0)
    expect(g.waitMs('li', 0)).toBe(0)
  })

  it('when the right password comes, or a day passes without failures, then the count starts again', () => {
    const g = fail(FREE_FAILURES + 3)
    g.succeeded('wang')
    expect(g.waitMs('wang', 0)).toBe(0)
    const h = fail(FREE_FAILURES + 3)
    h.failed('wang', 25 * 3_600_000)
    expect(h.waitMs('wang', 25 * 3_600_000)).toBe(0)
  })
})
