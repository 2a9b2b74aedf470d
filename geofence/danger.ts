// Danger-zone rules of the geofence engine (pure; engine.ts keeps the state they read and write).
// Entering needs evidence that survives a fix's error: the error circle mostly inside, or a
// second fix (a later one) inside too, or the straight walk between two good fixes crossing the
// zone (sparse fixes); the second of two fixes must be good (goodAccM). Only satellite fixes
// count: Wi-Fi and cell fixes come indoors or without sky, where drift beyond the claimed accuracy
// puts homes beside a road onto it for minutes. Only trusted fixes come here (trust.ts holds
// jumps). Two fixes off it again (centre beyond by the margin) resolve it; cell fixes do not count. Late fixes (a backlog) raise an entry from two
// of their own, marked late.
import {
  triggerGrade,
  type BandState,
  type DangerFix,
  type EngineEvent,
  type EngineFix,
  type Policy,
} from './engine-types.ts'
import { speedMps } from './trust.ts'
import { distanceBeyond, insideShape, metres, nearBox, segmentTouches, type Zone, type ZoneShape } from './zone.ts'

/** `weak`: a fix that only counts as the first of two (a held jump the next fix agreed with). */
export function dangerStep(
  s: BandState,
  fix: EngineFix,
  zones: readonly Zone[],
  policy: Policy,
  events: EngineEvent[],
  weak: boolean,
): BandState {
  const acc = fix.acc ?? policy.defaultAccM
  const canTrigger = triggerGrade(fix, policy)
  const here: [number, number] = [fix.lon!, fix.lat!]
  const danger = { ...s.danger }
  // How far from this fix the zone may be and still matter: the walk since the last fix, the error circle.
  const reach = Math.min(5000, (s.prev ? metres(s.prev.at, here[1], here[0]) : 0) + acc + policy.exitMarginM)
  const f = dangerFix(fix, acc)
  for (const z of zones) {
    const current = danger[z.id]
    // Far from the zone (and from the walk since the last fix): nothing to test.
    if (!current && !nearBox(z.shape, fix.lat!, fix.lon!, reach)) continue
    if (current?.tag === 'in') {
      if (!canTrigger) continue // a cell-tower fix shows neither way
      const outsideFixes = offZone(z.shape, fix, acc, policy) ? current.outsideFixes + 1 : 0
      if (outsideFixes < policy.backInsideFixes) danger[z.id] = { tag: 'in', outsideFixes }
      else {
        delete danger[z.id]
        events.push({
          type: 'resolve',
          kind: 'entered_danger_zone',
          zoneId: z.id,
          fixTime: fix.ts,
          reason: 'left the danger zone',
        })
      }
      continue
    }
    if (!canTrigger) continue // a cell-tower fix neither enters nor clears a first hit
    if (fix.src === 'wifi') {
      // Wi-Fi means near buildings, likely indoors: no entry, and a first hit lapses
      delete danger[z.id]
      continue
    }
    const inside = insideShape(z.shape, fix.lat!, fix.lon!)
    const good = !weak && acc <= policy.goodAccM && s.prev !== undefined && s.prev.acc <= policy.goodAccM
    // One fix suffices only with a small error circle mostly inside, under sustained sky (the fix
    // before was a satellite fix too).
    const alone =
      !weak &&
      acc <= policy.goodAccM &&
      (s.lastFix?.src ?? 'gps') === 'gps' &&
      mostlyInside(z.shape, fix.lat!, fix.lon!, acc)
    const enter = (rule: string, fixes: DangerFix[]) => {
      danger[z.id] = { tag: 'in', outsideFixes: 0 }
      const beyond = (x: DangerFix) => Math.round(distanceBeyond(z.shape, x.lat, x.lon) * 10) / 10
      events.push({
        type: 'raise',
        kind: 'entered_danger_zone',
        zoneId: z.id,
        fixTime: fix.ts,
        severity: 'critical',
        evidence: {
          rule,
          fixes: fixes.map((x) => ({ ...x, distanceBeyondM: beyond(x) })),
          previous: s.prev,
          maxSpeedMps: policy.maxSpeedMps,
          goodAccM: policy.goodAccM,
        },
      })
    }
    if (!inside && good && segmentTouches(z.shape, s.prev!.at, here)) enter('walked through between two fixes', [f])
    else if (inside && alone) enter('fix inside', [f])
    else if (inside && current?.tag === 'hit' && current.fix.ts < fix.ts && acc <= policy.goodAccM) {
      enter('two fixes inside', [current.fix, f])
    } else if (inside) danger[z.id] = { tag: 'hit', fix: f }
    else delete danger[z.id]
  }
  return { ...s, danger }
}

