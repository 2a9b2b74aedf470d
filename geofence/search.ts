// Search mode (pure): on the first fix that suggests an exit, ask the band for a fix now
// (`locate`) and for fast reports for a while (`{"cmd":"interval","s":5,"for":600}`, the band
// protocol's timed interval), so the exit is confirmed — or dismissed — from fixes seconds apart
// instead of a report interval apart. Back inside: end the fast mode (`{"cmd":"interval","for":0}`);
// otherwise the band ends it by itself when `for` runs out. Back inside means settled inside and
// more than searchNearM from the boundary. A band no zone watches has nothing to be searched for,
// and a jump held deep inside a safe zone suggests no exit: a jump held on noise (fixes 2 s apart,
// ±6 m) would otherwise start fast reports that only drain the band's battery.
import type { BandCommandOut, BandState, EngineFix, Policy, ZoneState } from './engine-types.ts'
import { distanceBeyond, nearBox, type Zone } from './zone.ts'

/**
 * Whether a held jump hints at leaving (`zones`: those in force): its error circle comes within
 * searchNearM of a safe zone's boundary or lies beyond it, or it comes near a danger zone.
 */
export function heldHintsExit(held: EngineFix, zones: readonly Zone[], policy: Policy): boolean {
  const reach = (held.acc ?? policy.defaultAccM) + policy.searchNearM
  const safe = zones.filter((z) => z.kind === 'safe')
  const deepInside = safe.some((z) => distanceBeyond(z.shape, held.lat!, held.lon!) <= -reach)
  if (safe.length > 0 && !deepInside) return true
  return zones.some((z) => z.kind === 'danger' && nearBox(z.shape, held.lat!, held.lon!, reach))
}

/**
 * Whether the state says the wearer may be leaving: seen beyond the boundary, leaving, a jump held
 * that hints at it, or walking outwards within searchNearM of the boundary (a slow walker is then
 * caught with fast fixes from the moment of crossing, not a report interval later).
 */
export const mayBeLeaving = (s: BandState, zones: readonly Zone[], policy: Policy): boolean =>
  s.zone.tag === 'leaving' ||
  (s.held !== undefined && heldHintsExit(s.held, zones, policy)) ||
  s.approaching ||
  ((s.zone.tag === 'inside' || s.zone.tag === 'unknown') && s.zone.outSince !== undefined)

const settledInside = (z: ZoneState) => z.tag === 'inside' && z.outSince === undefined

/**
 * After a report: start search mode on the first hint of leaving (when a zone in force watches the
 * band: `zones`), end it once back inside.
 */
export function searchStep(
  before: BandState,
  s: BandState,
  arrivedAt: number,
  policy: Policy,
  zones: readonly Zone[],
  commands: BandCommandOut[],
): BandState {
  const active = s.searchUntil !== undefined && arrivedAt < s.searchUntil
  const watched = zones.length > 0
  if (!active && watched && !mayBeLeaving(before, zones, policy) && mayBeLeaving(s, zones, policy)) {
    const reason = 'search mode: a fix suggests an exit'
    commands.push({ command: { cmd: 'locate' }, reason })
    commands.push({ command: { cmd: 'interval', s: policy.searchIntervalS, for: policy.searchForS }, reason })
    return { ...s, searchUntil: arrivedAt + policy.searchForS * 1000 }
  }
  const clear = (s.edgeM ?? -Infinity) < -policy.searchNearM
  const heldHint = () => s.held !== undefined && heldHintsExit(s.held, zones, policy)
  if (active && settledInside(s.zone) && !s.approaching && clear && !heldHint()) {
    commands.push({ command: { cmd: 'interval', for: 0 }, reason: 'search mode over: back inside' })
    return { ...s, searchUntil: undefined }
  }
  return s
}

/** The timer: a search mode past its time has ended at the band too. */
export const searchExpired = (s: BandState, now: number): BandState =>
  s.searchUntil !== undefined && now >= s.searchUntil ? { ...s, searchUntil: undefined } : s
