// The geofence rules with literal timestamps: no clock, no database, no sockets.
import { describe, expect, it } from 'vitest'
import { initialState, lateAlarms, step, tick, type EngineEvent } from './engine.ts'
import { at, bank, big, dLat, HOME, home, P, raised, resolved, run, T0 } from './engine.fixtures.ts'
import type { Zone } from './zone.ts'

describe('leaving a safe zone', () => {
  it('when a wearer walks 200 m beyond a 100 m zone and stays out, then one alert is raised once two fixes a minute apart confirm it', () => {
    const { events, state } = run([at(0, 0), at(30, 60), at(60, 200), at(90, 260), at(120, 300), at(150, 320)])
    expect(raised(events)).toEqual([['left_safe_zone', 120]])
    const e = events[0] as Extract<EngineEvent, { type: 'raise' }>
    expect(e.evidence).toMatchObject({
      rule: 'confirmed exit',
      outsideForMs: 60_000,
      exitMarginM: 20,
      confirmFixes: 2,
      confirmMs: 60_000,
    })
    expect(
      (e.evidence.fixes as { ts: number; distanceBeyondM: number; accuracyM: number }[]).map((f) => [
        (f.ts - T0) / 1000,
        Math.round(f.distanceBeyondM),
        f.accuracyM,
      ]),
    ).toEqual([
      [60, 100, 8],
      [90, 160, 8],
      [120, 200, 8],
    ])
    expect(state.zone.tag).toBe('outside')
  })

  it('when a slow walker crosses the boundary, then time outside counts from the first fix beyond it, not from when the error circle clears the margin', () => {
    // 100 m zone, 8 m accuracy: clearly out needs the centre 28 m beyond. Out at 30 s (10 m beyond).
    const { events } = run([at(0, 90), at(30, 110), at(60, 120), at(90, 140), at(120, 150)])
    expect(raised(events)).toEqual([['left_safe_zone', 120]])
    expect(events[0]).toMatchObject({ evidence: { outsideSince: T0 + 30_000, outsideForMs: 90_000 } })
  })

  it('when fixes hover just beyond the boundary and only one is clearly out, then nothing is raised however long it lasts', () => {
    const { events } = run([at(0, 90), at(30, 110), at(60, 115), at(90, 160), at(120, 112), at(150, 110), at(300, 115)])
    expect(events).toEqual([])
  })

  it('when one multipath fix lands 150 m out and the next is back home, then no alert is raised (not even by the timer)', () => {
    expect(
      run([at(0, 0), at(30, 250), at(60, 5), at(90, 0), { tickAt: 600 }]).events.filter(
        (e) => e.kind === 'left_safe_zone',
      ),
    ).toEqual([])
  })

  it('when a fix lies 60 m outside with 50 m accuracy, then its error circle reaches back inside the margin and nothing starts', () => {
    expect(
      run([at(0, 0), at(30, 160, { acc: 50 }), at(60, 160, { acc: 50 }), at(120, 160, { acc: 50 })]).events,
    ).toEqual([])
  })

  it('when cell-tower fixes put the wearer out but their error circles reach within 300 m, then they never start an exit, however many', () => {
    const lbs = (s: number) => at(s, 900, { src: 'lbs', acc: 600 })
    expect(run([at(0, 0), lbs(30), lbs(60), lbs(90), lbs(120), lbs(150)]).events).toEqual([])
  })

  it('when a GPS fix starts an exit and a cell-tower fix a minute later is clearly out too, then the cell fix does not confirm it; a GPS fix does', () => {
    expect(raised(run([at(0, 90), at(30, 130), at(90, 1200, { src: 'lbs', acc: 400 })]).events)).toEqual([])
    expect(raised(run([at(0, 90), at(30, 130), at(90, 1200, { src: 'lbs', acc: 400 }), at(100, 150)]).events)).toEqual([
      ['left_safe_zone', 100],
    ])
  })

  it('when the wearer steps out and the band then goes silent, then the timer raises a critical alert three minutes later', () => {
    const { events } = run([at(0, 90), at(30, 130), { tickAt: 120 }, { tickAt: 211 }])
    expect(raised(events)).toEqual([['left_safe_zone', 30]])
    expect(events[0]).toMatchObject({
      severity: 'critical',
      evidence: { rule: 'left, then silent', silentForMs: 181_000 },
    })
  })

  it('when the wearer comes back and two fixes are inside, then the alert resolves, and a later exit raises a new one', () => {
    const out = [at(0, 0), at(30, 300), at(90, 300)]
    const back = [at(120, 50), at(150, 0)]
    const { events } = run([...out, ...back, at(200, 300), at(260, 320)])
    expect(raised(events)).toEqual([
      ['left_safe_zone', 90],
      ['left_safe_zone', 260],
    ])
    expect(resolved(events)).toEqual([['left_safe_zone', 150]])
  })

  it('when a late fix from outside arrives after newer fixes at home, then it changes nothing', () => {
    const { events, state } = run([at(60, 0), at(90, 0), at(30, 500), at(45, 500)])
    expect(events).toEqual([])
    expect(state.zone).toEqual({ tag: 'inside', zoneId: 1 })
  })

  it('when a wearer went home during a no-network gap and is out again, then the backlog resolves the old alert and confirms the new exit', () => {
    // Out at 90 s (alert). Gap 120–600 s: home at 300–400 s, out again from 450 s. Live fix at 600 s, then the backlog,
    // whose fixes from 450 s on confirm the new exit beside the live one (raised with the live fix's time).
    const gap = [at(300, 20), at(330, 10), at(360, 0), at(450, 200), at(500, 300)]
    const { events } = run([at(0, 0), at(30, 300), at(90, 300), at(600, 400), ...gap, at(630, 420), at(660, 430)])
    expect(raised(events)).toEqual([
      ['left_safe_zone', 90],
      ['left_safe_zone', 600],
    ])
    expect(events.filter((e) => e.type === 'raise')[1]).toMatchObject({
      evidence: { outsideSince: T0 + 450_000, late: true },
    })
    expect(resolved(events)).toEqual([['left_safe_zone', 330]])
    expect(events.find((e) => e.type === 'resolve')).toMatchObject({ reason: 'back inside (fixes uploaded late)' })
  })

  it('when a late backlog shows the wearer outside all along, then the open alert stays as it is', () => {
    const { events } = run([
      at(0, 0),
      at(30, 300),
      at(90, 300),
      at(600, 400),
      at(300, 250),
      at(330, 260),
      at(360, 300),
      at(630, 420),
    ])
    expect(raised(events)).toEqual([['left_safe_zone', 90]])
    expect(resolved(events)).toEqual([])
  })

  it('while an exit alert stays open, then a "still outside" reminder with the latest position goes every 10 minutes, and none once back', () => {
    const { events } = run([
      at(0, 0),
      at(30, 300),
      at(90, 300),
      { tickAt: 95 },
      at(400, 350),
      { tickAt: 600 },
      { tickAt: 696 },
      at(700, 500),
      { tickAt: 1200 },
      { tickAt: 1300 },
      at(1310, 0),
      at(1340, 0),
      { tickAt: 2000 },
    ])
    const reminders = events.filter((e) => e.type === 'remind')
    expect(reminders.map((e) => (e.fixTime - T0) / 1000)).toEqual([400, 700])
    expect(reminders[0]).toMatchObject({
      kind: 'left_safe_zone',
      zoneId: 1,
      evidence: { rule: 'still outside', outsideForMs: 370_000, lastFix: { ts: T0 + 400_000 } },
    })
    expect(resolved(events.filter((e) => e.kind === 'left_safe_zone'))).toEqual([['left_safe_zone', 1340]])
  })

  it('when two fixes share a time-stamp, then they count as one fix', () => {
    expect(raised(run([at(0, 0), at(30, 300), at(90, 300, { seq: 1 }), at(90, 310, { seq: 2 })]).events)).toEqual([
      ['left_safe_zone', 90],
    ])
  })

  it('when the resident has two safe zones, then walking from one into the other is not leaving', () => {
    const centre: Zone = {
      ...home,
      id: 2,
      name: 'care centre',
      shape: { type: 'circle', center: [HOME[0], HOME[1] + 250 / 111_195], radiusM: 200 },
    }
    expect(run([at(0, 0), at(60, 150), at(120, 250), at(180, 400), at(240, 430)], [home, centre]).events).toEqual([])
  })
})

