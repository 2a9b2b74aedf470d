// The fleet simulation as test-data builders see it: deterministic, every fault and every
// episode kind present with its truth, and a jitter-only fleet that never leaves its zones.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { NO_EPISODES } from './episodes.ts'
import { simulateFleet, type FleetEvent } from './fleet-sim.ts'
import { distanceM } from './geo.ts'
import { HOUR, MINUTE, locate } from './itinerary.ts'
import { MUST_ALERT } from './truth.ts'
import { generateFleet } from './zibo.ts'

const START = Date.UTC(2026, 10, 27, 16) // 00:00 in Zibo
type Publish = Extract<FleetEvent, { type: 'publish' }>
const publishes = (events: Iterable<FleetEvent>) => [...events].filter((e): e is Publish => e.type === 'publish')
const body = (e: Publish) => JSON.parse(e.payload) as Record<string, unknown> | Record<string, unknown>[]

function digest(seed: number) {
  const fleet = generateFleet({ bands: 60, seed })
  const h = createHash('sha256')
  for (const e of simulateFleet(fleet, {
    start: START,
    durationMs: HOUR,
    intervalMs: 30_000,
    scenario: 'episodes',
    stormAtMs: 30 * MINUTE,
  }).events()) {
    h.update(`${e.t}|${e.bandId}|${e.type}|${'payload' in e ? e.payload : ''}\n`)
  }
  return h.digest('hex')
}

