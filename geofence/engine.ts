// The per-band geofence state machine. Pure: no timers, no clock, no database. `step` takes one
// report (with the wall-clock time it arrived); `tick` takes the time now. Both return the new
// state and the events to raise or resolve. Rules (architecture notes, "The geofence engine"):
// - exit needs the whole error circle beyond every safe zone by a margin; back inside needs the
//   fix's centre inside one (hysteresis);
// - an exit alert needs at least N confirming fixes spanning a minimum time; coarse fixes (cell
//   towers, large accuracy) confirm but never trigger; a fix back inside cancels the exit;
// - stepped out and then silent: raised by the timer, at the highest severity;
// - late fixes never move the zone state backwards; their events (SOS, fall…) still count;
// - danger zones: entering by a fix or by the walk between two fixes (danger.ts).
import type { AlertKind, Severity } from './alert.ts'
import { dangerStep } from './danger.ts'
import { distanceBeyond, inForce, type Zone } from './zone.ts'

export interface EngineFix {
  ts: number
  seq: number
  lat?: number
  lon?: number
  acc?: number
  src?: string
  batt?: number
  evt?: readonly string[]
}

/**
 * `outSince`: the time of the first trigger-grade fix of the current run whose centre lies
 * beyond the boundary — when the wearer was first seen outside, before the error circle cleared
 * the margin. Time outside counts from there; the confirming fixes must still be clearly out.
 * `remindedAt`: when the last "still outside" reminder went (wall clock).
 */
export type ZoneState =
  | { tag: 'unknown'; outSince: number | undefined }
  | { tag: 'inside'; zoneId: number; outSince: number | undefined }
  | { tag: 'leaving'; zoneId: number; since: number; confirmations: number; evidence: Evidence[] }
  | { tag: 'outside'; zoneId: number; since: number; insideFixes: number; lateInside: number; remindedAt: number | undefined }

/** Outside a safe zone since `since` (fix time), with an alert raised. */
export const outside = (zoneId: number, since: number): ZoneState =>
  ({ tag: 'outside', zoneId, since, insideFixes: 0, lateInside: 0, remindedAt: undefined })

export interface BandState {
  /** Newest fix time seen (epoch ms). */
  lastTs: number
  /** Wall-clock time the last report arrived. */
  heardAt: number
  zone: ZoneState
  lowBattery: boolean
  removed: boolean
  offline: boolean
  /** The last fix good enough to trigger ([lon, lat] and time), for crossings between fixes. */
  prev?: { ts: number; at: [number, number] }
  /** Danger zones by id: a first hit awaiting a second (an implausible jump), or entered. */
  danger: Record<number, { tag: 'hit' } | { tag: 'in'; outsideFixes: number }>
  /** The last fix with a position, and the safe zones in force when it was judged (by id). */
  lastFix?: EngineFix
  inForce?: string
}

export interface Policy {
  /** The error circle must clear the boundary by this much to count as outside. */
  exitMarginM: number
  /** Accuracy assumed when a fix carries none. */
  defaultAccM: number
  /** Fixes coarser than this (and every cell-tower fix) may confirm an exit but not start one. */
  maxTriggerAccM: number
  /** An exit alert needs this many fixes outside… */
  confirmFixes: number
  /** …spanning at least this long (fix time). */
  confirmMs: number
  /** Outside but unconfirmed, then nothing heard for this long: alert at once. */
  silentAfterExitMs: number
  /** Nothing heard for this long: band_offline (sooner when outside). */
  offlineMs: number
  offlineOutsideMs: number
  /** While an exit alert stays open, remind everyone who sees it this often (wall clock). */
  remindEveryMs: number
  /** Two fixes back inside resolve an exit alert. */
  backInsideFixes: number
  lowBatteryPct: number
  batteryOkPct: number
  /** Faster than this between two fixes is a jump, not a walk: such a hit needs a second. */
  maxSpeedMps: number
}

