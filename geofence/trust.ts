// Which fixes to believe (pure). A fix good enough to trigger that implies an impossible speed
// from the last trusted one is a multipath jump until shown otherwise: it is held — no exit
// starts from it, the silence timer does not count it as "seen outside" — until the next fix
// agrees (plausible from it: the wearer did move, e.g. by car) or disagrees (plausible from the
// last trusted fix: a lone jump, dropped). Coarse fixes are weighed by their own rules instead.
import { triggerGrade, type BandState, type EngineFix, type Policy } from './engine-types.ts'
import { metres } from './zone.ts'

export type Trust = 'trusted' | 'held' | 'agrees'

export function trustOf(s: BandState, fix: EngineFix, policy: Policy): Trust {
  if (!triggerGrade(fix, policy) || !s.prev) return 'trusted'
  // Agreeing needs a later fix: a duplicate of the held one (same fix time) never vouches for it.
  // Checked first: a fix near the held one vouches for it even if it is near the old one too.
  const held = s.held
  const acc = fix.acc ?? policy.defaultAccM
  const fromHeld =
    held && fix.ts > held.ts
      ? speedMps({ ts: held.ts, at: [held.lon!, held.lat!] }, fix, (held.acc ?? policy.defaultAccM) + acc)
      : Infinity
  if (fromHeld <= policy.maxSpeedMps) return 'agrees'
  return speedMps(s.prev, fix, s.prev.acc + acc) <= policy.maxSpeedMps ? 'trusted' : 'held'
}

/**
 * Metres per second from a known point to a fix, the two error circles (`slackM`) taken off the
 * distance: fixes 5 s apart would otherwise make a walker "run" on noise alone. A jump of under
 * 50 m in no time is no jump.
 */
export function speedMps(from: { ts: number; at: [number, number] }, fix: EngineFix, slackM = 0): number {
  const m = Math.max(0, metres(from.at, fix.lat!, fix.lon!) - slackM)
  const s = Math.abs(fix.ts - from.ts) / 1000
  return s > 0 ? m / s : m < 50 ? 0 : Infinity
}
