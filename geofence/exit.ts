// Leaving a safe zone (pure; engine.ts keeps the state). Rules (architecture notes, "The geofence engine"):
// - exit needs the whole error circle beyond every safe zone by a margin; back inside needs the
//   fix's centre inside one (hysteresis);
// - an exit alert needs several confirming fixes with distinct fix times (a QoS 1 duplicate never
//   confirms itself) spanning a minimum time — or, in search mode's fast reports, more fixes over
//   a shorter time, all good outdoor (GPS) fixes wholly beyond (fastRule); a fix back inside
//   cancels the exit;
// - coarse fixes confirm but never start an exit, and cell-tower fixes never confirm one a finer
//   fix started; but several cell fixes whose whole error circles lie far beyond may start one;
// - late fixes (a backlog) are evidence from their own time-stamps, marked late: they may confirm
//   an exit under way or show the wearer came back, but never move the state backwards.
import {
  outside,
  type BandState,
  type EngineEvent,
  type EngineFix,
  type Evidence,
  type Policy,
  type ZoneState,
} from './engine-types.ts'
import { speedMps } from './trust.ts'
import { distanceBeyond, inForce, type Zone } from './zone.ts'

interface Measured {
  ts: number
  zoneId: number
  clearlyOutside: boolean
  inside: boolean
  canTrigger: boolean
  /** A good satellite fix whose whole circle is beyond, without the margin: counts in search mode's fast rule. */
  goodOut: boolean
  cell: boolean
  beyond: number
  /** The whole error circle lies cellBeyondM beyond (what a cell fix needs to count). */
  farOut: boolean
  evidence: Evidence
}

export function measure(fix: EngineFix, safe: readonly Zone[], policy: Policy): Measured {
  const acc = fix.acc ?? policy.defaultAccM
  let nearest = safe[0]!
  let beyond = Infinity
  for (const z of safe) {
    const d = distanceBeyond(z.shape, fix.lat!, fix.lon!)
    if (d < beyond) [nearest, beyond] = [z, d]
  }
  return {
    ts: fix.ts,
    zoneId: nearest.id,
    clearlyOutside: beyond - acc > policy.exitMarginM,
    inside: beyond < 0,
    beyond,
    canTrigger: fix.src !== 'lbs' && acc <= policy.maxTriggerAccM,
    goodOut: goodGps(fix.src, acc, policy) && beyond - acc > 0,
    cell: fix.src === 'lbs',
    farOut: beyond - acc >= policy.cellBeyondM,
    evidence: {
      ts: fix.ts,
      seq: fix.seq,
      lat: fix.lat!,
      lon: fix.lon!,
      accuracyM: acc,
      src: fix.src,
      distanceBeyondM: Math.round(beyond * 10) / 10,
    },
  }
}

/**
 * Outside while a scheduled safe zone is in force (a night zone: "must be home 22:00–07:00") is
 * the most urgent kind of leaving: such exits are raised as critical.
 */
function nightRule(safe: readonly Zone[], events: EngineEvent[]): EngineEvent[] {
  if (!safe.some((z) => z.schedule)) return events
  return events.map((e) =>
    e.type === 'raise' && e.kind === 'left_safe_zone'
      ? { ...e, severity: 'critical' as const, evidence: { ...e.evidence, scheduledZoneInForce: true } }
      : e,
  )
}

/**
 * The zone rules for one measurement, with the nearest zone's own policy over the defaults and
 * the night rule applied to what they raise. `inside`: the fix's centre is inside a safe zone.
 */
export function judge(
  z: ZoneState,
  fix: EngineFix,
  safe: readonly Zone[],
  policy: Policy,
  events: EngineEvent[],
): { zone: ZoneState; inside: boolean; beyond: number } {
  const raised: EngineEvent[] = []
  const first = measure(fix, safe, policy)
  const own = safe.find((x) => x.id === first.zoneId)?.policy
  const p = own ? { ...policy, ...own } : policy
  const m = own ? measure(fix, safe, p) : first
  const zone = zoneStep(z, m, p, raised)
  events.push(...nightRule(safe, raised))
  return { zone, inside: m.inside, beyond: m.beyond }
}

