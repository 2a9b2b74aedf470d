// The noise model's spread matches its parameters.
import { describe, expect, it } from 'vitest'
import { delta } from './geo.ts'
import { DEFAULT_NOISE, measure } from './noise.ts'
import { createRng } from './random.ts'

const HOME = { lat: 36.81352, lon: 118.05491 }
const N = 100_000

function sample(indoor: boolean) {
  const rng = createRng(7)
  return Array.from({ length: N }, () => measure(HOME, indoor, DEFAULT_NOISE, rng))
}
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / xs.length)

describe('GPS noise model', () => {
  it('when outdoors, then fixes scatter with the GPS sigma per axis, multipath jumps come at their rate, and accuracy is about 1.5 sigma', () => {
    const fixes = sample(false)
    const clean = fixes.filter((f) => !f.multipath)
    const east = clean.map((f) => delta(HOME, f).east)
    const north = clean.map((f) => delta(HOME, f).north)
    expect(sd(east)).toBeGreaterThan(DEFAULT_NOISE.sigma.gps * 0.95)
    expect(sd(east)).toBeLessThan(DEFAULT_NOISE.sigma.gps * 1.05)
    expect(sd(north)).toBeCloseTo(DEFAULT_NOISE.sigma.gps, 0)
    expect(fixes.every((f) => f.src === 'gps')).toBe(true)
    const jumps = fixes.filter((f) => f.multipath)
    expect(jumps.length / N).toBeGreaterThan(DEFAULT_NOISE.multipath * 0.85)
    expect(jumps.length / N).toBeLessThan(DEFAULT_NOISE.multipath * 1.15)
    for (const j of jumps)
      expect(Math.hypot(delta(HOME, j).east, delta(HOME, j).north)).toBeGreaterThan(DEFAULT_NOISE.multipathM[0] - 20)
    const meanAcc = clean.reduce((a, f) => a + f.acc, 0) / clean.length
    expect(meanAcc).toBeGreaterThan(DEFAULT_NOISE.sigma.gps * 1.5 * 0.9)
    expect(meanAcc).toBeLessThan(DEFAULT_NOISE.sigma.gps * 1.5 * 1.25)
  })

  it("when indoors, then sources follow the model's mix and cell-tower fixes are coarse", () => {
    const fixes = sample(true)
    const share = (src: string) => fixes.filter((f) => f.src === src).length / N
    expect(share('wifi')).toBeCloseTo(DEFAULT_NOISE.indoorWifi, 1)
    expect(share('lbs')).toBeCloseTo(DEFAULT_NOISE.indoorLbs, 1)
    const lbs = fixes.filter((f) => f.src === 'lbs').map((f) => delta(HOME, f).east)
    expect(sd(lbs)).toBeGreaterThan(DEFAULT_NOISE.sigma.lbs * 0.9)
    expect(sd(lbs)).toBeLessThan(DEFAULT_NOISE.sigma.lbs * 1.1)
    expect(Math.min(...fixes.filter((f) => f.src === 'lbs').map((f) => f.acc))).toBeGreaterThan(250)
  })
})
