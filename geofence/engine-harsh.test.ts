// The failure paths found on harsh traffic (issue 15), each as a few fixes with literal timestamps
// against a 100 m circle at 36.81352, 118.05491.
import { describe, expect, it } from 'vitest'
import { initialState, step, type EngineEvent } from './engine.ts'
import { at, bank, big, dLat, dLon, HOME, home, P, raised, resolved, run, T0 } from './engine.fixtures.ts'
import type { Zone } from './zone.ts'

const evidenceOf = (events: EngineEvent[], kind: string) =>
  (events.find((e) => e.type === 'raise' && e.kind === kind) as Extract<EngineEvent, { type: 'raise' }>).evidence

describe('fixes that must not count twice or count wrong', () => {
  it('when a QoS 1 duplicate repeats the fix that started an exit, then it does not confirm itself', () => {
    const wifi = (s: number, lat: number, acc: number) => at(s, 0, { lat, acc, src: 'wifi' })
    const gps = at(60, 0, { lat: 36.8173, acc: 15, seq: 60 })
    expect(run([wifi(0, 36.81453, 40), wifi(30, 36.81446, 35), gps, { ...gps }]).events).toEqual([])
    // A walker whose first clear fix is duplicated: still one fix, so no alert yet.
    expect(run([at(0, 60), at(30, 105), at(90, 135), at(90, 135)]).events).toEqual([])
  })

  it('when a lone GPS jump is followed by cell-tower fixes far out, then the cell fixes do not confirm it', () => {
    const lbs = (s: number, lat: number, acc: number) => at(s, 0, { lat, acc, src: 'lbs' })
    const jump = at(0, 0, { lat: 36.81757, acc: 12 })
    expect(
      run([at(-30, 0), jump, lbs(40, 36.82206, 700), lbs(80, 36.81622, 900), lbs(120, 36.82116, 600)]).events,
    ).toEqual([])
  })

  it('when a lone jump is followed by a network gap of more than three minutes, then neither "left, then silent" nor an early offline is raised', () => {
    const { events } = run([at(0, 0), at(30, 300), { tickAt: 120 }, { tickAt: 211 }, { tickAt: 400 }])
    expect(raised(events)).toEqual([])
  })

  it('when a band has only cell-tower fixes 1.5–2 km out at ±800 m for half an hour, then an exit is raised from them alone', () => {
    const track = Array.from({ length: 30 }, (_, i) => at(60 + i * 60, 1500 + (i % 5) * 120, { src: 'lbs', acc: 800 }))
    const { events } = run([at(-600, 0), ...track])
    expect(raised(events)[0]).toEqual(['left_safe_zone', 180])
    expect(evidenceOf(events, 'left_safe_zone')).toMatchObject({ rule: 'cell fixes far out' })
  })
})

