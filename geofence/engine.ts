// The per-band geofence state machine. Pure: no timers, no clock, no database. `step` takes one
// report (with the wall-clock time it arrived); `tick` takes the time now. Both return the new
// state and the events to raise, remind or resolve, and commands for the band. Each concern has
// its own module: trust.ts (jumps held until the next fix agrees), exit.ts (leaving a safe zone),
// danger.ts (danger zones), band-events.ts (SOS, fall, removal, battery), search.ts (search mode).
// - the same band and fix time never counts twice (a QoS 1 duplicate);
// - stepped out and then silent: raised by the timer, at the highest severity;
// - late fixes never move the zone state backwards; they are evidence from their own time-stamps.
import { battery, bandEvents } from './band-events.ts'
import { dangerStep, lateDanger } from './danger.ts'
import {
  copy,
  outside,
  triggerGrade,
  type BandCommandOut,
  type BandState,
  type EngineEvent,
  type EngineFix,
  type Policy,
  type ZoneState,
} from './engine-types.ts'
import { judge, lateExit, thresholds } from './exit.ts'
import { searchExpired, searchStep } from './search.ts'
import { trustOf } from './trust.ts'
import { inForce, type Zone } from './zone.ts'

export * from './engine-types.ts'
export { lateAlarms } from './band-events.ts'

type Result = { state: BandState; events: EngineEvent[]; commands: BandCommandOut[] }

export function step(
  state: BandState,
  fix: EngineFix,
  zones: readonly Zone[],
  policy: Policy,
  arrivedAt: number,
): Result {
  const events: EngineEvent[] = []
  let s: BandState = { ...copy(state), heardAt: Math.max(state.heardAt, arrivedAt) }
  if (s.offline) {
    s = { ...s, offline: false }
    events.push({ type: 'resolve', kind: 'band_offline', zoneId: null, fixTime: fix.ts, reason: 'heard again' })
  }
  s = bandEvents(s, fix, events)
  const located = fix.lat !== undefined && fix.lon !== undefined
  const commands: BandCommandOut[] = []
  // A late fix: evidence from its own time-stamp, but the state never goes back.
  if (fix.ts < s.lastTs) return { state: located ? late(s, fix, zones, policy, events) : s, events, commands }
  const repeat = fix.ts === s.lastTs // the same fix time again (a QoS 1 duplicate) never counts twice
  s = battery({ ...s, lastTs: fix.ts }, fix, policy, events)
  if (!located || repeat) return { state: s, events, commands }
  const before = s
  const trust = trustOf(s, fix, policy)
  if (trust === 'held') s = { ...s, held: fix }
  else {
    if (trust === 'agrees') s = judgeFix(s, s.held!, zones, policy, events, true)
    s = judgeFix({ ...s, held: undefined }, fix, zones, policy, events, false)
  }
  return { state: searchStep(before, s, arrivedAt, policy, inForce(zones, fix.ts), commands), events, commands }
}

const key = (zones: readonly Zone[]) => zones.map((z) => z.id).join(',')

/** A trusted fix through the danger and safe-zone rules. `weak`: it counts only as the first of two. */
function judgeFix(
  s: BandState,
  fix: EngineFix,
  zones: readonly Zone[],
  policy: Policy,
  events: EngineEvent[],
  weak: boolean,
): BandState {
  const active = inForce(zones, fix.ts)
  s = dangerStep(
    s,
    fix,
    active.filter((z) => z.kind === 'danger'),
    policy,
    events,
    weak,
  )
  const safe = active.filter((z) => z.kind === 'safe')
  const fine = triggerGrade(fix, policy)
  const at: [number, number] = [fix.lon!, fix.lat!]
  const prev = fine ? { ts: fix.ts, at, acc: fix.acc ?? policy.defaultAccM } : s.prev
  s = { ...s, lastFix: fix, inForce: key(safe), prev }
  if (safe.length === 0) return { ...s, zone: { tag: 'unknown', outSince: undefined } }
  const { zone, inside, beyond } = judge(s.zone, fix, safe, policy, events)
  // Walking outwards near the edge: within searchNearM and 5 m further out than the last trusted fix.
  const approaching =
    fine && beyond < 0 && beyond > -policy.searchNearM && s.edgeM !== undefined && beyond > s.edgeM + 5
  return { ...s, zone, insideAt: inside ? fix.ts : s.insideAt, edgeM: fine ? beyond : s.edgeM, approaching }
}

