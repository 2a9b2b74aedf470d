import { describe, expect, it } from 'vitest'
import { tileSource } from './http-security.ts'
import { resolveTiles, type TileConfig } from './tiles.ts'

const base: TileConfig = { tileUrl: '', tileAttribution: '', tileGcj02: 'off', tileKey: '', tileArchive: '' }

describe('base map presets', () => {
  it('when Tianditu is chosen, then both its layers carry the key, no offset is applied, and the page may load them from any of its hosts', () => {
    const m = resolveTiles({ ...base, tileUrl: 'tianditu', tileKey: 'k e y' })
    expect(m.tileUrl).toContain('LAYER=vec')
    expect(m.labelsUrl).toContain('LAYER=cva')
    expect(m.tileUrl).toContain('tk=k%20e%20y')
    expect(m.gcj02).toBe(false)
    expect(tileSource(m.tileUrl)).toBe('https://*.tianditu.gov.cn')
  })

  it('when AMap is chosen, then positions are offset into GCJ-02 for display and its hosts are allowed', () => {
    const m = resolveTiles({ ...base, tileUrl: 'amap' })
    expect(m.gcj02).toBe(true)
    expect(tileSource(m.tileUrl)).toBe('https://*.is.autonavi.com')
  })

  it('when a local archive is given, then it is the base map, served by the service itself; a template is kept as it is', () => {
    expect(resolveTiles({ ...base, tileUrl: 'amap', tileArchive: '/srv/zibo.pmtiles' })).toMatchObject({
      tileUrl: '/tiles/{z}/{x}/{y}',
      gcj02: false,
    })
    expect(
      resolveTiles({ ...base, tileUrl: 'https://tiles.example.cn/{z}/{x}/{y}.png', tileGcj02: 'on' }),
    ).toMatchObject({ tileUrl: 'https://tiles.example.cn/{z}/{x}/{y}.png', gcj02: true, labelsUrl: '' })
  })
})
