// What a connection may make the embedded broker hold. Broker, database and dashboard share the
// process: a client that streams a huge packet must be cut off before it costs memory.
import { connect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { BAND, connectBand, fixNorth } from './support/fixtures.ts'
import { useServiceWithWorld } from './support/world.ts'

const MiB = 2 ** 20

/** An MQTT fixed header: packet type byte, then the remaining length (MQTT 3.1.1 §2.2.3). */
function fixedHeader(type: number, length: number): Buffer {
  const out = [type]
  do {
    let b = length % 128
    length = Math.floor(length / 128)
    if (length > 0) b |= 0x80
    out.push(b)
  } while (length > 0)
  return Buffer.from(out)
}

/** Streams up to `total` bytes after `head` until the server closes the socket; how many went. */
async function stream(socket: Socket, head: Buffer, total: number): Promise<{ sent: number; closed: boolean }> {
  let closed = false
  socket.on('error', () => undefined)
  const gone = new Promise<void>((r) =>
    socket.once('close', () => {
      closed = true
      r()
    }),
  )
  const chunk = Buffer.alloc(64 * 1024, 0x61)
  let sent = 0
  socket.write(head)
  while (!closed && sent < total) {
    sent += chunk.length
    if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.once('drain', r)), gone])
  }
  await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))])
  socket.destroy()
  return { sent, closed }
}

describe('packet limits on the embedded broker', () => {
  let service: Service
  useServiceWithWorld((s) => {
    service = s
  })

  const metric = async (line: string) => {
    const text = await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text()
    return Number(
      text
        .split('\n')
        .find((l) => l.startsWith(`${line} `))
        ?.split(' ')[1] ?? 0,
    )
  }
  const open = () =>
    new Promise<Socket>((resolve) => {
      const s = connect(service.mqttPort!, '127.0.0.1', () => resolve(s))
    })

  it('when four unauthenticated sockets each declare a 200 MiB CONNECT and stream it, then each is closed and memory stays bounded', async () => {
    const before = process.memoryUsage().rss
    const sockets = await Promise.all([1, 2, 3, 4].map(open))
    const results = await Promise.all(sockets.map((s) => stream(s, fixedHeader(0x10, 200 * MiB), 200 * MiB)))
    for (const r of results) {
      expect(r.closed).toBe(true)
      expect(r.sent).toBeLessThan(32 * MiB) // what the kernel's buffers took before the close was seen
    }
    expect((process.memoryUsage().rss - before) / MiB).toBeLessThan(64)
    expect(await metric('tongxing_connect_refused_total{reason="packet_too_large"}')).toBe(4)
  })

  it('when a connected band declares a 100 MiB publish, then it is disconnected, and its next connection is stored as usual', async () => {
    const band = await connectBand(service.mqttPort!, BAND)
    const socket = band.stream as Socket
    const closed = new Promise<void>((r) => band.once('close', () => r()))
    band.on('error', () => undefined)
    socket.write(Buffer.concat([fixedHeader(0x32, 100 * MiB), Buffer.alloc(64 * 1024)]))
    await closed
    band.end(true)
    expect(await metric('tongxing_rejected_total{reason="packet_too_large"}')).toBe(1)
    const again = await connectBand(service.mqttPort!, BAND)
    await again.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(1, 0, Date.now() - 1000)), {
      qos: 1,
    })
    await again.endAsync()
    expect((await service.db.query('SELECT 1 FROM positions WHERE band_id = $1', [BAND.id])).rowCount).toBe(1)
  })

  it('when a socket connects and sends nothing, then it is closed after the connect timeout', async () => {
    const s = await open()
    const t0 = Date.now()
    await new Promise((r) => s.once('close', r))
    expect(Date.now() - t0).toBeLessThan(12_000)
  }, 20_000)
})
