// The datum conversion the page's navigation links use (dashboard/web/datum.js over gcoord), checked
// against published vectors: coordtransform's README (wandergis/coordtransform, the reference JS
// implementation of the GCJ-02 and BD-09 formulas) for Beijing, and no offset outside China.
import { createRequire } from 'node:module'
import { beforeAll, describe, expect, it } from 'vitest'
import { inDatum, loadDatum, navLinks } from './web/datum.js'

// gcoord's own type declarations export nothing: its shape, as used here.
type Gcoord = { transform(p: number[], from: string, to: string): number[]; WGS84: string; GCJ02: string; BD09: string }
const gcoord = createRequire(import.meta.url)('gcoord') as Gcoord

const close = (got: number[], want: number[]) => {
  for (const [i, w] of want.entries()) expect(got[i]).toBeCloseTo(w, 8)
}

describe('WGS-84 to the Chinese map datums', () => {
  beforeAll(() => loadDatum(gcoord))

  it('when a WGS-84 point in Beijing is converted, then it matches the published GCJ-02 vector', () => {
    // wgs84togcj02(116.404, 39.915) = [116.41024449916938, 39.91640428150164]
    close(inDatum(39.915, 116.404, 'GCJ02'), [39.91640428150164, 116.41024449916938])
  })

  it('when that GCJ-02 point goes on to Baidu, then it matches the published BD-09 vector', () => {
    // gcj02tobd09(116.404, 39.915) = [116.41036949371029, 39.92133699351022]
    const [lat, lon] = gcoord.transform([116.404, 39.915], gcoord.GCJ02, gcoord.BD09)
    close([lat!, lon!].reverse(), [39.92133699351022, 116.41036949371029])
  })

  it('when a point in Zibo is converted, then it moves a street width (100–700 m) and the way back lands within a metre', () => {
    const [glat, glon] = inDatum(36.81352, 118.05491, 'GCJ02')
    const shift = Math.hypot(
      (glat - 36.81352) * 111_320,
      (glon - 118.05491) * 111_320 * Math.cos((36.8 * Math.PI) / 180),
    )
    expect(shift).toBeGreaterThan(100)
    expect(shift).toBeLessThan(700)
    const [lon, lat] = gcoord.transform([glon, glat], gcoord.GCJ02, gcoord.WGS84)
    expect(Math.abs(lat! - 36.81352) * 111_320).toBeLessThan(1)
    expect(Math.abs(lon! - 118.05491) * 111_320).toBeLessThan(1)
  })

  it('when a point is outside China, then it is not offset', () => {
    close(inDatum(48.85, 2.35, 'GCJ02'), [48.85, 2.35])
  })

  it('when a navigation link is made, then AMap gets GCJ-02 (lon,lat) and Baidu BD-09 with its coordinate type', () => {
    const nav = navLinks(39.915, 116.404, '王建国')
    expect(nav.amap).toContain('position=116.410244,39.916404')
    expect(nav.amap).toContain(`name=${encodeURIComponent('王建国')}`)
    expect(nav.baidu).toContain('coord_type=bd09ll')
    const [blat, blon] = inDatum(39.915, 116.404, 'BD09')
    expect(nav.baidu).toContain(`location=${blat.toFixed(6)},${blon.toFixed(6)}`)
  })
})