describe('band events, battery and silence', () => {
  it('when the band reports SOS or a fall, then an alert is raised at once, even from a late backlog fix', () => {
    const { events } = run([at(100, 0), at(130, 0, { evt: ['sos'] }), at(50, 0, { evt: ['fall'] })])
    expect(raised(events)).toEqual([
      ['sos', 130],
      ['fall', 50],
    ])
    expect(events.find((e) => e.kind === 'sos')).toMatchObject({ evidence: { rule: 'band reported sos' } })
  })

  it('when the band is taken off and worn again, then the removal alert opens once and resolves', () => {
    const { events } = run([
      at(0, 0, { evt: ['removed'] }),
      at(30, 0, { evt: ['removed'] }),
      at(3600, 0, { evt: ['worn'] }),
    ])
    expect(raised(events)).toEqual([['band_removed', 0]])
    expect(resolved(events)).toEqual([['band_removed', 3600]])
  })

  it('when the battery falls below 15 % and recovers only above 25 %, then low_battery opens once and clears once', () => {
    const { events } = run([
      at(0, 0, { batt: 20 }),
      at(30, 0, { batt: 14 }),
      at(60, 0, { batt: 16 }),
      at(90, 0, { batt: 13 }),
      at(120, 0, { batt: 24 }),
      at(150, 0, { batt: 26 }),
    ])
    expect(raised(events)).toEqual([['low_battery', 30]])
    expect(resolved(events)).toEqual([['low_battery', 150]])
  })

  it('when nothing is heard for 20 minutes at home (5 when outside), then band_offline is raised, and cleared when heard again', () => {
    const atHome = run([at(0, 0), { tickAt: 19 * 60 }, { tickAt: 20 * 60 }, { tickAt: 25 * 60 }, at(1600, 0)])
    expect(raised(atHome.events)).toEqual([['band_offline', 0]])
    expect(resolved(atHome.events)).toEqual([['band_offline', 1600]])
    const outside = run([at(0, 0), at(30, 300), at(90, 300), { tickAt: 90 + 5 * 60 }])
    expect(raised(outside.events)).toEqual([
      ['left_safe_zone', 90],
      ['band_offline', 90],
    ])
    expect(outside.events[1]).toMatchObject({ severity: 'high' })
    // Last seen just beyond the boundary, not yet clearly out: also 5 minutes.
    const edge = run([at(0, 90), at(30, 110), { tickAt: 30 + 5 * 60 }])
    expect(raised(edge.events)).toEqual([['band_offline', 30]])
  })
})