/**
 * Defaults chosen from the simulator's noise model: GPS σ 4 m outdoors (reported ~6 m), Wi-Fi
 * σ 20 m, cell towers σ 250 m (which alone put 1 fix in 20 half a kilometre out), multipath
 * jumps of 60–250 m about once in 250 GPS fixes, 30 s reports. Two fixes a minute apart make a
 * lone jump harmless; the confirmation adds at most one report interval to the delay.
 */
export const DEFAULT_POLICY: Policy = {
  exitMarginM: 20,
  defaultAccM: 50,
  maxTriggerAccM: 100,
  confirmFixes: 2,
  confirmMs: 60_000,
  silentAfterExitMs: 3 * 60_000,
  offlineMs: 20 * 60_000,
  offlineOutsideMs: 5 * 60_000,
  remindEveryMs: 10 * 60_000,
  backInsideFixes: 2,
  lowBatteryPct: 15,
  batteryOkPct: 25,
  maxSpeedMps: 3,
}

export interface Evidence {
  ts: number
  seq: number
  lat: number
  lon: number
  accuracyM: number
  src?: string
  distanceBeyondM: number
}

export type EngineEvent =
  | { type: 'raise'; kind: AlertKind; zoneId: number | null; fixTime: number; severity?: Severity; evidence: Record<string, unknown> }
  | { type: 'remind'; kind: AlertKind; zoneId: number | null; fixTime: number; evidence: Record<string, unknown> }
  | { type: 'resolve'; kind: AlertKind; zoneId: number | null; fixTime: number; reason: string }

// Every field present from the start: copying a state then never adds a property (which V8
// makes an order of magnitude slower than copying one that has them all).
export const initialState = (heardAt: number): BandState => ({
  lastTs: -Infinity, heardAt, zone: { tag: 'unknown', outSince: undefined }, lowBattery: false, removed: false, offline: false,
  danger: {}, prev: undefined, lastFix: undefined, inForce: undefined,
})

type Result = { state: BandState; events: EngineEvent[] }

/**
 * A state copied field by field: every state then has the same hidden class, so the copies that
 * follow stay on V8's fast path (states built by spreads from varied shapes made the engine ~5×
 * slower).
 */
const copy = (s: BandState): BandState => ({
  lastTs: s.lastTs, heardAt: s.heardAt, zone: s.zone, lowBattery: s.lowBattery, removed: s.removed, offline: s.offline,
  danger: s.danger, prev: s.prev, lastFix: s.lastFix, inForce: s.inForce,
})

export function step(state: BandState, fix: EngineFix, zones: readonly Zone[], policy: Policy, arrivedAt: number): Result {
  const events: EngineEvent[] = []
  let s: BandState = { ...copy(state), heardAt: Math.max(state.heardAt, arrivedAt) }
  if (s.offline) {
    s = { ...s, offline: false }
    events.push({ type: 'resolve', kind: 'band_offline', zoneId: null, fixTime: fix.ts, reason: 'heard again' })
  }
  s = bandEvents(s, fix, events)
  if (fix.ts < s.lastTs) return { state: lateReturn(s, fix, zones, policy, events), events } // late: the state never goes back
  s = battery({ ...s, lastTs: fix.ts }, fix, policy, events)
  if (fix.lat === undefined || fix.lon === undefined) return { state: s, events }
  const active = inForce(zones, fix.ts)
  s = dangerStep(s, fix, active.filter((z) => z.kind === 'danger'), policy, events)
  const safe = active.filter((z) => z.kind === 'safe')
  s = { ...s, lastFix: fix, inForce: key(safe) }
  if (safe.length === 0) return { state: { ...s, zone: { tag: 'unknown', outSince: undefined } }, events }
  return { state: { ...s, zone: judge(s.zone, fix, safe, policy, events) }, events }
}

const key = (zones: readonly Zone[]) => zones.map((z) => z.id).join(',')