describe('danger zones and the error circle', () => {
  // A main road 30 m wide, 200–230 m north of home, 1 km long; home's safe zone covers it.
  const road: Zone = {
    id: 9,
    residentId: null,
    name: 'main road',
    kind: 'danger',
    shape: {
      type: 'Polygon',
      coordinates: [
        [
          [HOME[0] - dLon(500), HOME[1] + dLat(200)],
          [HOME[0] + dLon(500), HOME[1] + dLat(200)],
          [HOME[0] + dLon(500), HOME[1] + dLat(230)],
          [HOME[0] - dLon(500), HOME[1] + dLat(230)],
          [HOME[0] - dLon(500), HOME[1] + dLat(200)],
        ],
      ],
    },
  }
  const wifi = (s: number, north: number, acc: number) => at(s, north, { src: 'wifi', acc })

  it('when a ±75 m Wi-Fi fix has its centre 5 m inside a 30 m road, then nothing is raised', () => {
    expect(run([wifi(0, 150, 40), wifi(30, 205, 75), wifi(60, 150, 40)], [big, road]).events).toEqual([])
  })

  it('when Wi-Fi fixes (indoors, drifting) sit on the road for minutes, then they never enter it', () => {
    expect(
      run([wifi(0, 150, 40), wifi(30, 212, 20), wifi(60, 215, 20), wifi(90, 214, 25)], [big, road]).events,
    ).toEqual([])
  })

  it('when a second satellite fix agrees, then the entry is raised with both fixes in its evidence', () => {
    const gps = (s: number, north: number, acc: number) => at(s, north, { acc })
    const { events } = run([wifi(0, 150, 40), gps(30, 205, 40), gps(60, 226, 15)], [big, road])
    expect(raised(events)).toEqual([['entered_danger_zone', 60]])
    expect(evidenceOf(events, 'entered_danger_zone')).toMatchObject({
      rule: 'two fixes inside',
      fixes: [{ ts: T0 + 30_000 }, { ts: T0 + 60_000 }],
    })
  })

  it('when a wearer living 45 m from the road walks back home after a visit and onto the road again later, then the first entry resolves and the second visit is raised again', () => {
    const gps = (s: number, north: number, acc: number) => at(s, north, { acc })
    const lbs = (s: number, north: number) => at(s, north, { src: 'lbs', acc: 700 })
    const { events } = run(
      [
        gps(0, 150, 10),
        gps(30, 215, 8), // on the road
        gps(60, 178, 12), // off it, on the pavement: 22 m off, but less than 20 m beyond its ±12 m
        lbs(90, 260), // a cell fix neither shows the wearer off the road nor back on it
        wifi(120, 160, 35), // at home, 40 m off the road with a ±35 m Wi-Fi fix
        wifi(1200, 155, 50),
        gps(2400, 212, 8), // the second visit, 40 minutes later: the fix before was Wi-Fi, so two fixes
        gps(2430, 218, 6),
      ],
      [big, road],
    )
    expect(raised(events)).toEqual([
      ['entered_danger_zone', 30],
      ['entered_danger_zone', 2430],
    ])
    expect(resolved(events)).toEqual([['entered_danger_zone', 120]])
  })

  it('when a wearer stands on the road and one fix is off it, then the entry stays open', () => {
    const gps = (s: number, north: number, acc: number) => at(s, north, { acc })
    const { events } = run([gps(0, 150, 10), gps(30, 215, 8), gps(60, 176, 8), gps(90, 214, 8)], [big, road])
    expect(raised(events)).toEqual([['entered_danger_zone', 30]])
    expect(resolved(events)).toEqual([])
  })

  it('when two good GPS fixes lie either side of the road, then the crossing counts at once', () => {
    expect(raised(run([at(0, 170), at(40, 260)], [big, road]).events)).toEqual([['entered_danger_zone', 40]])
  })
})

describe('backlogs uploaded after the live fix', () => {
  it('when the backlog shows a river-bank visit during the gap, then the entry is raised from its own fixes, marked late', () => {
    const late = (s: number, north: number) => at(s, north, { arriveS: 601 })
    const { events, state } = run(
      [at(0, 200), at(30, 210), at(600, 200), late(300, 320), late(330, 330), late(360, 250)],
      [big, bank],
    )
    expect(raised(events)).toEqual([['entered_danger_zone', 330]])
    expect(evidenceOf(events, 'entered_danger_zone')).toMatchObject({ late: true })
    // The newest fix is off the bank: the late entry is closed at once, and the state stays where the live fix put it.
    expect(resolved(events)).toEqual([['entered_danger_zone', 600]])
    expect(state.lastTs).toBe(T0 + 600_000)
  })

  it('when the backlog shows the wearer was out before the live fix, then it confirms the exit at once from its own timestamps', () => {
    const late = (s: number, north: number) => at(s, north, { arriveS: 301 })
    const { events } = run([at(0, 0), at(30, 40), at(300, 400), late(60, 150), late(120, 220), late(180, 300)])
    expect(raised(events)).toEqual([['left_safe_zone', 300]])
    const evidence = evidenceOf(events, 'left_safe_zone')
    expect(evidence).toMatchObject({ rule: 'confirmed exit', outsideSince: T0 + 60_000 })
    expect(evidence.fixes).toContainEqual(expect.objectContaining({ ts: T0 + 60_000, late: true }))
  })
})