describe('danger zones', () => {
  const zones = [big, bank]

  it('when a wearer walks onto the bank, then a critical alert is raised at the first fix there', () => {
    const { events } = run([at(0, 200), at(30, 240), at(60, 280), at(90, 320)], zones)
    expect(raised(events)).toEqual([['entered_danger_zone', 90]])
    expect(events[0]).toMatchObject({ severity: 'critical', zoneId: 9, evidence: { rule: 'fix inside' } })
  })

  it('when two sparse fixes lie either side of the bank, then the walk between them counts as entering', () => {
    const { events } = run([at(0, 250), at(60, 420)], zones)
    expect(raised(events)).toEqual([['entered_danger_zone', 60]])
    expect(events[0]).toMatchObject({ evidence: { rule: 'walked through between two fixes' } })
  })

  it('when one fix jumps onto the bank faster than anyone walks and the next is back, then nothing is raised; two such fixes are', () => {
    expect(run([at(0, 0), at(30, 340), at(60, 0)], zones).events).toEqual([])
    expect(raised(run([at(0, 0), at(30, 340), at(60, 345)], zones).events)).toEqual([['entered_danger_zone', 60]])
  })

  it('when a cell-tower fix lands on the bank, then it raises nothing', () => {
    expect(run([at(0, 200), at(30, 340, { src: 'lbs', acc: 400 })], zones).events).toEqual([])
  })

  it('when the wearer leaves the bank and two fixes are clearly off it, then the alert resolves', () => {
    const { events } = run([at(0, 280), at(30, 320), at(60, 340), at(90, 260), at(120, 200)], zones)
    expect(raised(events)).toEqual([['entered_danger_zone', 30]])
    expect(resolved(events)).toEqual([['entered_danger_zone', 120]])
  })
})

