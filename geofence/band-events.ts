// Emergencies and the band's own reports (pure; engine.ts calls them for every report, late or not).
// An SOS or fall is raised for every press, whatever the fix's age: a late alarm is still an
// alarm, and a second press is a second emergency (the alert store opens an acknowledged alert
// again for it, alert-store.pg.ts). Removal and low battery open once and clear once.
import type { BandState, EngineEvent, EngineFix, Policy } from './engine-types.ts'

export function bandEvents(s: BandState, fix: EngineFix, events: EngineEvent[]): BandState {
  const where = fix.lat === undefined ? {} : { lat: fix.lat, lon: fix.lon, accuracyM: fix.acc }
  for (const e of fix.evt ?? []) {
    if (e === 'sos' || e === 'fall') {
      events.push({
        type: 'raise',
        kind: e,
        zoneId: null,
        fixTime: fix.ts,
        evidence: { rule: `band reported ${e}`, seq: fix.seq, ...where },
      })
    }
    if (e === 'removed' && !s.removed) {
      events.push({
        type: 'raise',
        kind: 'band_removed',
        zoneId: null,
        fixTime: fix.ts,
        evidence: { rule: 'band reported removal', seq: fix.seq, ...where },
      })
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
  return (fix.evt ?? [])
    .filter((e) => e === 'sos' || e === 'fall')
    .map((e) => ({
      type: 'raise',
      kind: e as 'sos' | 'fall',
      zoneId: null,
      fixTime: fix.ts,
      evidence: { rule: `band reported ${e}`, seq: fix.seq, late: true, ...where },
    }))
}

/** Low battery with hysteresis: opens below one level, clears above another. */
export function battery(s: BandState, fix: EngineFix, policy: Policy, events: EngineEvent[]): BandState {
  if (fix.batt === undefined) return s
  if (!s.lowBattery && fix.batt < policy.lowBatteryPct) {
    events.push({
      type: 'raise',
      kind: 'low_battery',
      zoneId: null,
      fixTime: fix.ts,
      evidence: { rule: 'battery low', batteryPct: fix.batt, lowBatteryPct: policy.lowBatteryPct },
    })
    return { ...s, lowBattery: true }
  }
  if (s.lowBattery && fix.batt >= policy.batteryOkPct) {
    events.push({ type: 'resolve', kind: 'low_battery', zoneId: null, fixTime: fix.ts, reason: 'battery recovered' })
    return { ...s, lowBattery: false }
  }
  return s
}
