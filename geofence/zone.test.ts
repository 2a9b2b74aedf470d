import { describe, expect, it } from 'vitest'
import { checkShape, checkZonePolicy, distanceBeyond, segmentTouches, type ZoneShape } from './zone.ts'

const LAT = 36.81352,
  LON = 118.05491
const dLat = (m: number) => m / 111_195
const dLon = (m: number) => m / (111_195 * Math.cos((LAT * Math.PI) / 180))
/** A 200 m × 80 m box (a stretch of river bank) 300–380 m north of (LAT, LON). */
const bank: ZoneShape = {
  type: 'Polygon',
  coordinates: [
    [
      [LON - dLon(100), LAT + dLat(300)],
      [LON + dLon(100), LAT + dLat(300)],
      [LON + dLon(100), LAT + dLat(380)],
      [LON - dLon(100), LAT + dLat(380)],
      [LON - dLon(100), LAT + dLat(300)],
    ],
  ],
}

describe('zone geometry', () => {
  it('when a point is inside a polygon, then its distance beyond is negative (to the nearest edge); outside, positive', () => {
    expect(distanceBeyond(bank, LAT + dLat(340), LON)).toBeCloseTo(-40, 0)
    expect(distanceBeyond(bank, LAT + dLat(250), LON)).toBeCloseTo(50, 0)
    expect(distanceBeyond({ type: 'circle', center: [LON, LAT], radiusM: 100 }, LAT + dLat(130), LON)).toBeCloseTo(
      30,
      0,
    )
  })

  it('when two fixes lie either side of a zone, then the walk between them touches it; beside it, not', () => {
    expect(segmentTouches(bank, [LON, LAT + dLat(280)], [LON, LAT + dLat(400)])).toBe(true)
    expect(segmentTouches(bank, [LON + dLon(150), LAT + dLat(280)], [LON + dLon(150), LAT + dLat(400)])).toBe(false)
    const circle: ZoneShape = { type: 'circle', center: [LON, LAT], radiusM: 50 }
    expect(segmentTouches(circle, [LON - dLon(200), LAT + dLat(40)], [LON + dLon(200), LAT + dLat(40)])).toBe(true)
    expect(segmentTouches(circle, [LON - dLon(200), LAT + dLat(60)], [LON + dLon(200), LAT + dLat(60)])).toBe(false)
  })

  it.each([
    [
      'a bow-tie polygon',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [1, 0],
            [0, 1],
            [0, 0],
          ],
        ],
      },
      'polygon intersects itself (1 crossing)',
    ],
    [
      'an unclosed ring',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
          ],
        ],
      },
      'ring 0 of polygon 0 is not closed (first and last positions differ)',
    ],
    [
      'a ring of three positions',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [0, 0],
          ],
        ],
      },
      'shape.coordinates[0] must have at least 4 items',
    ],
    [
      'a vertex off the globe',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 95],
            [0, 0],
          ],
        ],
      },
      'shape.coordinates[0][2] latitude must be a number within -90..90',
    ],
    [
      'too many vertices',
      {
        type: 'Polygon',
        coordinates: [[...Array.from({ length: 5001 }, (_, i) => [Math.cos(i / 800), Math.sin(i / 800)]), [1, 0]]],
      },
      'too many vertices: 5002 > 5000',
    ],
    ['a circle without a radius', { type: 'circle', center: [118, 36.8] }, 'shape needs "radiusM"'],
    [
      'a multipolygon with a vertex off the globe',
      {
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [0, 0],
              [1, 0],
              [1, 91],
              [0, 0],
            ],
          ],
        ],
      },
      'shape.coordinates[0][0][2] latitude must be a number within -90..90',
    ],
    [
      'an absurd radius',
      { type: 'circle', center: [118, 36.8], radiusM: 1e7 },
      'shape.radiusM must be a number within 10..50000',
    ],
    [
      'a line',
      {
        type: 'LineString',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      },
      'shape.type must be one of "circle", "Polygon", "MultiPolygon"',
    ],
  ])('when a zone is %s, then it is refused naming the problem', (_name, shape, error) => {
    expect(checkShape(shape)).toEqual({ ok: false, error })
  })

  it('when a polygon and a multipolygon are valid, then they are accepted as they are', () => {
    expect(checkShape(bank)).toEqual({ ok: true, shape: bank })
    const multi = { type: 'MultiPolygon', coordinates: [bank.type === 'Polygon' ? bank.coordinates : []] }
    expect(checkShape(multi)).toEqual({ ok: true, shape: multi })
  })
})

describe('zone policy overrides', () => {
  it.each([
    [{ confirmFixes: 0 }, 'policy.confirmFixes must be a whole number within 1..10'],
    [{ confirmFixes: 2.5 }, 'policy.confirmFixes must be a whole number within 1..10'],
    [{ exitMarginM: -5 }, 'policy.exitMarginM must be a number within 0..500'],
    [{ offlineMs: 1 }, 'policy.offlineMs is not one of exitMarginM, confirmFixes, confirmMs, maxTriggerAccM'],
    [[1], 'policy must be an object'],
  ])('when a zone sets %j, then it is refused naming the problem', (input, error) => {
    expect(checkZonePolicy(input)).toEqual({ ok: false, error })
  })
  it('when a zone sets allowed values, then they are kept', () => {
    expect(checkZonePolicy({ exitMarginM: 40, confirmMs: 120_000 })).toEqual({
      ok: true,
      policy: { exitMarginM: 40, confirmMs: 120_000 },
    })
  })
})
