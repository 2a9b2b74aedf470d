// An SOS or a fall in a band's late backlog (taken while resident A wore the band, arriving after
// it went to B or back to the shelf) is A's emergency: the alert is raised for A, marked late, and
// reaches A's family — never B's, and never silently dropped.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertResident, insertUser } from '../dashboard/index.ts'
import { BAND, HOME, PASSWORD, connectBand, login, openLive } from './support/fixtures.ts'
import { eventually } from './support/service.ts'
import { useServiceWithWorld, type World } from './support/world.ts'

const fix = (seq: number, tsMs: number, evt: string[]) => ({
  v: 1,
  seq,
  ts: tsMs / 1000,
  lat: HOME.lat,
  lon: HOME.lon,
  acc: 8,
  src: 'gps',
  evt,
})

describe("an alarm from the previous wearer's time", () => {
  let service: Service
  let world: World
  useServiceWithWorld((s, w) => {
    service = s
    world = w
  })

  const publish = async (fixes: unknown[]) => {
    const c = await connectBand(service.mqttPort!, BAND)
    await c.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixes), { qos: 1 })
    await c.endAsync()
  }
  const alerts = async (residentId: number) =>
    (
      await service.db.query<{ kind: string; evidence: { late?: boolean } }>(
        'SELECT kind, evidence FROM alerts WHERE resident_id = $1 ORDER BY id',
        [residentId],
      )
    ).rows
  /** Changes the band's wearer; the geofence has reloaded who wears what when it returns. */
  const giveBandTo = async (residentId: number | null) => {
    await service.db.query('UPDATE bands SET resident_id = $2 WHERE id = $1', [BAND.id, residentId])
    await service.refreshTopology()
  }

  it("when A's fall arrives after the band went to B, then the alert is A's, marked late, to A's kin", async () => {
    const residentB = await insertResident(service.db, 'Zhao Guilan', world.centre)
    await insertUser(service.db, {
      username: 'family-zhao',
      password: PASSWORD,
      role: 'family',
      residentIds: [residentB],
    })
    const liveA = await openLive(service.httpPort, await login(service.httpPort, 'family-wang'))
    const liveB = await openLive(service.httpPort, await login(service.httpPort, 'family-zhao'))
    await Promise.all([liveA.next('snapshot'), liveB.next('snapshot')])
    const handedAt = Date.now()
    await giveBandTo(residentB)
    await publish([fix(1, handedAt - 60_000, ['fall'])])

    const heard = await liveA.next('alert', 5000)
    expect(heard).toMatchObject({ alert: { residentId: world.resident, kind: 'fall', evidence: { late: true } } })
    expect(await alerts(world.resident)).toEqual([{ kind: 'fall', evidence: expect.objectContaining({ late: true }) }])
    await new Promise((r) => setTimeout(r, 300))
    expect(await alerts(residentB)).toEqual([])
    expect(liveB.messages.filter((m) => m.type === 'alert')).toEqual([])
    liveA.close()
    liveB.close()
  })

  it("when B's SOS arrives after the band was taken off B, then the alert is B's, marked late", async () => {
    const residentB = (
      await service.db.query<{ resident_id: number }>('SELECT resident_id FROM bands WHERE id = $1', [BAND.id])
    ).rows[0]!.resident_id
    const t = Date.now() - 100 // while B wore the band (since the test above)
    await giveBandTo(null)
    await publish([fix(2, t, ['sos'])])
    await eventually(async () => (await alerts(residentB)).length > 0)
    expect(await alerts(residentB)).toEqual([{ kind: 'sos', evidence: expect.objectContaining({ late: true }) }])
  })
})