/**
 * Outside while a scheduled safe zone is in force (a night zone: "must be home 22:00–07:00") is
 * the most urgent kind of leaving: such exits are raised as critical.
 */
function nightRule(safe: readonly Zone[], events: EngineEvent[]): EngineEvent[] {
  if (!safe.some((z) => z.schedule)) return events
  return events.map((e) => e.type === 'raise' && e.kind === 'left_safe_zone'
    ? { ...e, severity: 'critical' as const, evidence: { ...e.evidence, scheduledZoneInForce: true } } : e)
}

/**
 * The zone rules for one measurement, with the nearest zone's own policy over the defaults and
 * the night rule applied to what they raise.
 */
function judge(z: ZoneState, fix: EngineFix, safe: readonly Zone[], policy: Policy, events: EngineEvent[]): ZoneState {
  const raised: EngineEvent[] = []
  const first = measure(fix, safe, policy)
  const own = safe.find((x) => x.id === first.zoneId)?.policy
  const p = own ? { ...policy, ...own } : policy
  const next = zoneStep(z, own ? measure(fix, safe, p) : first, p, raised)
  events.push(...nightRule(safe, raised))
  return next
}

export function tick(state: BandState, now: number, policy: Policy, zones: readonly Zone[] = []): Result {
  const events: EngineEvent[] = []
  let s = state
  // A schedule starting (or ending) changes the zones in force: judge the last known position
  // against them now, not only when the next fix comes (a wearer already out at 22:00).
  const safe = inForce(zones, now).filter((z) => z.kind === 'safe')
  // Only a wearer judged inside can start an exit this way; an old fix is no new confirmation.
  if (s.lastFix && s.inForce !== undefined && key(safe) !== s.inForce && safe.length > 0) {
    const settled = s.zone.tag === 'inside' || s.zone.tag === 'unknown'
    s = { ...s, inForce: key(safe), zone: settled ? judge(s.zone, { ...s.lastFix, ts: Math.max(now, s.lastTs) }, safe, policy, events) : s.zone }
  }
  const silentFor = now - s.heardAt
  if (s.zone.tag === 'leaving' && silentFor >= policy.silentAfterExitMs) {
    const z = s.zone
    events.push({ type: 'raise', kind: 'left_safe_zone', zoneId: z.zoneId, fixTime: z.evidence.at(-1)!.ts, severity: 'critical',
      evidence: { rule: 'left, then silent', fixes: z.evidence, silentForMs: silentFor, ...thresholds(policy) } })
    s = { ...s, zone: outside(z.zoneId, z.since) }
  }
  const reminded = s.zone.tag === 'outside' ? remind(s.zone, s, now, policy, events) : s.zone
  if (reminded !== s.zone) s = { ...s, zone: reminded }
  // Away: out, leaving, or last seen beyond the boundary (not yet clearly): offline sooner.
  const away = s.zone.tag === 'outside' || s.zone.tag === 'leaving' || s.zone.outSince !== undefined
  if (!s.offline && silentFor >= (away ? policy.offlineOutsideMs : policy.offlineMs)) {
    events.push({ type: 'raise', kind: 'band_offline', zoneId: null, fixTime: s.lastTs, severity: away ? 'high' : 'medium',
      evidence: { rule: 'nothing heard', silentForMs: silentFor, outside: away, offlineMs: away ? policy.offlineOutsideMs : policy.offlineMs } })
    s = { ...s, offline: true }
  }
  return { state: s, events }
}

/** "Still outside": a reminder on the open exit alert every remindEveryMs, with the latest position. */
function remind(z: Extract<ZoneState, { tag: 'outside' }>, s: BandState, now: number, policy: Policy, events: EngineEvent[]): ZoneState {
  if (z.remindedAt === undefined) return { ...z, remindedAt: now } // the alert has just been raised: count from here
  if (now - z.remindedAt < policy.remindEveryMs) return z
  const last = s.lastFix
  events.push({ type: 'remind', kind: 'left_safe_zone', zoneId: z.zoneId, fixTime: s.lastTs, evidence: {
    rule: 'still outside', outsideForMs: s.lastTs - z.since, silentForMs: now - s.heardAt,
    lastFix: last && { ts: last.ts, seq: last.seq, lat: last.lat, lon: last.lon, accuracyM: last.acc ?? policy.defaultAccM, src: last.src } } })
  return { ...z, remindedAt: now }
}

