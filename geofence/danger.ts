// Danger-zone rules of the geofence engine (pure; engine.ts keeps the state they read and write).
import type { BandState, EngineEvent, EngineFix, Policy } from './engine.ts'
import { distanceBeyond, insideShape, metres, nearBox, segmentTouches, type Zone } from './zone.ts'

/**
 * Danger zones alert on entering: a good fix inside, or the straight walk from the previous good
 * fix through the zone (sparse fixes). A hit that would need a run faster than maxSpeedMps is
 * treated as a possible multipath jump and needs the next fix to hit too. Two fixes clearly out
 * again resolve it.
 */
export function dangerStep(s: BandState, fix: EngineFix, zones: readonly Zone[], policy: Policy, events: EngineEvent[]): BandState {
  const acc = fix.acc ?? policy.defaultAccM
  const canTrigger = fix.src !== 'lbs' && acc <= policy.maxTriggerAccM
  const here: [number, number] = [fix.lon!, fix.lat!]
  const danger = { ...s.danger }
  const plausible = !s.prev || speed(s.prev, fix.ts, here) <= policy.maxSpeedMps
  // How far from this fix the zone may be and still matter: the walk since the last fix, the error circle.
  const reach = Math.min(5000, (s.prev ? metres(s.prev.at, here[1], here[0]) : 0) + acc + policy.exitMarginM)
  for (const z of zones) {
    const current = danger[z.id]
    // Far from the zone (and from the walk since the last fix): nothing to test.
    if (!current && !nearBox(z.shape, fix.lat!, fix.lon!, reach)) continue
    if (current?.tag === 'in') {
      const beyond = distanceBeyond(z.shape, fix.lat!, fix.lon!)
      const outsideFixes = beyond - acc > policy.exitMarginM ? current.outsideFixes + 1 : 0
      if (outsideFixes < policy.backInsideFixes) danger[z.id] = { tag: 'in', outsideFixes }
      else {
        delete danger[z.id]
        events.push({ type: 'resolve', kind: 'entered_danger_zone', zoneId: z.id, fixTime: fix.ts, reason: 'left the danger zone' })
      }
      continue
    }
    const inside = insideShape(z.shape, fix.lat!, fix.lon!)
    // A walk is only inferred between fixes a person could have walked between.
    const crossed = plausible && !inside && s.prev !== undefined && segmentTouches(z.shape, s.prev.at, here)
    const hit = canTrigger && (inside || crossed)
    if (hit && (plausible || current?.tag === 'hit')) {
      danger[z.id] = { tag: 'in', outsideFixes: 0 }
      events.push({ type: 'raise', kind: 'entered_danger_zone', zoneId: z.id, fixTime: fix.ts, severity: 'critical', evidence: {
        rule: crossed ? 'walked through between two fixes' : 'fix inside', fix: { ts: fix.ts, seq: fix.seq, lat: fix.lat, lon: fix.lon, accuracyM: acc, src: fix.src },
        previous: s.prev, distanceBeyondM: Math.round(distanceBeyond(z.shape, fix.lat!, fix.lon!) * 10) / 10, maxSpeedMps: policy.maxSpeedMps } })
    } else if (hit) danger[z.id] = { tag: 'hit' }
    else delete danger[z.id]
  }
  return { ...s, danger, prev: canTrigger ? { ts: fix.ts, at: here } : s.prev }
}

function speed(prev: { ts: number; at: [number, number] }, ts: number, at: [number, number]): number {
  const m = metres(prev.at, at[1], at[0])
  const s = (ts - prev.ts) / 1000
  return s > 0 ? m / s : m < 50 ? 0 : Infinity
}
