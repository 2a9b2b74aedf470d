// API behaviour that needs no broker, geofence or socket, through fastify's inject: what a client
// sending a bad zone or command is told, and what /docs says the inputs are. Boots in about a
// second (a copy of the migrated database, no service).
import { beforeAll, describe, expect, it } from 'vitest'
import { BAND } from './support/fixtures.ts'
import { useApi, type TestApi } from './support/api.ts'

const circle = (radiusM: number) => ({ type: 'circle', center: [118.05491, 36.81352], radiusM })

describe('the API, in-process', () => {
  const api = useApi()
  let a: TestApi
  let staff: string
  let family: string
  beforeAll(async () => {
    a = api()
    staff = await a.login('staff-zhangdian')
    family = await a.login('family-wang')
  })

  const send = async (cookie: string, method: 'POST' | 'PUT' | 'GET', url: string, payload?: object) => {
    const res = await a.app.inject({ method, url, headers: { cookie }, payload })
    return { status: res.statusCode, body: res.json() as { error?: { code: string; message: string } } }
  }
  const zone = (payload: object) => send(staff, 'POST', `/api/residents/${a.world.resident}/zones`, payload)
  const command = (payload: object, cookie = staff) => send(cookie, 'POST', `/api/bands/${BAND.id}/commands`, payload)

  it.each([
    ['a circle too large', { shape: circle(1e7) }, 'shape.radiusM must be a number within 10..50000'],
    ['a circle without a radius', { shape: { type: 'circle', center: [118, 36.8] } }, 'shape needs "radiusM"'],
    [
      'a line',
      {
        shape: {
          type: 'LineString',
          coordinates: [
            [118, 36.8],
            [118.1, 36.9],
          ],
        },
      },
      'shape.type must be one of "circle", "Polygon", "MultiPolygon"',
    ],
    [
      'a polygon with a vertex off the globe',
      {
        shape: {
          type: 'Polygon',
          coordinates: [
            [
              [118, 36.8],
              [118.1, 36.8],
              [118.1, 95],
              [118, 36.8],
            ],
          ],
        },
      },
      'shape.coordinates[0][2] latitude must be a number within -90..90',
    ],
    [
      "a schedule at 25 o'clock",
      { shape: circle(100), schedule: { from: '25:00', to: '07:00' } },
      'schedule.from must be HH:MM (00:00–23:59)',
    ],
    ['no kind', { kind: undefined, shape: circle(100) }, 'the body needs "kind"'],
  ])(
    'when care staff send a zone with %s, then it is refused as invalid_zone naming the field',
    async (_n, over, message) => {
      const r = await zone({ name: 'park', kind: 'safe', ...over })
      expect(r).toEqual({ status: 400, body: { error: { code: 'invalid_zone', message } } })
      expect((await a.db.query("SELECT 1 FROM zones WHERE name = 'park'")).rowCount).toBe(0)
    },
  )

  it('when a zone crosses itself, then the check a schema cannot make refuses it too', async () => {
    const bow = [
      [118.05, 36.81],
      [118.06, 36.82],
      [118.06, 36.81],
      [118.05, 36.82],
      [118.05, 36.81],
    ]
    const r = await zone({ name: 'bow', kind: 'safe', shape: { type: 'Polygon', coordinates: [bow] } })
    expect(r).toEqual({
      status: 400,
      body: { error: { code: 'invalid_zone', message: 'polygon intersects itself (1 crossing)' } },
    })
  })

  it('when a valid zone is sent, then it is saved and answered in the shape /docs describes', async () => {
    const r = await zone({ name: 'garden', kind: 'safe', shape: circle(60), schedule: { from: '22:00', to: '07:00' } })
    expect(r).toMatchObject({ status: 201, body: { zone: { name: 'garden', kind: 'safe', shape: circle(60) } } })
    expect((await a.db.query("SELECT 1 FROM zones WHERE name = 'garden'")).rowCount).toBe(1)
  })

  it.each([
    [{ cmd: 'interval', s: 2 }, 's must be a whole number within 10..3600'],
    [{ cmd: 'interval', s: 2, for: 600 }, 's must be a whole number within 5..3600'],
    [{ cmd: 'interval', s: 60, for: 7200 }, 'for must be a whole number within 0..3600'],
    [{ cmd: 'reboot' }, 'cmd must be one of "locate", "interval"'],
    [{ cmd: 'interval', s: '60' }, 's must be a whole number within 10..3600'],
    [{ cmd: 'interval', s: null }, 's must be a whole number within 10..3600'],
    [{}, 'the body needs "cmd"'],
  ])(
    'when staff send the command %j, then it is refused as bad_command naming the field, and nothing is sent',
    async (body, message) => {
      const before = a.published.length
      expect(await command(body)).toEqual({ status: 400, body: { error: { code: 'bad_command', message } } })
      expect(a.published.length).toBe(before)
    },
  )

  it('when a family member asks for a location, then the command is stored and published as the band protocol says', async () => {
    const r = await command({ cmd: 'locate', extra: 'dropped' }, family)
    expect(r).toMatchObject({ status: 202, body: { command: { bandId: BAND.id, command: { cmd: 'locate' } } } })
    const id = (r.body as unknown as { command: { id: number } }).command.id
    expect(a.published.at(-1)).toEqual({ bandId: BAND.id, payload: JSON.stringify({ id, cmd: 'locate' }) })
  })

  it('when a zone comes with a radius as text or null, then it is refused, not read as a number', async () => {
    for (const radiusM of ['60', null]) {
      const r = await zone({ name: 'yard', kind: 'safe', shape: { type: 'circle', center: [118, 36.8], radiusM } })
      expect(r).toMatchObject({ status: 400, body: { error: { code: 'invalid_zone' } } })
    }
    expect((await a.db.query("SELECT 1 FROM zones WHERE name = 'yard'")).rowCount).toBe(0)
  })

  it('when alerts are filtered by a status that does not exist, then the answer names the field', async () => {
    const r = await send(staff, 'GET', '/api/alerts?status=lost')
    expect(r.status).toBe(400)
    expect(r.body.error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/^status /) })
  })

  it('when /docs/json is read, then zone, command and alert contracts show their real shapes', async () => {
    const doc = (await a.app.inject({ url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, Record<string, unknown>>>
    }
    const body = (path: string, method: string) =>
      JSON.stringify((doc.paths[path]![method]!.requestBody as { content: unknown }).content)
    const zoneBody = body('/api/residents/{residentId}/zones', 'post')
    for (const word of ['"circle"', '"Polygon"', '"MultiPolygon"', 'radiusM', 'HH:MM']) expect(zoneBody).toContain(word)
    const commandBody = body('/api/bands/{bandId}/commands', 'post')
    for (const word of ['"locate"', '"interval"', '3600']) expect(commandBody).toContain(word)
    const alerts = JSON.stringify(doc.paths['/api/alerts']!.get!.responses)
    for (const word of ['left_safe_zone', 'critical', 'acknowledged']) expect(alerts).toContain(word)
  })
})