/**
 * Fixes uploaded late (a backlog after a no-network gap) never move the state backwards, with
 * one exception: while an exit alert is open, late fixes proving the wearer came back inside
 * after it (backInsideFixes in a row) resolve it — the wearer went home during the gap. If the
 * newest position is still out, that is a new exit, confirmed afresh by the fixes that follow.
 */
function lateReturn(s: BandState, fix: EngineFix, zones: readonly Zone[], policy: Policy, events: EngineEvent[]): BandState {
  const z = s.zone
  if (z.tag !== 'outside' || fix.ts <= z.since || fix.lat === undefined || !s.lastFix) return s
  const safe = inForce(zones, fix.ts).filter((x) => x.kind === 'safe')
  if (safe.length === 0) return s
  const lateInside = measure(fix, safe, policy).inside ? z.lateInside + 1 : 0
  if (lateInside < policy.backInsideFixes) return { ...s, zone: { ...z, lateInside } }
  events.push({ type: 'resolve', kind: 'left_safe_zone', zoneId: z.zoneId, fixTime: fix.ts, reason: 'back inside (fixes uploaded late)' })
  const now = inForce(zones, s.lastFix.ts).filter((x) => x.kind === 'safe')
  const zone: ZoneState = { tag: 'inside', zoneId: z.zoneId, outSince: undefined }
  return { ...s, zone: now.length > 0 ? judge(zone, s.lastFix, now, policy, events) : zone }
}

interface Measured {
  ts: number
  zoneId: number
  clearlyOutside: boolean
  inside: boolean
  canTrigger: boolean
  evidence: Evidence
}

function measure(fix: EngineFix, safe: readonly Zone[], policy: Policy): Measured {
  const acc = fix.acc ?? policy.defaultAccM
  let nearest = safe[0]!
  let beyond = Infinity
  for (const z of safe) {
    const d = distanceBeyond(z.shape, fix.lat!, fix.lon!)
    if (d < beyond) [nearest, beyond] = [z, d]
  }
  return {
    ts: fix.ts, zoneId: nearest.id, clearlyOutside: beyond - acc > policy.exitMarginM, inside: beyond < 0,
    canTrigger: fix.src !== 'lbs' && acc <= policy.maxTriggerAccM,
    evidence: { ts: fix.ts, seq: fix.seq, lat: fix.lat!, lon: fix.lon!, accuracyM: acc, src: fix.src, distanceBeyondM: Math.round(beyond * 10) / 10 },
  }
}

function zoneStep(z: ZoneState, m: Measured, policy: Policy, events: EngineEvent[]): ZoneState {
  const { evidence } = m
  switch (z.tag) {
    case 'unknown':
    case 'inside': {
      if (m.inside) return { tag: 'inside', zoneId: m.zoneId, outSince: undefined }
      const outSince = z.outSince ?? (m.canTrigger ? m.ts : undefined)
      if (m.clearlyOutside && m.canTrigger) return confirm({ tag: 'leaving', zoneId: m.zoneId, since: outSince ?? m.ts, confirmations: 1, evidence: [evidence] }, policy, events)
      return { ...z, outSince }
    }
    case 'leaving':
      if (m.inside) return { tag: 'inside', zoneId: m.zoneId, outSince: undefined } // a lone drifted fix: no alert
      if (!m.clearlyOutside) return z
      return confirm({ ...z, confirmations: z.confirmations + 1, evidence: [...z.evidence, evidence].slice(-6) }, policy, events)
    case 'outside': {
      if (!m.inside) return { ...z, insideFixes: 0 }
      const insideFixes = z.insideFixes + 1
      if (insideFixes < policy.backInsideFixes) return { ...z, insideFixes }
      events.push({ type: 'resolve', kind: 'left_safe_zone', zoneId: z.zoneId, fixTime: m.ts, reason: 'back inside' })
      return { tag: 'inside', zoneId: m.zoneId, outSince: undefined }
    }
  }
}

