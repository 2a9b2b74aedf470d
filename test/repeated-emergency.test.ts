// A second SOS or fall while the first alert is acknowledged is a new emergency: it must reach
// people again (opened, not a silent update) and escalate again if nobody answers (issue 15).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { BAND, connectBand, fixNorth, login, openLive, provisionWorld } from './support/fixtures.ts'
import { startTestService } from './support/service.ts'

describe('a repeated emergency', () => {
  let service: Service
  beforeAll(async () => {
    service = await startTestService({ ESCALATION_SECONDS: '1' })
    await provisionWorld(service.db)
  })
  afterAll(() => service?.stop())

  it('when the band reports SOS again after staff acknowledged the first, then everyone is told again and it escalates again', async () => {
    const staffCookie = await login(service.httpPort, 'staff-zhangdian')
    const family = await openLive(service.httpPort, await login(service.httpPort, 'family-wang'))
    const staff = await openLive(service.httpPort, staffCookie)
    await family.next('hello')
    await staff.next('hello')
    const band = await connectBand(service.mqttPort!, BAND)
    const t = Date.now() - 120_000
    const first = JSON.stringify(fixNorth(1, 0, t, { evt: ['sos'] }))
    await band.publishAsync(`bands/${BAND.id}/telemetry`, first, { qos: 1 })
    const opened = await family.next('alert', (m) => m.change === 'opened')
    const id = (opened.alert as { id: number }).id
    const ack = await fetch(`http://127.0.0.1:${service.httpPort}/api/alerts/${id}/acknowledge`, {
      method: 'POST',
      headers: { cookie: staffCookie },
    })
    expect(ack.status).toBe(200)
    await family.next('alert', (m) => m.change === 'acknowledged')
    // A QoS 1 redelivery of the same press is not a new emergency.
    await band.publishAsync(`bands/${BAND.id}/telemetry`, first, { qos: 1 })
    await new Promise((r) => setTimeout(r, 700))
    expect(family.messages.filter((m) => m.type === 'alert' && m.change === 'opened')).toEqual([])
    // A new press a minute later is.
    await band.publishAsync(
      `bands/${BAND.id}/telemetry`,
      JSON.stringify(fixNorth(2, 0, t + 60_000, { evt: ['sos'] })),
      { qos: 1 },
    )
    const again = await family.next('alert', (m) => m.change === 'opened')
    expect(again).toMatchObject({
      alert: { kind: 'sos', status: 'open', acknowledgedBy: null, escalationLevel: 0, fixTime: t + 60_000 },
    })
    expect(await staff.next('alert', (m) => m.change === 'escalated', 4000)).toMatchObject({
      alert: { kind: 'sos', escalationLevel: 1 },
    })
    await band.endAsync()
    family.close()
    staff.close()
  })
})
