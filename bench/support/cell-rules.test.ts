import { describe, expect, it } from 'vitest'
import { CELL_RULES, firings, type CellFix } from './cell-rules.ts'

const engineRule = CELL_RULES[0]!
const cell = (s: number, beyond: number, acc = 600): CellFix => ({ ts: s * 1000, src: 'lbs', acc, beyond })

describe('cell-only start rules (the harsh trace sweep)', () => {
  it('when three cell fixes a minute apart have their whole circle 300 m beyond, then the rule fires once', () => {
    const fixes = [cell(0, 1000), cell(30, 950), cell(60, 1100), cell(90, 1200)]
    expect(firings(fixes, engineRule)).toEqual([60_000])
  })

  it('when a Wi-Fi fix comes between the cell fixes, then the count starts again', () => {
    const fixes = [cell(0, 1000), cell(30, 950), { ts: 45_000, src: 'wifi', acc: 40, beyond: -50 }, cell(60, 1100)]
    expect(firings(fixes, engineRule)).toEqual([])
  })

  it('when one of six cell fixes falls short, then an in-a-row rule does not fire', () => {
    const inARow = CELL_RULES.find((r) => r.inARow)!
    const fixes = [0, 40, 80, 120, 160, 200, 240].map((s, i) => cell(s, i === 3 ? 100 : 2000))
    expect(firings(fixes, inARow)).toEqual([])
  })
})
