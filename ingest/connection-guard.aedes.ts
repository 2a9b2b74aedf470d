// Hands each connection to aedes with a bound on what it may make the broker hold: a packet
// declared larger than the limit closes the connection as soon as its fixed header is read.
//
// aedes reads a connection in paused mode, `conn.read(null)` on each 'readable', and parses what
// it got; wrapping the socket's own read() sees every byte before aedes buffers it, costs no copy
// and keeps aedes' pause/resume (backpressure.aedes.ts) working. test/broker-limits.test.ts
// streams a 200 MiB CONNECT to make sure this stays true across aedes versions.
import type { Socket } from 'node:net'
import type { Aedes, Client } from 'aedes'
import { BAND_ID } from './topics.ts'
import { createPacketScanner, type PacketLimits, type Verdict } from './packet-limit.ts'

/**
 * Band protocol v1 payloads are at most 8 KiB (docs/band-protocol.md); a packet also carries its topic and
 * properties. A CONNECT holds an id, a secret and a short will. Once connected, OwnTracks
 * locations may carry an image (the iOS app attaches ~24 KB): decoded without it (owntracks.ts).
 */
export const PACKET_LIMITS: PacketLimits = {
  beforeConnect: 16 * 1024,
  afterConnect: 64 * 1024,
  bytesBeforeConnect: 64 * 1024,
}

export type Refusal = Extract<Verdict, { ok: false }> & { bandId: string | undefined; connected: boolean }

export function guardedHandler(aedes: Aedes, limits: PacketLimits, refused: (r: Refusal) => void) {
  return (socket: Socket): void => {
    const scanner = createPacketScanner(limits)
    let client: Client | undefined
    const read = socket.read.bind(socket)
    socket.read = (size?: number) => {
      const chunk = read(size) as Buffer | string | null
      if (chunk === null || client === undefined || socket.destroyed) return chunk
      const connected = client.connected
      const verdict = scanner.feed(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, connected)
      if (verdict.ok) return chunk
      refused({ ...verdict, connected, bandId: connected && BAND_ID.test(client.id) ? client.id : undefined })
      socket.destroy()
      return null
    }
    client = aedes.handle(socket)
  }
}