describe('schedules', () => {
  // Zibo is UTC+8: 22:00 there is 14:00 UTC. T0 above is 2026-11-28 22:00 in Zibo.
  const neighbourhood: Zone = {
    ...home,
    id: 1,
    name: 'neighbourhood',
    shape: { type: 'circle', center: HOME, radiusM: 400 },
    schedule: { from: '07:00', to: '22:00' },
  }
  const night: Zone = {
    ...home,
    id: 2,
    name: 'home at night',
    shape: { type: 'circle', center: HOME, radiusM: 50 },
    schedule: { from: '22:00', to: '07:00' },
  }
  const zones = [neighbourhood, night]
  const before = (s: number, north: number) => ({
    ...at(0, north),
    ts: T0 - s * 1000,
    seq: -s,
    lat: HOME[1] + dLat(north),
  })

  it('when the wearer is still out in the neighbourhood as the night zone starts, then the 22:00 check starts the exit and the next fix raises it as critical', () => {
    let state = initialState(T0 - 120_000)
    state = step(state, before(60, 250), zones, P, T0 - 60_000).state // 21:59, fine by day
    const at22 = tick(state, T0 + 1000, P, zones)
    expect(at22.events).toEqual([])
    expect(at22.state.zone.tag).toBe('leaving')
    const next = step(at22.state, at(61, 255), zones, P, T0 + 61_000)
    expect(raised(next.events)).toEqual([['left_safe_zone', 61]])
    expect(next.events[0]).toMatchObject({ severity: 'critical', evidence: { scheduledZoneInForce: true } })
  })

  it('when the same walk happens by day, then the day zone holds and nothing is raised', () => {
    const noon = T0 - 10 * 3600_000 // 12:00 in Zibo
    let state = initialState(noon)
    const events: EngineEvent[] = []
    for (const [s, north] of [
      [0, 0],
      [30, 250],
      [90, 260],
      [150, 270],
    ] as const) {
      const r = step(state, { ...at(0, north), ts: noon + s * 1000, seq: s }, zones, P, noon + s * 1000)
      state = r.state
      events.push(...r.events)
    }
    expect(events).toEqual([])
  })
})

describe('per-zone policy', () => {
  it('when a zone asks for one confirming fix and no wait, then a single clear fix outside raises the alert', () => {
    const strict: Zone = { ...home, policy: { confirmFixes: 1, confirmMs: 0 } }
    expect(raised(run([at(0, 60), at(30, 140)], [strict]).events)).toEqual([['left_safe_zone', 30]])
  })

  it('when a zone asks for a 100 m margin, then fixes 60 m out never start an exit there', () => {
    const wide: Zone = { ...home, policy: { exitMarginM: 100 } }
    expect(run([at(0, 0), at(30, 160), at(90, 165), at(150, 170)], [wide]).events).toEqual([])
    expect(raised(run([at(0, 0), at(30, 160), at(90, 165), at(150, 170)]).events)).toEqual([['left_safe_zone', 90]])
  })
})

describe("alarms in a backlog from the previous wearer's time", () => {
  it('when a late fix carries SOS and fall, then both are raised at its fix time, marked late; nothing else is', () => {
    const events = lateAlarms(at(-600, 900, { evt: ['sos', 'fall', 'removed'], batt: 3 }))
    expect(raised(events)).toEqual([
      ['sos', -600],
      ['fall', -600],
    ])
    expect(events.every((e) => e.type === 'raise' && (e.evidence as { late?: boolean }).late === true)).toBe(true)
  })
})
