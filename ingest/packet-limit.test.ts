import { describe, expect, it } from 'vitest'
import { createPacketScanner } from './packet-limit.ts'

const limits = { beforeConnect: 1024, afterConnect: 64 * 1024, bytesBeforeConnect: 4096 }
/** A fixed header declaring `length` body bytes, and nothing of the body. */
const header = (type: number, length: number) => {
  const out = [type]
  do {
    let b = length % 128
    length = Math.floor(length / 128)
    if (length > 0) b |= 0x80
    out.push(b)
  } while (length > 0)
  return Uint8Array.from(out)
}

/** A QoS 1 PUBLISH of `bytes` body bytes (the contents do not matter to the scanner). */
const publish = (bytes: number) => Buffer.concat([header(0x32, bytes), Buffer.alloc(bytes)])

describe('packet limits read from fixed headers', () => {
  it('when an unauthenticated client declares a 200 MiB CONNECT, then the header alone condemns it', () => {
    expect(createPacketScanner(limits).feed(header(0x10, 200 * 2 ** 20), false)).toMatchObject({
      ok: false,
      reason: 'packet_too_large',
    })
  })

  it('when the header arrives one byte at a time, then it is still read', () => {
    const s = createPacketScanner(limits)
    const h = header(0x10, 5000)
    for (const b of h.slice(0, -1)) expect(s.feed(Uint8Array.of(b), false)).toEqual({ ok: true })
    expect(s.feed(h.slice(-1), false)).toMatchObject({ ok: false, bytes: h.length + 5000 })
  })

  it('when an accepted band sends packets back to back, split anywhere, then only one over the limit is refused', () => {
    const s = createPacketScanner(limits)
    const stream = Buffer.concat([publish(9000), publish(20_000), publish(10)])
    for (let i = 0; i < stream.length; i += 777) expect(s.feed(stream.subarray(i, i + 777), true)).toEqual({ ok: true })
    expect(s.feed(publish(70_000), true)).toMatchObject({ ok: false, reason: 'packet_too_large' })
  })

  it('when a client sends many small packets before its CONNECT is accepted, then the total is bounded', () => {
    const s = createPacketScanner(limits)
    const ping = Uint8Array.of(0xc0, 0)
    let verdict = s.feed(ping, false)
    for (let i = 0; i < 3000 && verdict.ok; i++) verdict = s.feed(ping, false)
    expect(verdict).toMatchObject({ ok: false, reason: 'too_much_before_connect' })
  })

  it('when a remaining length runs past four bytes, then it is malformed', () => {
    expect(createPacketScanner(limits).feed(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), true)).toMatchObject({
      ok: false,
      reason: 'malformed_length',
    })
  })
})