/** A fix older than the newest: evidence for danger entries and exits, from its own time-stamp. */
function late(s: BandState, fix: EngineFix, zones: readonly Zone[], policy: Policy, events: EngineEvent[]): BandState {
  s = lateDanger(
    s,
    fix,
    inForce(zones, fix.ts).filter((z) => z.kind === 'danger'),
    policy,
    events,
  )
  return lateExit(s, fix, zones, policy, events)
}

export function tick(state: BandState, now: number, policy: Policy, zones: readonly Zone[] = []): Result {
  const events: EngineEvent[] = []
  let s = searchExpired(state, now)
  // A schedule starting (or ending) changes the zones in force: judge the last known position
  // against them now, not only when the next fix comes (a wearer already out at 22:00).
  const safe = inForce(zones, now).filter((z) => z.kind === 'safe')
  // Only a wearer judged inside can start an exit this way; an old fix is no new confirmation.
  if (s.lastFix && s.inForce !== undefined && key(safe) !== s.inForce && safe.length > 0) {
    const settled = s.zone.tag === 'inside' || s.zone.tag === 'unknown'
    const last = { ...s.lastFix, ts: Math.max(now, s.lastTs) }
    const zone = settled ? judge(s.zone, last, safe, policy, events).zone : s.zone
    s = { ...s, inForce: key(safe), zone }
  }
  const silentFor = now - s.heardAt
  // Cell fixes alone are too coarse to call "left, then silent" on…
  // …and so is an exit no fix has yet cleared by the margin (it started on search mode's fast rule).
  if (s.zone.tag === 'leaving' && !s.zone.coarse && s.zone.confirmations > 0 && silentFor >= policy.silentAfterExitMs) {
    const z = s.zone
    events.push({
      type: 'raise',
      kind: 'left_safe_zone',
      zoneId: z.zoneId,
      fixTime: z.evidence.at(-1)!.ts,
      severity: 'critical',
      evidence: { rule: 'left, then silent', fixes: z.evidence, silentForMs: silentFor, ...thresholds(policy) },
    })
    s = { ...s, zone: outside(z.zoneId, z.since) }
  }
  const reminded = s.zone.tag === 'outside' ? remind(s.zone, s, now, policy, events) : s.zone
  if (reminded !== s.zone) s = { ...s, zone: reminded }
  // Away: out, leaving, or last seen beyond the boundary (not yet clearly): offline sooner.
  const away = s.zone.tag === 'outside' || s.zone.tag === 'leaving' || s.zone.outSince !== undefined
  if (!s.offline && silentFor >= (away ? policy.offlineOutsideMs : policy.offlineMs)) {
    const offlineMs = away ? policy.offlineOutsideMs : policy.offlineMs
    events.push({
      type: 'raise',
      kind: 'band_offline',
      zoneId: null,
      fixTime: s.lastTs,
      severity: away ? 'high' : 'medium',
      evidence: { rule: 'nothing heard', silentForMs: silentFor, outside: away, offlineMs },
    })
    s = { ...s, offline: true }
  }
  return { state: s, events, commands: [] }
}

/** "Still outside": a reminder on the open exit alert every remindEveryMs, with the latest position. */
function remind(
  z: Extract<ZoneState, { tag: 'outside' }>,
  s: BandState,
  now: number,
  policy: Policy,
  events: EngineEvent[],
): ZoneState {
  if (z.remindedAt === undefined) return { ...z, remindedAt: now } // the alert has just been raised: count from here
  if (now - z.remindedAt < policy.remindEveryMs) return z
  const last = s.lastFix
  events.push({
    type: 'remind',
    kind: 'left_safe_zone',
    zoneId: z.zoneId,
    fixTime: s.lastTs,
    evidence: {
      rule: 'still outside',
      outsideForMs: s.lastTs - z.since,
      silentForMs: now - s.heardAt,
      lastFix: last && {
        ts: last.ts,
        seq: last.seq,
        lat: last.lat,
        lon: last.lon,
        accuracyM: last.acc ?? policy.defaultAccM,
        src: last.src,
      },
    },
  })
  return { ...z, remindedAt: now }
}
