// Bounds on what a connection may make the embedded broker hold, read from each MQTT packet's
// fixed header before its body arrives. Pure: bytes in, a verdict out.
//
// aedes buffers a packet whole before handing it on, and takes any declared length (MQTT allows
// 256 MiB), so a client that never authenticates could declare a huge CONNECT and stream it.
// A packet is one type byte, its remaining length as 1–4 bytes of 7 bits each (MQTT 3.1.1 §2.2.3,
// MQTT 5 §1.5.5), then that many bytes.

export interface PacketLimits {
  /** Largest packet (fixed header included) before the broker has accepted the CONNECT. */
  beforeConnect: number
  /** Largest packet afterwards. */
  afterConnect: number
  /** Most bytes a connection may send before its CONNECT is accepted. */
  bytesBeforeConnect: number
}

export type Verdict =
  | { ok: true }
  | { ok: false; reason: 'packet_too_large' | 'too_much_before_connect' | 'malformed_length'; bytes: number }

export interface PacketScanner {
  /** Scans the next bytes read from the connection; `connected` says whether its CONNECT was accepted. */
  feed(chunk: Uint8Array, connected: boolean): Verdict
}

export function createPacketScanner(limits: PacketLimits): PacketScanner {
  let inHeader = true
  let headerBytes = 0 // bytes of the current fixed header seen (type byte + length bytes)
  let length = 0
  let multiplier = 1
  let left = 0 // body bytes of the current packet still to come
  let total = 0
  return {
    feed(chunk, connected) {
      total += chunk.byteLength
      if (!connected && total > limits.bytesBeforeConnect) {
        return { ok: false, reason: 'too_much_before_connect', bytes: total }
      }
      let i = 0
      while (i < chunk.byteLength) {
        if (!inHeader) {
          const skip = Math.min(left, chunk.byteLength - i)
          i += skip
          left -= skip
          if (left === 0) inHeader = true
          continue
        }
        const byte = chunk[i++]!
        headerBytes++
        if (headerBytes === 1) continue // packet type and flags
        length += (byte & 0x7f) * multiplier
        multiplier *= 128
        if (byte & 0x80) {
          if (headerBytes === 5) return { ok: false, reason: 'malformed_length', bytes: length }
          continue
        }
        const size = headerBytes + length
        const max = connected ? limits.afterConnect : limits.beforeConnect
        if (size > max) return { ok: false, reason: 'packet_too_large', bytes: size }
        left = length
        inHeader = left === 0
        headerBytes = 0
        length = 0
        multiplier = 1
      }
      return { ok: true }
    },
  }
}
