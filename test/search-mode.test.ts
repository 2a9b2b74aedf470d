// Search mode through the real broker and database: the first fix suggesting an exit sends the
// band a locate and a timed fast mode; back inside, the fast mode is ended (issue 15).
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { BAND, connectBand, fixNorth } from './support/fixtures.ts'
import { eventually } from './support/service.ts'
import { useServiceWithWorld } from './support/world.ts'

describe('search mode', () => {
  let service: Service
  useServiceWithWorld((s) => {
    service = s
  })

  it('when a fix puts the wearer beyond the boundary, then the band is asked to locate and report every 5 s for 10 minutes, and back inside the fast mode ends', async () => {
    const band = await connectBand(service.mqttPort!, BAND, { clean: false })
    await band.subscribeAsync(`bands/${BAND.id}/cmd`, { qos: 1 })
    const received: Record<string, unknown>[] = []
    band.on('message', (_topic, payload) => received.push(JSON.parse(payload.toString()) as Record<string, unknown>))
    const t = Date.now() - 300_000
    const send = (seq: number, north: number, s: number) =>
      band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(seq, north, t + s * 1000)), { qos: 1 })
    await send(1, 0, 0)
    await send(2, 160, 90)
    await eventually(async () => received.length >= 2)
    expect(received.map(({ id: _, ...c }) => c)).toEqual([{ cmd: 'locate' }, { cmd: 'interval', s: 5, for: 600 }])
    await send(3, 20, 150)
    await eventually(async () => received.length >= 3)
    expect(received.map(({ id: _, ...c }) => c)[2]).toEqual({ cmd: 'interval', for: 0 })
    const rows = await service.db.query<{ command: unknown; requested_by: unknown }>(
      'SELECT command, requested_by FROM band_commands ORDER BY id',
    )
    expect(rows.rows).toEqual([
      { command: { cmd: 'locate' }, requested_by: null },
      { command: { cmd: 'interval', s: 5, for: 600 }, requested_by: null },
      { command: { cmd: 'interval', for: 0 }, requested_by: null },
    ])
    await band.endAsync()
  })
})