describe('search mode', () => {
  const commandsOf = (items: Parameters<typeof run>[0], zones: Zone[] = [home]) => {
    let state = initialState(T0)
    const out: [number, unknown][] = []
    for (const f of items) {
      if ('tickAt' in f) continue
      const r = step(state, f, zones, P, f.ts)
      state = r.state
      out.push(...r.commands.map((c): [number, unknown] => [(f.ts - T0) / 1000, c.command]))
    }
    return out
  }

  it('when the first fix lies beyond the boundary, then the band is asked to locate and report every 5 s for 10 minutes; back inside, the fast mode ends', () => {
    expect(commandsOf([at(0, 60), at(30, 110), at(35, 95), at(45, 65)])).toEqual([
      [30, { cmd: 'locate' }],
      [30, { cmd: 'interval', s: 5, for: 600 }],
      [45, { cmd: 'interval', for: 0 }],
    ])
  })

  it('when a walker comes within 30 m of the boundary moving outwards, then search mode starts before the crossing', () => {
    expect(commandsOf([at(0, 40), at(30, 75)])).toEqual([
      [30, { cmd: 'locate' }],
      [30, { cmd: 'interval', s: 5, for: 600 }],
    ])
  })

  it('when no zone watches a band, then neither a jump on noise 2 s apart nor one far out starts search mode (nothing to search for)', () => {
    const noiseJump = [at(0, 0), at(2, 24)] // 24 m in 2 s with ±8 m circles: 4 m/s, held as a jump
    const farJump = [at(0, 0), at(30, 300)]
    expect(commandsOf(noiseJump, [])).toEqual([])
    expect(commandsOf(farJump, [])).toEqual([])
    expect(commandsOf(farJump)).toEqual([
      [30, { cmd: 'locate' }],
      [30, { cmd: 'interval', s: 5, for: 600 }],
    ])
  })

  it('when a jump on noise 2 s apart lands deep inside the zone, then it is held but starts no search mode; one that lands near the boundary or near a danger zone does', () => {
    const zone = { ...home, shape: { type: 'circle' as const, center: HOME, radiusM: 300 } }
    const deep = [at(0, 0), at(2, 24)] // 24 m in 2 s with ±8 m circles: held; 276 m from the boundary
    expect(commandsOf(deep, [zone])).toEqual([])
    const nearEdge = [at(0, 240), at(2, 264)] // held 36 m inside: within ±8 m + 30 m of the boundary
    expect(commandsOf(nearEdge, [zone])).toEqual([
      [2, { cmd: 'locate' }],
      [2, { cmd: 'interval', s: 5, for: 600 }],
    ])
    // Inside a safe zone that holds a river bank (300–380 m north): a jump towards the bank counts.
    const towardsBank = [at(0, 250), at(2, 274)]
    expect(commandsOf(towardsBank, [big, bank])).toEqual([
      [2, { cmd: 'locate' }],
      [2, { cmd: 'interval', s: 5, for: 600 }],
    ])
    expect(commandsOf([at(0, 0), at(2, 24)], [big, bank])).toEqual([])
  })

  it('when fixes 5 s apart carry GPS noise, then a walker at 1.2 m/s is not held as a jump and four good fixes wholly out over 15 s raise the exit', () => {
    const noisy = [0, 5, 10, 15, 20, 25].map((s, i) => at(30 + s, 105 + 1.2 * s + (i % 2 ? 9 : -9), { acc: 10 }))
    const { events } = run([at(0, 70), ...noisy])
    expect(raised(events)).toEqual([['left_safe_zone', 55]])
    expect(evidenceOf(events, 'left_safe_zone')).toMatchObject({
      rule: 'confirmed exit',
      fastConfirmFixes: 4,
      fastConfirmMs: 15_000,
    })
  })
})
