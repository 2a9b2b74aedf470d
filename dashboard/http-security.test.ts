import { describe, expect, it } from 'vitest'
import { originAllowed, tileSource } from './http-security.ts'

describe('origins and tile sources', () => {
  it('when no public origin is configured, then only the origin the request was addressed to is allowed, and a missing Origin (no browser) passes', () => {
    expect(originAllowed('http://127.0.0.1:8080', [], 'http://127.0.0.1:8080')).toBe(true)
    expect(originAllowed('http://127.0.0.1:9090', [], 'http://127.0.0.1:8080')).toBe(false)
    expect(originAllowed('null', [], 'http://127.0.0.1:8080')).toBe(false)
    expect(originAllowed(undefined, [], 'http://127.0.0.1:8080')).toBe(true)
  })

  it('when public origins are configured, then exactly those are allowed, whatever the request was addressed to', () => {
    const own = ['https://tongxing.example.cn', 'https://tx.example.cn']
    expect(originAllowed('https://tx.example.cn', own, 'http://127.0.0.1:8080')).toBe(true)
    expect(originAllowed('https://evil.tongxing.example.cn', own, 'https://evil.tongxing.example.cn')).toBe(false)
  })

  it('when a tile template has a subdomain placeholder, then the CSP source is a wildcard host; without a usable host, none', () => {
    expect(tileSource('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png')).toBe('https://*.tile.openstreetmap.org')
    expect(tileSource('https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}')).toBe('https://t0.tianditu.gov.cn')
    expect(tileSource('/tiles/{z}/{x}/{y}.png')).toBeUndefined()
    expect(tileSource('')).toBeUndefined()
  })
})
