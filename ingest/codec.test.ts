import { describe, expect, it } from 'vitest'
import { decodeTelemetry, MAX_PAYLOAD_BYTES } from './codec.ts'

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0)
const opts = { now: NOW, maxFutureMs: 300_000 }
const good = {
  v: 1,
  seq: 1042,
  ts: NOW / 1000 - 10.5,
  lat: 36.81352,
  lon: 118.05491,
  acc: 12,
  src: 'gps',
  batt: 76,
  spd: 0.9,
  hdg: 215,
}
const decode = (body: unknown) =>
  decodeTelemetry('860000000000001', Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), opts)

describe('decodeTelemetry', () => {
  it('when a band sends the documented example fix, then every field is kept with ts in milliseconds', () => {
    const r = decode({ ...good, chg: false, evt: ['sos'] })
    expect(r.rejected).toEqual([])
    expect(r.fixes).toEqual([
      {
        bandId: '860000000000001',
        seq: 1042,
        ts: NOW - 10_500,
        lat: 36.81352,
        lon: 118.05491,
        acc: 12,
        src: 'gps',
        batt: 76,
        chg: false,
        spd: 0.9,
        hdg: 215,
        evt: ['sos'],
      },
    ])
  })

  it('when a backlog array has one bad fix among good ones, then the good ones are kept and the bad one is named by index', () => {
    const r = decode([good, { ...good, seq: 1043, lat: 91 }, { ...good, seq: 1044 }])
    expect(r.fixes.map((f) => f.seq)).toEqual([1042, 1044])
    expect(r.rejected).toEqual([{ reason: 'out_of_range', detail: 'lat outside -90..90', index: 1 }])
  })

  it('when an event comes without a fix, then it is accepted without a position', () => {
    const r = decode({ v: 1, seq: 7, ts: NOW / 1000, evt: ['fall', 'fall'] })
    expect(r.fixes).toHaveLength(1)
    expect(r.fixes[0]).toMatchObject({ evt: ['fall'] })
    expect(r.fixes[0]!.lat).toBeUndefined()
  })

  it.each([
    ['malformed JSON', '{"v":1,', 'bad_json'],
    ['a JSON string', '"hello"', 'not_object'],
    ['an empty array', '[]', 'empty_batch'],
    ['version 2', { ...good, v: 2 }, 'unsupported_version'],
    ['no seq', { ...good, seq: undefined }, 'missing_field'],
    ['a fractional seq', { ...good, seq: 1.5 }, 'bad_type'],
    ['seq past 2^32', { ...good, seq: 2 ** 32 }, 'out_of_range'],
    ['lat as a string', { ...good, lat: '36.8' }, 'bad_type'],
    ['lon without lat', { ...good, lat: undefined }, 'missing_field'],
    ['lon 181', { ...good, lon: 181 }, 'out_of_range'],
    ['0,0 (no fix)', { ...good, lat: 0, lon: 0 }, 'out_of_range'],
    ['an infinite number', '{"v":1,"seq":1,"ts":1e999,"lat":1,"lon":1}', 'bad_type'],
    ['a fix an hour ahead', { ...good, ts: NOW / 1000 + 3600 }, 'future_fix'],
    ['a fix from 1970', { ...good, ts: 1000 }, 'stale_fix'],
    ['battery 140%', { ...good, batt: 140 }, 'out_of_range'],
    ['an unknown source', { ...good, src: 'glonass' }, 'bad_type'],
    ['an unknown event', { ...good, evt: ['dance'] }, 'unknown_event'],
    ['nothing to report', { v: 1, seq: 1, ts: NOW / 1000 }, 'empty_report'],
  ])('when the payload is %s, then it is rejected as %s', (_name, body, reason) => {
    const r = decode(body)
    expect(r.fixes).toEqual([])
    expect(r.rejected.map((x) => x.reason)).toEqual([reason])
  })

  it('when the payload is over 8 KiB, then it is rejected before parsing', () => {
    const r = decodeTelemetry('b1', Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20), opts)
    expect(r.rejected).toEqual([
      { reason: 'too_large', detail: `${MAX_PAYLOAD_BYTES + 1} bytes > ${MAX_PAYLOAD_BYTES}` },
    ])
  })

  it("when a fix predates the band's provisioning (less the grace the caller allows), then it is rejected and a later one kept", () => {
    const withStart = { ...opts, notBefore: NOW - 60_000 }
    const r = decodeTelemetry(
      'b1',
      Buffer.from(
        JSON.stringify([
          { ...good, ts: (NOW - 120_000) / 1000 },
          { ...good, seq: 2, ts: (NOW - 30_000) / 1000 },
        ]),
      ),
      withStart,
    )
    expect(r.rejected).toEqual([
      { reason: 'before_provisioning', detail: 'ts before the band was provisioned', index: 0 },
    ])
    expect(r.fixes.map((f) => f.seq)).toEqual([2])
  })

  it('when the payload is not UTF-8, then it is rejected as such', () => {
    expect(decodeTelemetry('b1', Buffer.from([0xff, 0xfe, 0x7b]), opts).rejected[0]!.reason).toBe('bad_encoding')
  })

  it('when a rejection is reported, then its detail never carries the coordinates', () => {
    const r = decode({ ...good, lat: 95.123456 })
    expect(JSON.stringify(r.rejected)).not.toContain('95.12')
  })
})
