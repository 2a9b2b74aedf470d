import { describe, expect, it } from 'vitest'
import { createFloodGuard } from './flood-guard.ts'

describe('flood guard', () => {
  const policy = { maxRejected: 3, windowMs: 60_000, banMs: 300_000 }

  it('when a band sends more bad messages than allowed within the window, then it is cut off and refused until the ban ends', () => {
    const g = createFloodGuard(policy)
    expect([1, 2, 3].map((i) => g.rejected('b1', 1, i * 1000))).toEqual([false, false, false])
    expect(g.rejected('b1', 1, 4000)).toBe(true)
    expect(g.banned('b1', 5000)).toBe(true)
    expect(g.banned('b2', 5000)).toBe(false) // other bands are not affected
    expect(g.banned('b1', 4000 + 300_000)).toBe(false)
  })

  it('when bad messages are spread wider than the window, then the band is never cut off', () => {
    const g = createFloodGuard(policy)
    for (let i = 0; i < 20; i++) expect(g.rejected('b1', 1, i * 25_000)).toBe(false)
  })

  it('when one backlog upload carries many bad fixes, then they count at once', () => {
    expect(createFloodGuard(policy).rejected('b1', 4, 0)).toBe(true)
  })
})
