import { describe, expect, it } from 'vitest'
import { makeOutcome, median, summarize } from './outcome.ts'

const OPENED = Date.UTC(2026, 0, 10, 14, 0)

describe('outcomes', () => {
  it('when a wearer is found 37 min after the alert, then the outcome says 37 minutes', () => {
    expect(makeOutcome({ foundBy: 'stranger' }, OPENED, OPENED + 37 * 60_000)).toEqual({
      ok: true,
      outcome: { foundBy: 'stranger', foundAt: OPENED + 37 * 60_000, minutes: 37, lat: null, lon: null },
    })
  })

  it('when the time found is before the alert, in the future, or the position has one coordinate, then it is refused with a reason', () => {
    const now = OPENED + 3_600_000
    expect(makeOutcome({ foundBy: 'family', foundAt: OPENED - 1 }, OPENED, now)).toMatchObject({ ok: false })
    expect(makeOutcome({ foundBy: 'family', foundAt: now + 3_600_000 }, OPENED, now)).toMatchObject({ ok: false })
    expect(makeOutcome({ foundBy: 'family', lat: 36.8 }, OPENED, now)).toEqual({
      ok: false,
      reason: 'lat and lon go together',
    })
  })

  it('when outcomes are summed, then each finder gets its count and median, in a fixed order, and absent ones are left out', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([10, 20])).toBe(15)
    expect(
      summarize([
        { foundBy: 'police', minutes: 90 },
        { foundBy: 'family', minutes: 10 },
        { foundBy: 'family', minutes: 30 },
      ]),
    ).toEqual([
      { foundBy: 'family', count: 2, medianMinutes: 20 },
      { foundBy: 'police', count: 1, medianMinutes: 90 },
    ])
  })
})
