// The MQTT simulator's bands obey the service (issue 15): a simulated band wandering out of its
// zone, against the real service and its embedded broker, is put into search mode as it reaches
// the boundary and reports every 5 s while outside, and back inside it returns to its own 30 s interval.
import { describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import type { BandCommand } from '../simulator/band-schedule.ts'
import { offset } from '../simulator/geo.ts'
import type { Segment } from '../simulator/itinerary.ts'
import { insertUser } from '../dashboard/index.ts'
import { createRng, DEFAULT_NOISE, liveBand, runLiveBands, simulatorMain } from '../simulator/index.ts'
import { BAND, HOME } from './support/fixtures.ts'
import { useServiceWithWorld } from './support/world.ts'

const SPEED = 8
const out = offset(HOME, 0, 220) // 120 m beyond the 100 m home circle

/** Outdoors at home, a walk 220 m north at 1.5 m/s, a minute there, the walk back, outdoors at home. */
function path(t0: number): Segment[] {
  const walkMs = (220 / 1.5) * 1000
  const t = [t0, t0 + 60_000, t0 + 60_000 + walkMs, t0 + 120_000 + walkMs, t0 + 120_000 + 2 * walkMs]
  return [
    { kind: 'stay', t0: t[0]!, t1: t[1]!, at: HOME, indoor: false },
    { kind: 'walk', t0: t[1]!, t1: t[2]!, from: HOME, to: out },
    { kind: 'stay', t0: t[2]!, t1: t[3]!, at: out, indoor: false },
    { kind: 'walk', t0: t[3]!, t1: t[4]!, from: out, to: HOME },
    { kind: 'stay', t0: t[4]!, t1: t[4]! + 3_600_000, at: HOME, indoor: false },
  ]
}

describe('simulated bands obey commands', () => {
  let service: Service
  useServiceWithWorld((s) => {
    service = s
  })

  it('when a simulated band wanders out, then its fixes near and beyond the boundary switch it to 5 s reports and back inside it returns to 30 s', async () => {
    const durationMs = 8 * 60_000
    const simStart = Math.round(Date.now() - durationMs * (1 - 1 / SPEED)) // the last fix is not in the future
    const band = liveBand(
      { bandId: BAND.id, segments: path(simStart), noise: DEFAULT_NOISE, intervalMs: 30_000, first: simStart + 1000 },
      createRng(15),
    )
    const sends: { t: number; north: number }[] = []
    const commands: { t: number; c: BandCommand }[] = []
    const stats = await runLiveBands([band], {
      brokerUrl: `mqtt://127.0.0.1:${service.mqttPort}`,
      secrets: new Map([[BAND.id, BAND.secret]]),
      simStart,
      simEnd: simStart + durationMs,
      speed: SPEED,
      onSend: (_id, t, payload) => sends.push({ t, north: ((JSON.parse(payload).lat - HOME.lat) as number) * 111_195 }),
      onCommand: (_id, t, c) => commands.push({ t, c }),
    })
    if (process.env.SHOW_SENDS)
      console.log(
        JSON.stringify({
          sends: sends.map((x) => [(x.t - simStart) / 1000, Math.round(x.north)]),
          commands: commands.map((x) => [(x.t - simStart) / 1000, x.c]),
        }),
      )
    expect(stats.connectFailures).toBe(0)

    // The service asked for a fix now and the timed fast mode, then ended it back inside.
    expect(commands.map((x) => x.c)).toEqual([
      { cmd: 'locate' },
      { cmd: 'interval', s: 5, for: 600 },
      { cmd: 'interval', for: 0 },
    ])
    const [, fast, end] = commands.map((x) => x.t)
    const gaps = (from: number, to: number) =>
      sends
        .filter((x) => x.t > from && x.t <= to)
        .map((x, i, xs) => (i === 0 ? undefined : (x.t - xs[i - 1]!.t) / 1000))
        .filter((x) => x !== undefined)

    // Before: 30 s apart, and the search began by the first fix beyond the boundary (search.ts
    // starts it already when a walker comes within 30 m moving outwards).
    const before = sends.filter((x) => x.t < fast!)
    expect(before.length).toBeGreaterThanOrEqual(3)
    expect(gaps(-Infinity, fast!).every((g) => Math.abs(g - 30) < 0.5)).toBe(true)
    expect(before.at(-1)!.north).toBeGreaterThan(60)
    expect(sends.filter((x) => x.north > 100).every((x) => x.t > fast!)).toBe(true)
    // During: every 5 s (a located fix may fall between), for the whole time outside.
    const during = gaps(fast!, end!)
    expect(during.length).toBeGreaterThan(30)
    expect(Math.max(...during)).toBeLessThan(5.5)
    // After: back on its own 30 s interval.
    const after = gaps(end! + 6000, simStart + durationMs)
    expect(after.length).toBeGreaterThanOrEqual(2)
    expect(after.every((g) => Math.abs(g - 30) < 0.5)).toBe(true)
    expect(sends.filter((x) => x.t > end!)[0]!.north).toBeLessThan(70)
  }, 120_000)

  it('when the simulator runs a wandering fleet with --obey, then its bands obey the commands the service sends and the run is scored', async () => {
    await insertUser(service.db, { username: 'sim-admin', password: 'admin-pass-1', role: 'admin' })
    const lines: string[] = []
    const args = [
      'run',
      '--url',
      `http://127.0.0.1:${service.httpPort}`,
      '--broker',
      `mqtt://127.0.0.1:${service.mqttPort}`,
    ]
    args.push('--admin', 'sim-admin', '--password', 'admin-pass-1', '--bands', '40', '--seed', '21', '--speed', '120')
    args.push(
      '--duration',
      '30m',
      '--scenario',
      'wander',
      '--start',
      '2026-11-27T17:30:00Z',
      '--obey',
      '--score',
      '--quiet',
    )
    const code = await simulatorMain(
      args,
      (l) => lines.push(l),
      () => undefined,
    )
    const text = lines.join('\n')
    expect(code, text).toBe(0)
    const [, published, obeyed] = /published (\d+), commands obeyed (\d+)/.exec(text)!
    expect(Number(published)).toBeGreaterThan(2400) // 40 bands every 30 s for 30 minutes, and more in search mode
    expect(Number(obeyed)).toBeGreaterThan(0)
    expect(text).toMatch(/left_safe_zone/)
  }, 120_000)
})