function zoneStep(z: ZoneState, m: Measured, policy: Policy, events: EngineEvent[]): ZoneState {
  const { evidence } = m
  const back: ZoneState = { tag: 'inside', zoneId: m.zoneId, outSince: undefined }
  switch (z.tag) {
    case 'unknown':
    case 'inside': {
      if (m.inside) return back
      const outSince = z.outSince ?? (m.canTrigger ? m.ts : undefined)
      if ((m.clearlyOutside && m.canTrigger) || m.goodOut) {
        const confirmations = m.clearlyOutside ? 1 : 0
        const since = outSince ?? m.ts
        return confirm({ tag: 'leaving', zoneId: m.zoneId, since, confirmations, evidence: [evidence] }, policy, events)
      }
      if (m.cell && m.farOut) {
        return confirm(
          { tag: 'leaving', zoneId: m.zoneId, since: m.ts, confirmations: 1, evidence: [evidence], coarse: true },
          policy,
          events,
        )
      }
      return { ...z, outSince }
    }
    case 'leaving': {
      if (z.evidence.some((e) => e.ts === m.ts)) return z // the same fix time never confirms itself
      if (m.inside) return back // a lone drifted fix: no alert
      const confirmations = z.confirmations + (m.clearlyOutside ? 1 : 0)
      const more = { ...z, confirmations, evidence: [...z.evidence, evidence].slice(-6) }
      if (z.coarse) {
        if (m.cell) return m.farOut ? confirm(more, policy, events) : z
        // A finer fix either joins the cell fixes or shows they were wrong.
        if (m.clearlyOutside && m.canTrigger) return confirm({ ...more, coarse: false }, policy, events)
        return { ...back, outSince: m.canTrigger ? m.ts : undefined }
      }
      if (m.cell || !(m.clearlyOutside || m.goodOut)) return z // cell fixes never confirm an exit a finer fix started
      return confirm(more, policy, events)
    }
    case 'outside': {
      if (!m.inside) return { ...z, insideFixes: 0 }
      const insideFixes = z.insideFixes + 1
      if (insideFixes < policy.backInsideFixes) return { ...z, insideFixes }
      events.push({ type: 'resolve', kind: 'left_safe_zone', zoneId: z.zoneId, fixTime: m.ts, reason: 'back inside' })
      return back
    }
  }
}

function confirm(z: Extract<ZoneState, { tag: 'leaving' }>, policy: Policy, events: EngineEvent[]): ZoneState {
  const last = z.evidence.at(-1)!
  const span = last.ts - z.since
  const enough = z.coarse
    ? z.confirmations >= policy.cellFixes && span >= policy.confirmMs
    : (z.confirmations >= policy.confirmFixes && span >= policy.confirmMs) || fastRule(z.evidence, policy)
  if (!enough) return z
  events.push({
    type: 'raise',
    kind: 'left_safe_zone',
    zoneId: z.zoneId,
    fixTime: last.ts,
    evidence: {
      rule: z.coarse ? 'cell fixes far out' : 'confirmed exit',
      fixes: z.evidence,
      outsideSince: z.since,
      outsideForMs: span,
      late: z.evidence.some((e) => e.late) || undefined,
      ...thresholds(policy),
    },
  })
  return outside(z.zoneId, z.since)
}

const goodGps = (src: string | undefined, acc: number, p: Policy) =>
  src !== 'wifi' && src !== 'lbs' && acc <= p.goodAccM

/**
 * Search mode's fast rule: the last fastConfirmFixes fixes are good satellite fixes whose whole
 * circles are beyond, taken at most two and a half fast intervals apart, spanning fastConfirmMs. Indoor
 * drift comes through Wi-Fi and poor GPS, and a jump is held by trust.ts; a walker 5 s apart
 * needs no margin on top of the circle.
 */
