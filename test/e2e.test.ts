// The whole path with real components: a band publishes over MQTT to the embedded broker,
// its fixes land in the database, the wander raises an alert, and the alert reaches the
// care centre's socket — and nobody else's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MqttClient } from 'mqtt'
import type { Service } from '../bin/service.ts'
import { BACKENDS, type TestDatabase } from './support/databases.ts'
import { BAND, connectBand, fixNorth, login, openLive, provisionWorld } from './support/fixtures.ts'
import { eventually, startTestService } from './support/service.ts'

describe.each(BACKENDS)('end to end on $name', (backend) => {
  let database: TestDatabase
  let service: Service
  let world: Awaited<ReturnType<typeof provisionWorld>>

  beforeAll(async () => {
    database = await backend.start()
    service = await startTestService({ DATABASE_URL: database.url, ...backend.env })
    world = await provisionWorld(service.db)
  })
  afterAll(async () => {
    await service?.stop()
    await database?.stop()
  })

  it('when a band walks out of its safe zone, then its fixes are stored and only its care centre and family receive the alert', async () => {
    const staff = await openLive(service.httpPort, await login(service.httpPort, 'staff-zhangdian'))
    const family = await openLive(service.httpPort, await login(service.httpPort, 'family-wang'))
    const otherStaff = await openLive(service.httpPort, await login(service.httpPort, 'staff-boshan'))
    for (const c of [staff, family, otherStaff]) await c.next('hello')
    // The geofence knows the zones provisioned after it started.
    await service.refreshTopology()

    const band: MqttClient = await connectBand(service.mqttPort!, BAND)
    const t0 = Date.now() - 120_000
    const walk = [0, 40, 80, 160, 260, 300].map((north, i) => fixNorth(100 + i, north, t0 + i * 30_000))
    for (const fix of walk) await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fix), { qos: 1 })
    await band.endAsync()

    // Acknowledged means stored: every PUBACK above came after its row was written.
    const rows = await service.db.query<{ seq: number; lat: number; acc: number }>(
      'SELECT seq, lat, acc FROM positions WHERE band_id = $1 ORDER BY fix_time',
      [BAND.id],
    )
    expect(rows.rows.map((r) => r.seq)).toEqual([100, 101, 102, 103, 104, 105])
    expect(rows.rows[5]!.lat).toBeCloseTo(walk[5]!.lat, 6)

    const [atCentre, atHome] = await Promise.all([staff.next('alert'), family.next('alert')])
    for (const m of [atCentre, atHome]) {
      expect(m).toMatchObject({
        change: 'opened',
        alert: {
          residentId: world.resident,
          kind: 'left_safe_zone',
          zoneId: world.zone,
          status: 'open',
          bandId: BAND.id,
        },
      })
    }
    // 160 m north (60 m beyond the 100 m zone) starts the exit; the fix a minute later confirms it.
    expect((atCentre.alert as { fixTime: number }).fixTime).toBe(t0 + 5 * 30_000)

    const stored = await service.db.query('SELECT kind, status FROM alerts WHERE resident_id = $1', [world.resident])
    expect(stored.rows).toEqual([{ kind: 'left_safe_zone', status: 'open' }])
    await new Promise((r) => setTimeout(r, 300))
    expect(otherStaff.messages.filter((m) => m.type === 'alert')).toEqual([])
    for (const c of [staff, family, otherStaff]) c.close()
  })

  it('when a socket connects without a session, then it is refused with 401', async () => {
    await expect(openLive(service.httpPort)).rejects.toMatchObject({ statusCode: 401 })
    await expect(openLive(service.httpPort, 'tx_session=forged')).rejects.toMatchObject({ statusCode: 401 })
  })

  it("when staff list alerts, then they see their centre's and another centre's staff see none of them", async () => {
    const get = async (user: string) => {
      const res = await fetch(`http://127.0.0.1:${service.httpPort}/api/alerts`, {
        headers: { cookie: await login(service.httpPort, user) },
      })
      return ((await res.json()) as { alerts: { residentId: number }[] }).alerts
    }
    await eventually(async () => (await get('staff-zhangdian')).length === 1)
    expect((await get('staff-zhangdian')).map((a) => a.residentId)).toEqual([world.resident])
    expect(await get('staff-boshan')).toEqual([])
  })
})
