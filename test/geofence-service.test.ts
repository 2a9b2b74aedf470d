// The geofence engine behind the real broker and database: the alert lifecycle as a care
// worker's socket sees it, the timer-driven "left, then silent" rule, and a restart that neither
// drops nor repeats an open alert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MqttClient } from 'mqtt'
import type { Service } from '../bin/service.ts'
import { BACKENDS, type TestDatabase } from './support/databases.ts'
import {
  BAND,
  OTHER_BAND,
  connectBand,
  fixNorth,
  login,
  openLive,
  provisionWorld,
  type LiveClient,
} from './support/fixtures.ts'
import { eventually, startTestService } from './support/service.ts'

describe('geofence in the running service', () => {
  let database: TestDatabase
  let service: Service
  let clock = Date.now()
  const now = () => clock
  const env = () => ({ DATABASE_URL: database.url, ...BACKENDS[0]!.env })
  let world: Awaited<ReturnType<typeof provisionWorld>>

  beforeAll(async () => {
    database = await BACKENDS[0]!.start()
    service = await startTestService(env(), now)
    world = await provisionWorld(service.db)
    await new Promise((r) => setTimeout(r, 300))
  })
  afterAll(async () => {
    await service?.stop()
    await database?.stop()
  })

  const send = async (band: MqttClient, id: string, fixes: object[]) => {
    for (const f of fixes) await band.publishAsync(`bands/${id}/telemetry`, JSON.stringify(f), { qos: 1 })
  }
  const alerts = async (residentId: number) =>
    (
      await service.db.query<{ kind: string; status: string; severity: string }>(
        'SELECT kind, status, severity FROM alerts WHERE resident_id = $1 ORDER BY id',
        [residentId],
      )
    ).rows
  const staffSocket = async (): Promise<LiveClient> => {
    const live = await openLive(service.httpPort, await login(service.httpPort, 'staff-zhangdian'))
    await live.next('hello')
    return live
  }

  it('when the wearer walks out and back, then the socket gets the alert opened and then resolved', async () => {
    const live = await staffSocket()
    const band = await connectBand(service.mqttPort!, BAND)
    const t = clock - 600_000
    await send(band, BAND.id, [fixNorth(1, 0, t), fixNorth(2, 300, t + 30_000), fixNorth(3, 320, t + 90_000)])
    expect(await live.next('alert')).toMatchObject({
      change: 'opened',
      alert: { kind: 'left_safe_zone', severity: 'high', status: 'open' },
    })
    await send(band, BAND.id, [fixNorth(4, 20, t + 120_000), fixNorth(5, 0, t + 150_000)])
    expect(await live.next('alert')).toMatchObject({
      change: 'resolved',
      alert: { kind: 'left_safe_zone', status: 'resolved', evidence: { resolvedBecause: 'back inside' } },
    })
    await band.endAsync()
    live.close()
  })

  it('when the wearer steps out and the band goes silent, then the timer raises a critical alert without another message', async () => {
    const live = await staffSocket()
    const band = await connectBand(service.mqttPort!, BAND)
    const t = clock - 300_000
    // A walk (1.7 m/s) out of the 100 m zone: a 400 m jump in 30 s would be held as multipath (issue 15).
    await send(band, BAND.id, [fixNorth(10, 90, t), fixNorth(11, 140, t + 30_000)])
    await band.endAsync()
    await new Promise((r) => setTimeout(r, 300))
    expect(live.messages.filter((m) => m.type === 'alert')).toEqual([])
    clock += 4 * 60_000 // nobody hears from the band for four minutes
    expect(await live.next('alert')).toMatchObject({
      change: 'opened',
      alert: { kind: 'left_safe_zone', severity: 'critical', evidence: { rule: 'left, then silent' } },
    })
    await new Promise((r) => setTimeout(r, 300)) // a tick starts the reminder clock
    clock += 10 * 60_000 // ten minutes on, still nothing: the open alert is repeated as a reminder
    const reminder = await live.next('alert', (m) => m.change === 'reminded')
    expect(reminder).toMatchObject({
      alert: {
        kind: 'left_safe_zone',
        status: 'open',
        evidence: { rule: 'left, then silent', stillOutside: { rule: 'still outside' } },
      },
    })
    live.close()
  })

  it('when the service restarts while an alert is open, then the wearer still outside raises nothing new, and coming back resolves it', async () => {
    const band = await connectBand(service.mqttPort!, OTHER_BAND)
    const t = clock - 600_000
    const out = (seq: number, s: number) => ({
      ...fixNorth(seq, 0, t + s * 1000),
      lat: 36.49 + 400 / 111_195,
      lon: 117.87,
    })
    const home = (seq: number, s: number) => ({ ...fixNorth(seq, 0, t + s * 1000), lat: 36.49, lon: 117.87 })
    await send(band, OTHER_BAND.id, [home(1, 0), out(2, 30), out(3, 90)])
    await band.endAsync()
    await eventually(async () => (await alerts(world.otherResident)).length === 1)

    await service.stop()
    service = await startTestService(env(), now)
    const live = await openLive(service.httpPort, await login(service.httpPort, 'staff-boshan'))
    await live.next('hello')
    const again = await connectBand(service.mqttPort!, OTHER_BAND)
    await send(again, OTHER_BAND.id, [out(4, 120), out(5, 150), out(6, 210), out(7, 270)])
    await new Promise((r) => setTimeout(r, 300))
    // Nothing announced: the rebuilt state knew the wearer was already out and alerted.
    expect(live.messages.filter((m) => m.type === 'alert')).toEqual([])
    expect(await alerts(world.otherResident)).toEqual([{ kind: 'left_safe_zone', status: 'open', severity: 'high' }])
    await send(again, OTHER_BAND.id, [home(8, 300), home(9, 330)])
    await again.endAsync()
    expect(await live.next('alert')).toMatchObject({ change: 'resolved' })
    expect((await alerts(world.otherResident))[0]!.status).toBe('resolved')
    live.close()
  })

  it('when the band sends SOS inside a backlog upload, then a critical SOS alert opens', async () => {
    const live = await staffSocket()
    const band = await connectBand(service.mqttPort!, BAND)
    const t = clock - 900_000
    await send(band, BAND.id, [[fixNorth(20, 0, t), fixNorth(21, 0, t + 30_000, { evt: ['sos'] })]])
    await band.endAsync()
    const sos = await live.next('alert', (m) => (m.alert as { kind: string }).kind === 'sos')
    expect(sos).toMatchObject({ change: 'opened', alert: { kind: 'sos', severity: 'critical', zoneId: null } })
    live.close()
  })
})
