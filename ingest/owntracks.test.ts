// OwnTracks payloads in the exact shapes the apps send (booklet "JSON" page; iOS and Android).
import { describe, expect, it } from 'vitest'
import { decodeOwnTracks } from './owntracks.ts'

const opts = { now: 1_764_400_000_000, maxFutureMs: 300_000 }
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o))

// As published by OwnTracks for Android 2.4 (fields from a real message, values changed).
const android = {
  _type: 'location',
  _id: '3b4e2f1a',
  acc: 12,
  alt: 48,
  batt: 76,
  bs: 1,
  cog: 215,
  conn: 'm',
  created_at: 1764399990,
  lat: 36.81352,
  lon: 118.05491,
  m: 1,
  t: 'p',
  tid: 'wb',
  tst: 1764399980,
  vac: 4,
  vel: 4,
}
// As published by OwnTracks for iOS 17 (charging, no course).
const ios = {
  _type: 'location',
  acc: 35,
  alt: 51,
  batt: 54,
  bs: 2,
  conn: 'w',
  inregions: ['home'],
  lat: 36.8136,
  lon: 118.0551,
  m: 2,
  t: 'u',
  tid: 'WB',
  topic: 'owntracks/860000000000001/iphone',
  tst: 1764399950,
  vac: 10,
  vel: 0,
}

describe('OwnTracks payloads', () => {
  it('when the Android app sends a location, then it becomes a v1 fix (time, position, accuracy, battery, speed in m/s, course)', () => {
    expect(decodeOwnTracks('860000000000001', enc(android), opts)).toEqual({
      rejected: [],
      fixes: [
        {
          bandId: '860000000000001',
          seq: 1764399980,
          ts: 1764399980000,
          lat: 36.81352,
          lon: 118.05491,
          acc: 12,
          batt: 76,
          chg: false,
          spd: 4 / 3.6,
          hdg: 215,
          evt: [],
        },
      ],
    })
  })

  it('when the iOS app sends a location while charging, then chg is true and the rest maps the same way', () => {
    const { fixes } = decodeOwnTracks('860000000000001', enc(ios), opts)
    expect(fixes[0]).toMatchObject({
      ts: 1764399950000,
      lat: 36.8136,
      lon: 118.0551,
      acc: 35,
      batt: 54,
      chg: true,
      spd: 0,
    })
  })

  it('when the app sends a waypoint, transition or its last will, then nothing is stored and nothing is rejected', () => {
    for (const m of [
      { _type: 'lwt', tst: 1764399000 },
      { _type: 'transition', event: 'leave', tst: 1764399000, lat: 36.8, lon: 118, acc: 10, wtst: 1 },
      { _type: 'waypoint', desc: 'home', lat: 36.8, lon: 118, rad: 100, tst: 1764399000 },
    ]) {
      expect(decodeOwnTracks('b', enc(m), opts)).toEqual({ fixes: [], rejected: [] })
    }
  })

  it('when a location is bad, then it is rejected naming the field, as a band message would be', () => {
    expect(decodeOwnTracks('b', enc({ ...android, lat: 95 }), opts).rejected).toEqual([
      { reason: 'out_of_range', detail: 'lat outside -90..90' },
    ])
    expect(decodeOwnTracks('b', enc({ ...android, vel: 'fast' }), opts).rejected).toEqual([
      { reason: 'bad_type', detail: 'spd must be a finite number' },
    ])
    expect(decodeOwnTracks('b', enc({ ...android, tst: undefined }), opts).rejected).toEqual([
      { reason: 'missing_field', detail: 'ts' },
    ])
  })

  it('when the app sends an encrypted message, then it is rejected as encrypted (not silently dropped)', () => {
    expect(decodeOwnTracks('b', enc({ _type: 'encrypted', data: 'bm90IHJlYWxseSBlbmNyeXB0ZWQ=' }), opts)).toEqual({
      fixes: [],
      rejected: [{ reason: 'encrypted', detail: 'OwnTracks payload encryption is on' }],
    })
  })

  it('when a band protocol v1 report (or anything without an OwnTracks _type) arrives on an OwnTracks topic, then it is rejected as not_owntracks', () => {
    expect(decodeOwnTracks('b', enc({ v: 1, seq: 1, ts: 1764399980, lat: 36.8, lon: 118 }), opts).rejected).toEqual([
      { reason: 'not_owntracks', detail: '_type missing' },
    ])
    expect(decodeOwnTracks('b', enc({ _type: 'selfie' }), opts).rejected).toEqual([
      { reason: 'not_owntracks', detail: '_type "selfie"' },
    ])
  })

  it('when the iOS app attaches a 24 KB image to a location, then the location is kept and the image dropped', () => {
    const image = Buffer.alloc(18_000, 7).toString('base64') // 24,000 characters of JPEG as base64
    const { fixes, rejected } = decodeOwnTracks('860000000000001', enc({ ...ios, image, imagename: 'photo.jpg' }), opts)
    expect(rejected).toEqual([])
    expect(fixes).toHaveLength(1)
    expect(fixes[0]).toMatchObject({ ts: 1764399950000, lat: 36.8136, lon: 118.0551 })
    expect(JSON.stringify(fixes[0])).not.toContain('photo')
  })

  it('when an OwnTracks message is larger than the OwnTracks limit, then it is rejected as too_large', () => {
    expect(decodeOwnTracks('b', enc({ ...ios, image: 'x'.repeat(70_000) }), opts).rejected[0]!.reason).toBe('too_large')
  })
})