function fastRule(evidence: readonly Evidence[], p: Policy): boolean {
  const run = evidence.slice(-p.fastConfirmFixes)
  if (run.length < p.fastConfirmFixes || run.at(-1)!.ts - run[0]!.ts < p.fastConfirmMs) return false
  return run.every(
    (e, i) =>
      goodGps(e.src, e.accuracyM, p) &&
      e.distanceBeyondM - e.accuracyM > 0 &&
      (i === 0 || e.ts - run[i - 1]!.ts <= 2.5 * p.searchIntervalS * 1000),
  )
}

export const thresholds = (p: Policy) => ({
  exitMarginM: p.exitMarginM,
  confirmFixes: p.confirmFixes,
  confirmMs: p.confirmMs,
  maxTriggerAccM: p.maxTriggerAccM,
  fastConfirmFixes: p.fastConfirmFixes,
  fastConfirmMs: p.fastConfirmMs,
  cellBeyondM: p.cellBeyondM,
})

/**
 * A fix uploaded late (a backlog after a no-network gap). While an exit is being confirmed, a
 * late fix clearly out, after the last one seen inside and plausible beside the fixes already
 * held as evidence, confirms it from its own time-stamp. While an exit alert is open, late fixes
 * proving the wearer came back inside after it (backInsideFixes in a row) resolve it — the
 * wearer went home during the gap; if the newest position is still out, that is a new exit,
 * confirmed afresh. Nothing else moves: the newest fix decides where the wearer is.
 */
export function lateExit(
  s: BandState,
  fix: EngineFix,
  zones: readonly Zone[],
  policy: Policy,
  events: EngineEvent[],
): BandState {
  const safe = inForce(zones, fix.ts).filter((x) => x.kind === 'safe')
  if (safe.length === 0) return s
  const m = measure(fix, safe, policy)
  if (m.inside && fix.ts > s.insideAt) s = { ...s, insideAt: fix.ts }
  const z = s.zone
  if (z.tag === 'outside') return lateReturn(s, z, m, zones, policy, events)
  if (z.tag !== 'leaving' || z.coarse || m.cell || !m.clearlyOutside || fix.ts <= s.insideAt) return s
  if (z.evidence.some((e) => e.ts === fix.ts)) return s
  const near = z.evidence.reduce((a, b) => (Math.abs(b.ts - fix.ts) < Math.abs(a.ts - fix.ts) ? b : a))
  if (speedMps({ ts: near.ts, at: [near.lon, near.lat] }, fix) > policy.maxSpeedMps) return s
  const evidence = [...z.evidence, { ...m.evidence, late: true }].sort((a, b) => a.ts - b.ts).slice(-6)
  const more = { ...z, since: Math.min(z.since, fix.ts), confirmations: z.confirmations + 1, evidence }
  return { ...s, zone: confirm(more, policy, events) }
}

function lateReturn(
  s: BandState,
  z: Extract<ZoneState, { tag: 'outside' }>,
  m: Measured,
  zones: readonly Zone[],
  policy: Policy,
  events: EngineEvent[],
): BandState {
  if (m.ts <= z.since || !s.lastFix) return s
  const lateInside = m.inside ? z.lateInside + 1 : 0
  if (lateInside < policy.backInsideFixes) return { ...s, zone: { ...z, lateInside } }
  events.push({
    type: 'resolve',
    kind: 'left_safe_zone',
    zoneId: z.zoneId,
    fixTime: m.ts,
    reason: 'back inside (fixes uploaded late)',
  })
  const now = inForce(zones, s.lastFix.ts).filter((x) => x.kind === 'safe')
  const zone: ZoneState = { tag: 'inside', zoneId: z.zoneId, outSince: undefined }
  return { ...s, zone: now.length > 0 ? judge(zone, s.lastFix, now, policy, events).zone : zone }
}
