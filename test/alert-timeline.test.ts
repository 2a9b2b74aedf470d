// Who did what to an alert, through the API: notes without resolving, the timeline in order with
// each person's name and role (a family member's actions as theirs), heard live by the others; staff
// reopen a resolved alert, a family member may not, and not while another is open for the same thing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { raiseAlert } from '../geofence/index.ts'
import { BAND, login, openLive, provisionWorld } from './support/fixtures.ts'
import { startTestService } from './support/service.ts'

describe("an alert's timeline", () => {
  let service: Service
  let world: Awaited<ReturnType<typeof provisionWorld>>
  const url = (path: string) => `http://127.0.0.1:${service.httpPort}${path}`
  beforeAll(async () => {
    service = await startTestService({ ESCALATION_SECONDS: '3600' })
    world = await provisionWorld(service.db)
  })
  afterAll(() => service?.stop())

  const call = async (method: string, path: string, cookie: string, body?: unknown) => {
    const json: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' }
    const res = await fetch(url(path), {
      method,
      headers: { cookie, ...json },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const raise = async () =>
    (await raiseAlert(service.db, {
      residentId: world.resident,
      bandId: BAND.id,
      zoneId: null,
      kind: 'sos',
      fixTime: Date.now(),
      evidence: {},
    }))!.alert

  it('when staff acknowledge, a family member and staff add notes and staff resolve, then everyone who sees the alert reads who did each, in order', async () => {
    const staff = await login(service.httpPort, 'staff-zhangdian')
    const family = await login(service.httpPort, 'family-wang')
    const familySocket = await openLive(service.httpPort, family)
    await familySocket.next('hello')
    const alert = await raise()
    expect((await call('POST', `/api/alerts/${alert.id}/acknowledge`, staff)).status).toBe(200)
    expect((await call('POST', `/api/alerts/${alert.id}/notes`, family, { note: '我马上到' })).status).toBe(200)
    expect((await call('POST', `/api/alerts/${alert.id}/notes`, staff, { note: 'called the daughter' })).status).toBe(
      200,
    )
    expect(await familySocket.next('alert', (m) => m.change === 'noted')).toMatchObject({
      alert: { id: alert.id, status: 'acknowledged' },
    })
    expect((await call('POST', `/api/alerts/${alert.id}/resolve`, staff, { note: 'found, safe' })).status).toBe(200)
    familySocket.close()

    const seen = (await call('GET', `/api/alerts/${alert.id}/timeline`, family)).body.events as Record<
      string,
      unknown
    >[]
    expect(seen.map((e) => [e.kind, e.username, e.role, e.note])).toEqual([
      ['opened', null, null, null],
      ['acknowledged', 'staff-zhangdian', 'staff', null],
      ['note', 'family-wang', 'family', '我马上到'],
      ['note', 'staff-zhangdian', 'staff', 'called the daughter'],
      ['resolved', 'staff-zhangdian', 'staff', 'found, safe'],
    ])
    const other = await login(service.httpPort, 'staff-boshan')
    expect((await call('GET', `/api/alerts/${alert.id}/timeline`, other)).status).toBe(404)
    expect((await call('POST', `/api/alerts/${alert.id}/notes`, other, { note: 'x' })).status).toBe(404)
  })

  it('when staff reopen a resolved alert, then it is open again and the timeline says who; a family member cannot, nor anyone while another is open for the same thing', async () => {
    const staff = await login(service.httpPort, 'staff-zhangdian')
    const family = await login(service.httpPort, 'family-wang')
    const alert = await raise()
    expect((await call('POST', `/api/alerts/${alert.id}/resolve`, staff, { note: 'false alarm' })).status).toBe(200)
    expect((await call('POST', `/api/alerts/${alert.id}/reopen`, family)).status).toBe(403)
    const reopened = await call('POST', `/api/alerts/${alert.id}/reopen`, staff)
    expect(reopened).toMatchObject({
      status: 200,
      body: { alert: { id: alert.id, status: 'open', resolvedBy: null, resolutionNote: null } },
    })
    const events = (await call('GET', `/api/alerts/${alert.id}/timeline`, staff)).body.events as {
      kind: string
      username: string | null
    }[]
    expect(events.at(-1)).toMatchObject({ kind: 'reopened', username: 'staff-zhangdian' })
    expect((await call('POST', `/api/alerts/${alert.id}/reopen`, staff)).status).toBe(409) // it is not resolved

    expect((await call('POST', `/api/alerts/${alert.id}/resolve`, staff, { note: 'found' })).status).toBe(200)
    const newer = await raise() // the same wearer and kind opens again
    expect(newer.id).not.toBe(alert.id)
    expect((await call('POST', `/api/alerts/${alert.id}/reopen`, staff)).status).toBe(409)
  })
})