/**
 * Off a danger zone the wearer entered: the fix's centre exitMarginM beyond it and by half its
 * error circle (hysteresis on the centre, as back inside a safe zone). Not the whole circle: a
 * wearer back home 45 m from a road, seen by ±35 m Wi-Fi and ±12 m GPS, would otherwise stay
 * "on the road" for the rest of the day and the next real visit would raise nothing (issue 15).
 */
const offZone = (shape: ZoneShape, fix: EngineFix, acc: number, policy: Policy) => {
  const beyond = distanceBeyond(shape, fix.lat!, fix.lon!)
  return beyond > policy.exitMarginM && beyond > acc / 2
}

const dangerFix = (fix: EngineFix, acc: number, late?: true): DangerFix => ({
  ts: fix.ts,
  seq: fix.seq,
  lat: fix.lat!,
  lon: fix.lon!,
  accuracyM: acc,
  src: fix.src,
  ...(late ? { late } : {}),
})

/**
 * Whether most of the error circle lies inside: the centre and eight points at 0.7 of the
 * radius (the ring that halves the circle's area), at least seven of the nine inside (a fix just
 * inside a long straight edge has six: half its circle is out).
 */
export function mostlyInside(shape: ZoneShape, lat: number, lon: number, accM: number): boolean {
  const r = 0.7 * accM
  const dLat = r / 111_195
  const dLon = dLat / Math.cos((lat * Math.PI) / 180)
  let n = insideShape(shape, lat, lon) ? 1 : 0
  for (let k = 0; k < 8; k++) {
    const a = (k * Math.PI) / 4
    if (insideShape(shape, lat + dLat * Math.cos(a), lon + dLon * Math.sin(a))) n++
    if (n >= 7) return true
  }
  return false
}

/**
 * A late fix (uploaded in a backlog after newer ones): two consecutive late satellite fixes
 * inside the same zone, a plausible walk apart, the second good, raise the entry marked late.
 * If the newest fix is clearly off
 * the zone, the entry is closed at once (the family still sees where the wearer was).
 */
export function lateDanger(
  s: BandState,
  fix: EngineFix,
  zones: readonly Zone[],
  policy: Policy,
  events: EngineEvent[],
): BandState {
  if (!triggerGrade(fix, policy)) return s
  if (fix.src === 'wifi') return { ...s, lateHit: undefined }
  const acc = fix.acc ?? policy.defaultAccM
  const f = dangerFix(fix, acc, true)
  const hits = zones
    .filter((z) => nearBox(z.shape, fix.lat!, fix.lon!, 0) && insideShape(z.shape, fix.lat!, fix.lon!))
    .map((z) => z.id)
  const before = s.lateHit
  const danger = { ...s.danger }
  for (const id of hits) {
    const current = danger[id]
    if (current?.tag === 'in' || (current?.tag === 'late' && Math.abs(fix.ts - current.ts) < 10 * 60_000)) continue
    if (!before?.zones.includes(id) || before.ts === fix.ts || acc > policy.goodAccM) continue
    if (Math.abs(fix.ts - before.ts) > 2 * 60_000) continue
    if (speedMps({ ts: before.ts, at: [before.lon, before.lat] }, fix) > policy.maxSpeedMps) continue
    const zone = zones.find((z) => z.id === id)!
    const { zones: _hits, ...first } = before
    events.push({
      type: 'raise',
      kind: 'entered_danger_zone',
      zoneId: id,
      fixTime: fix.ts,
      severity: 'critical',
      evidence: {
        rule: 'two fixes inside (uploaded late)',
        late: true,
        fixes: [first, f],
        maxSpeedMps: policy.maxSpeedMps,
      },
    })
    const now = s.lastFix
    const offNow =
      now && distanceBeyond(zone.shape, now.lat!, now.lon!) - (now.acc ?? policy.defaultAccM) > policy.exitMarginM
    if (offNow) {
      events.push({
        type: 'resolve',
        kind: 'entered_danger_zone',
        zoneId: id,
        fixTime: s.lastTs,
        reason: 'off the danger zone in a newer fix',
      })
      danger[id] = { tag: 'late', ts: fix.ts }
    } else danger[id] = { tag: 'in', outsideFixes: 0 }
  }
  return { ...s, danger, lateHit: { ...f, zones: hits } }
}
