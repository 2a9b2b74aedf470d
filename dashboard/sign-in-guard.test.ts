import { describe, expect, it } from 'vitest'
import { FIRST_DELAY_MS, FREE_FAILURES, MAX_DELAY_MS, admit, type Failures } from './sign-in-guard.ts'

/** The count after `times` tries at `at`, each admitted when it may be (as the database store does). */
const tries = (times: number, at = 0, from?: Failures) => {
  let f = from
  for (let i = 0; i < times; i++) {
    const o = admit(f, at)
    if ('counted' in o) f = o.counted
  }
  return f
}
const wait = (f: Failures | undefined, now: number) => admit(f, now).waitMs

describe('per-account sign-in delays', () => {
  it('when an account has had a few wrong passwords, then the next try is not held back', () => {
    expect(wait(tries(FREE_FAILURES), 0)).toBe(0)
  })

  it('when wrong passwords go on, then each further try waits twice as long as the last', () => {
    expect(wait(tries(FREE_FAILURES + 1), 0)).toBe(FIRST_DELAY_MS)
    const f = tries(1, FIRST_DELAY_MS, tries(FREE_FAILURES + 1))
    expect(wait(f, FIRST_DELAY_MS)).toBe(2 * FIRST_DELAY_MS)
  })

  it('when many tries come at the same moment, then only the free ones and the one that starts the delay are admitted', () => {
    let admitted = 0
    let f: Failures | undefined
    for (let i = 0; i < 50; i++) {
      const o = admit(f, 0)
      if ('counted' in o) {
        admitted++
        f = o.counted
      }
    }
    expect(admitted).toBe(FREE_FAILURES + 1)
  })

  it('when an attacker fails a thousand times, then the wait never exceeds the ceiling (no account is locked for good)', () => {
    let f: Failures | undefined
    for (let i = 0; i < 1000; i++) {
      const now = f?.until ?? 0
      const o = admit(f, now)
      if ('counted' in o) f = o.counted
    }
    expect(f!.until - f!.last).toBe(MAX_DELAY_MS)
    expect(wait(f, f!.until)).toBe(0)
  })

  it('when a day passes without failures, then the count starts again', () => {
    const f = tries(FREE_FAILURES + 3)
    const later = admit(f, 25 * 3_600_000)
    expect('counted' in later && later.counted.count).toBe(1)
  })
})