describe('fleet simulation', () => {
  it('when run twice with the same seed and options, then every message is the same byte for byte; another seed differs', () => {
    expect(digest(11)).toBe(digest(11))
    expect(digest(12)).not.toBe(digest(11))
  })

  it('when a 1500-band fleet is generated, then it has 22 care centres across all eight districts and every home sits inside its zone, clear of danger corridors', () => {
    const fleet = generateFleet({ bands: 1500, seed: 1 })
    expect(fleet.centres).toHaveLength(22)
    expect(new Set(fleet.centres.map((c) => c.district)).size).toBe(8)
    expect(new Set(fleet.residents.map((r) => r.bandId)).size).toBe(1500)
    expect(fleet.residents.filter((r) => r.livesIn === 'centre').length).toBeGreaterThan(300)
    expect(fleet.residents.some((r) => r.dayVisitor)).toBe(true)
    for (const r of fleet.residents) {
      for (const p of [r.home, r.park, r.market])
        expect(r.zones.some((z) => distanceM(z.center, p) < z.radiusM - 50)).toBe(true)
    }
  })

  it('when nobody wanders (jitter scenario), then 1500 residents over a day of routines are never outside their zones', () => {
    const fleet = generateFleet({ bands: 1500, seed: 3 })
    const sim = simulateFleet(fleet, { start: START, durationMs: 24 * HOUR, intervalMs: 30_000, scenario: 'jitter' })
    // Nothing but no-network gaps, where an offline alert would be right but is not required.
    expect(sim.labels.filter((l) => l.kind !== 'no_network')).toEqual([])
    expect(sim.labels.every((l) => !l.mustAlert)).toBe(true)
    // Day-centre visitors walk between two overlapping zones: check their whole path.
    for (const plan of sim.plans.filter((p) => p.resident.dayVisitor).slice(0, 20)) {
      for (let t = START; t < START + 24 * HOUR; t += 10_000) {
        const here = locate(plan.segments, t).at
        expect(plan.resident.zones.some((z) => distanceM(z.center, here) <= z.radiusM)).toBe(true)
      }
    }
  })

  it('when episodes run, then each wander is labelled with the time it left and how far it went', () => {
    const fleet = generateFleet({ bands: 300, seed: 5 })
    const sim = simulateFleet(fleet, { start: START, durationMs: 4 * HOUR, intervalMs: 30_000, scenario: 'episodes' })
    const wanders = sim.labels.filter((l) => l.kind === 'left_safe_zone' && l.mustAlert)
    for (const kind of ['wander_slow', 'wander_purposeful', 'wander_night'])
      expect(wanders.some((l) => l.episode === kind)).toBe(true)
    for (const l of wanders) {
      expect(l.maxBeyondM).toBeGreaterThanOrEqual(MUST_ALERT.beyondM)
      const plan = sim.plans.find((p) => p.resident.bandId === l.bandId)!
      const beyond = (t: number) =>
        Math.min(...plan.resident.zones.map((z) => distanceM(z.center, locate(plan.segments, t).at) - z.radiusM))
      expect(beyond(l.start - 5000)).toBeLessThanOrEqual(0)
      expect(beyond(l.start + 1000)).toBeGreaterThan(0)
    }
    // Night wanders leave between 00:30 and 04:00 in Zibo.
    for (const l of wanders.filter((w) => w.episode === 'wander_night')) {
      const hour = new Date(l.start + 8 * HOUR).getUTCHours()
      expect(hour).toBeGreaterThanOrEqual(0)
      expect(hour).toBeLessThan(5)
    }
    expect(sim.labels.some((l) => l.kind === 'entered_danger_zone' && l.episode === 'danger')).toBe(true)
  })

  it('when SOS, fall and removal episodes happen, then the band sends the event at the labelled time, and a removed band stays put while its wearer moves', () => {
    const fleet = generateFleet({ bands: 200, seed: 8 })
    const sim = simulateFleet(fleet, {
      start: START + 8 * HOUR,
      durationMs: 6 * HOUR,
      intervalMs: 30_000,
      scenario: 'episodes',
    })
    const msgs = publishes(sim.events())
    for (const kind of ['sos', 'fall'] as const) {
      const labels = sim.labels.filter((l) => l.kind === kind)
      expect(labels.length).toBeGreaterThan(0)
      for (const l of labels) {
        // Sent at once, or in the backlog when the band had no network then.
        const fixes = msgs.filter((e) => e.bandId === l.bandId).flatMap((e) => [body(e)].flat())
        expect(fixes.find((f) => f.ts === l.start / 1000)).toMatchObject({ evt: [kind] })
      }
    }
    const removal = sim.labels.find((l) => l.kind === 'band_removed')!
    const during = msgs
      .filter((e) => e.bandId === removal.bandId)
      .flatMap((e) => [body(e)].flat())
      .filter((f) => (f.ts as number) * 1000 >= removal.start && (f.ts as number) * 1000 < removal.end)
    expect(during[0]).toMatchObject({ evt: ['removed'] })
    const spots = during as unknown as { lat: number; lon: number }[]
    const spread = Math.max(...spots.map((p) => distanceM(spots[0]!, p)))
    expect(spread).toBeLessThan(1500) // indoor fixes around one spot (cell-tower fixes are coarse)
  })

  it('when a wearer goes silent outside, then the band sends nothing after the labelled moment', () => {
    const fleet = generateFleet({ bands: 300, seed: 9 })
    const sim = simulateFleet(fleet, { start: START, durationMs: 4 * HOUR, intervalMs: 30_000, scenario: 'episodes' })
    const silent = sim.labels.filter((l) => l.kind === 'silent_outside')
    expect(silent.length).toBeGreaterThan(0)
    const msgs = publishes(sim.events())
    for (const l of silent) {
      expect(msgs.some((e) => e.bandId === l.bandId && e.t >= l.start)).toBe(false)
      // It was reporting before (a no-network gap just before may have kept its last fixes back).
      expect(msgs.some((e) => e.bandId === l.bandId && e.t >= l.start - 60 * MINUTE)).toBe(true)
    }
  })

  it('when a band loses its network, then it sends the live fix first and the backlog after it, as arrays of older fixes', () => {
    const fleet = generateFleet({ bands: 100, seed: 4 })
    const sim = simulateFleet(fleet, {
      start: START,
      durationMs: 6 * HOUR,
      intervalMs: 30_000,
      scenario: 'jitter',
      faults: { gapsPerHour: 0.5, duplicate: 0 },
    })
    const msgs = publishes(sim.events())
    const backlog = msgs.filter((e) => Array.isArray(body(e)))
    expect(backlog.length).toBeGreaterThan(10)
    for (const b of backlog.slice(0, 20)) {
      const live = msgs.filter((e) => e.bandId === b.bandId && e.t <= b.t && !Array.isArray(body(e))).pop()!
      const fixes = body(b) as { ts: number }[]
      expect(Math.max(...fixes.map((f) => f.ts))).toBeLessThan((body(live) as { ts: number }).ts) // out of order
      expect(b.payload.length).toBeLessThanOrEqual(8192)
    }
  })

  it('when redelivery duplicates are on, then some messages repeat their predecessor exactly, flagged dup', () => {
    const fleet = generateFleet({ bands: 100, seed: 4 })
    const sim = simulateFleet(fleet, {
      start: START,
      durationMs: 2 * HOUR,
      intervalMs: 30_000,
      scenario: 'jitter',
      faults: { gapsPerHour: 0, duplicate: 0.05 },
    })
    const msgs = publishes(sim.events())
    const dups = msgs.filter((e) => e.dup)
    expect(dups.length / msgs.length).toBeGreaterThan(0.03)
    for (const d of dups.slice(0, 50))
      expect(msgs.some((e) => !e.dup && e.bandId === d.bandId && e.payload === d.payload)).toBe(true)
  })

  it('when a reconnect storm is set, then every band drops and comes back within ten seconds', () => {
    const fleet = generateFleet({ bands: 50, seed: 2 })
    const sim = simulateFleet(fleet, {
      start: START,
      durationMs: HOUR,
      intervalMs: 30_000,
      scenario: 'jitter',
      rates: NO_EPISODES,
      stormAtMs: 20 * MINUTE,
    })
    const events = [...sim.events()]
    const drops = events.filter((e) => e.type === 'disconnect')
    const backs = events.filter((e) => e.type === 'connect')
    expect(new Set(drops.map((e) => e.bandId)).size).toBe(50)
    expect(new Set(backs.map((e) => e.bandId)).size).toBe(50)
    for (const e of [...drops, ...backs]) expect(e.t - (START + 20 * MINUTE)).toBeLessThanOrEqual(10_000)
  })

  it('when the battery runs low, then it drains over time and charging starts below 15 %', () => {
    const fleet = generateFleet({ bands: 40, seed: 6 })
    const sim = simulateFleet(fleet, {
      start: START,
      durationMs: 30 * HOUR,
      intervalMs: 300_000,
      scenario: 'jitter',
      faults: { gapsPerHour: 0, duplicate: 0 },
    })
    const msgs = publishes(sim.events())
      .filter((e) => e.bandId === fleet.residents[0]!.bandId)
      .map((e) => body(e) as { batt: number; chg?: boolean })
    expect(msgs[10]!.batt).toBeLessThan(msgs[0]!.batt)
    const charging = msgs.findIndex((m) => m.chg)
    expect(charging).toBeGreaterThan(0)
    expect(msgs[charging - 1]!.batt).toBeLessThan(16)
    expect(msgs.at(-1)!.batt).toBeGreaterThan(msgs[charging]!.batt)
  })

  it('when the payloads are decoded, then every one is valid band protocol v1', () => {
    const fleet = generateFleet({ bands: 50, seed: 10 })
    const sim = simulateFleet(fleet, { start: START, durationMs: 2 * HOUR, intervalMs: 30_000, scenario: 'episodes' })
    for (const e of publishes(sim.events())) {
      for (const f of [body(e)].flat()) {
        expect(f).toMatchObject({
          v: 1,
          seq: expect.any(Number),
          ts: expect.any(Number),
          lat: expect.any(Number),
          lon: expect.any(Number),
          acc: expect.any(Number),
        })
        expect(['gps', 'wifi', 'lbs']).toContain(f.src)
      }
    }
  })
})