function confirm(z: Extract<ZoneState, { tag: 'leaving' }>, policy: Policy, events: EngineEvent[]): ZoneState {
  const last = z.evidence.at(-1)!
  if (z.confirmations < policy.confirmFixes || last.ts - z.since < policy.confirmMs) return z
  events.push({ type: 'raise', kind: 'left_safe_zone', zoneId: z.zoneId, fixTime: last.ts,
    evidence: { rule: 'confirmed exit', fixes: z.evidence, outsideSince: z.since, outsideForMs: last.ts - z.since, ...thresholds(policy) } })
  return outside(z.zoneId, z.since)
}

const thresholds = (p: Policy) => ({ exitMarginM: p.exitMarginM, confirmFixes: p.confirmFixes, confirmMs: p.confirmMs, maxTriggerAccM: p.maxTriggerAccM })

/** SOS, fall, removal: raised whatever the fix's age — a late alarm is still an alarm. */
function bandEvents(s: BandState, fix: EngineFix, events: EngineEvent[]): BandState {
  const where = fix.lat === undefined ? {} : { lat: fix.lat, lon: fix.lon, accuracyM: fix.acc }
  for (const e of fix.evt ?? []) {
    if (e === 'sos' || e === 'fall') events.push({ type: 'raise', kind: e, zoneId: null, fixTime: fix.ts, evidence: { rule: `band reported ${e}`, seq: fix.seq, ...where } })
    if (e === 'removed' && !s.removed) {
      events.push({ type: 'raise', kind: 'band_removed', zoneId: null, fixTime: fix.ts, evidence: { rule: 'band reported removal', seq: fix.seq, ...where } })
      s = { ...s, removed: true }
    }
    if (e === 'worn' && s.removed) {
      events.push({ type: 'resolve', kind: 'band_removed', zoneId: null, fixTime: fix.ts, reason: 'worn again' })
      s = { ...s, removed: false }
    }
  }
  return s
}

/**
 * SOS and fall in a fix taken before the band reached its current wearer (a late backlog from the
 * previous wearer's time): raised for the wearer at the fix's time, marked late. Nothing else of
 * such a fix is judged: the band's zone and battery state are the current wearer's.
 */
export function lateAlarms(fix: EngineFix): EngineEvent[] {
  const where = fix.lat === undefined ? {} : { lat: fix.lat, lon: fix.lon, accuracyM: fix.acc }
  return (fix.evt ?? []).filter((e) => e === 'sos' || e === 'fall').map((e) => ({
    type: 'raise', kind: e as 'sos' | 'fall', zoneId: null, fixTime: fix.ts,
    evidence: { rule: `band reported ${e}`, seq: fix.seq, late: true, ...where },
  }))
}

/** Low battery with hysteresis: opens below one level, clears above another. */
function battery(s: BandState, fix: EngineFix, policy: Policy, events: EngineEvent[]): BandState {
  if (fix.batt === undefined) return s
  if (!s.lowBattery && fix.batt < policy.lowBatteryPct) {
    events.push({ type: 'raise', kind: 'low_battery', zoneId: null, fixTime: fix.ts, evidence: { rule: 'battery low', batteryPct: fix.batt, lowBatteryPct: policy.lowBatteryPct } })
    return { ...s, lowBattery: true }
  }
  if (s.lowBattery && fix.batt >= policy.batteryOkPct) {
    events.push({ type: 'resolve', kind: 'low_battery', zoneId: null, fixTime: fix.ts, reason: 'battery recovered' })
    return { ...s, lowBattery: false }
  }
  return s
}
