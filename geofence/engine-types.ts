// The geofence engine's state, policy and events (engine.ts runs them; exit.ts, danger.ts,
// trust.ts, search.ts and band-events.ts each hold one concern's rules).
import type { AlertKind, Severity } from './alert.ts'

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
 * `coarse`: an exit started by cell-tower fixes far out (they alone may confirm it).
 * `remindedAt`: when the last "still outside" reminder went (wall clock).
 */
export type ZoneState =
  | { tag: 'unknown'; outSince: number | undefined }
  | { tag: 'inside'; zoneId: number; outSince: number | undefined }
  | { tag: 'leaving'; zoneId: number; since: number; confirmations: number; evidence: Evidence[]; coarse?: boolean }
  | {
      tag: 'outside'
      zoneId: number
      since: number
      insideFixes: number
      lateInside: number
      remindedAt: number | undefined
    }

/** Outside a safe zone since `since` (fix time), with an alert raised. */
export const outside = (zoneId: number, since: number): ZoneState => ({
  tag: 'outside',
  zoneId,
  since,
  insideFixes: 0,
  lateInside: 0,
  remindedAt: undefined,
})

/** A danger zone: a weak first hit awaiting a second, entered, or entered late (seen in a backlog). */
export type DangerState =
  | { tag: 'hit'; fix: DangerFix }
  | { tag: 'in'; outsideFixes: number }
  | { tag: 'late'; ts: number }

export interface DangerFix {
  ts: number
  seq: number
  lat: number
  lon: number
  accuracyM: number
  src?: string
  late?: boolean
}

export interface BandState {
  /** Newest fix time seen (epoch ms). */
  lastTs: number
  /** Wall-clock time the last report arrived. */
  heardAt: number
  zone: ZoneState
  lowBattery: boolean
  removed: boolean
  offline: boolean
  /** The last trusted fix good enough to trigger ([lon, lat] and time): for speeds and crossings. */
  prev?: { ts: number; at: [number, number]; acc: number }
  danger: Record<number, DangerState>
  /** The last trusted fix with a position, and the safe zones in force when it was judged (by id). */
  lastFix?: EngineFix
  inForce?: string
  /** A fix implying an impossible speed from `prev`, held until the next one agrees (trust.ts). */
  held?: EngineFix
  /** Fix time of the newest fix seen inside a safe zone: late fixes before it are no exit evidence. */
  insideAt: number
  /** The previous late fix and the danger zones its centre was in (two late hits raise an entry). */
  lateHit?: DangerFix & { zones: number[] }
  /** Search mode (search.ts): the band reports fast until `until` (wall clock). */
  searchUntil?: number
  /** Metres beyond the nearest safe zone's boundary of the last trusted fix (negative inside), and
   *  whether it came within searchNearM of the boundary moving outwards. */
  edgeM?: number
  approaching: boolean
}

export interface Policy {
  /** The error circle must clear the boundary by this much to count as outside. */
  exitMarginM: number
  /** Accuracy assumed when a fix carries none. */
  defaultAccM: number
  /** Fixes coarser than this (and every cell-tower fix) may confirm an exit but not start one. */
  maxTriggerAccM: number
  /** An exit alert needs this many fixes outside (distinct fix times)… */
  confirmFixes: number
  /** …spanning at least this long (fix time). */
  confirmMs: number
  /** Or, in search mode's fast reports, this many fine fixes spanning this long. */
  fastConfirmFixes: number
  fastConfirmMs: number
  /** Cell-tower fixes whose whole error circle lies this far beyond may start an exit by themselves… */
  cellBeyondM: number
  /** …when this many of them agree (spanning confirmMs). */
  cellFixes: number
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
  /** Faster than this between two fixes is a jump, not a walk: such a fix is held until the next agrees. */
  maxSpeedMps: number
  /** A danger-zone crossing between two fixes counts at once only if both are this accurate. */
  goodAccM: number
  /** Search mode: report every `searchIntervalS` for at most `searchForS` (band protocol, timed interval). */
  searchIntervalS: number
  searchForS: number
  /** A fix this close inside the boundary, further out than the one before, starts search mode too. */
  searchNearM: number
}

/**
 * Defaults chosen from the simulator's noise models (kind and harsh): GPS σ 4 m outdoors, Wi-Fi
 * σ 20 m, cell towers σ 250 m, multipath jumps of 60–600 m claiming good accuracy, 10–60 s
 * reports. Two fixes a minute apart (or four fast ones 20 s apart in search mode) make a lone
 * jump harmless.
 */
export const DEFAULT_POLICY: Policy = {
  exitMarginM: 20,
  defaultAccM: 50,
  maxTriggerAccM: 100,
  confirmFixes: 2,
  confirmMs: 60_000,
  fastConfirmFixes: 4,
  fastConfirmMs: 15_000,
  cellBeyondM: 300,
  cellFixes: 3,
  silentAfterExitMs: 3 * 60_000,
  offlineMs: 20 * 60_000,
  offlineOutsideMs: 5 * 60_000,
  remindEveryMs: 10 * 60_000,
  backInsideFixes: 2,
  lowBatteryPct: 15,
  batteryOkPct: 25,
  maxSpeedMps: 3,
  goodAccM: 15,
  searchIntervalS: 5,
  searchForS: 600,
  searchNearM: 30,
}

export interface Evidence {
  ts: number
  seq: number
  lat: number
  lon: number
  accuracyM: number
  src?: string
  distanceBeyondM: number
  /** Uploaded in a backlog after newer fixes. */
  late?: boolean
}

/** What search mode asks of the band (band protocol v1, bands/{id}/cmd). */
export type SearchCommand =
  | { cmd: 'locate' }
  | { cmd: 'interval'; s: number; for: number }
  | { cmd: 'interval'; for: 0 }

export type EngineEvent =
  | {
      type: 'raise'
      kind: AlertKind
      zoneId: number | null
      fixTime: number
      severity?: Severity
      evidence: Record<string, unknown>
    }
  | { type: 'remind'; kind: AlertKind; zoneId: number | null; fixTime: number; evidence: Record<string, unknown> }
  | { type: 'resolve'; kind: AlertKind; zoneId: number | null; fixTime: number; reason: string }

/** A command for the band, with why it goes (search mode). */
export interface BandCommandOut {
  command: SearchCommand
  reason: string
}

// Every field present from the start: copying a state then never adds a property (which V8
// makes an order of magnitude slower than copying one that has them all).
export const initialState = (heardAt: number): BandState => ({
  lastTs: -Infinity,
  heardAt,
  zone: { tag: 'unknown', outSince: undefined },
  lowBattery: false,
  removed: false,
  offline: false,
  danger: {},
  prev: undefined,
  lastFix: undefined,
  inForce: undefined,
  held: undefined,
  insideAt: -Infinity,
  lateHit: undefined,
  searchUntil: undefined,
  edgeM: undefined,
  approaching: false,
})

/**
 * A state copied field by field: every state then has the same hidden class, so the copies that
 * follow stay on V8's fast path (states built by spreads from varied shapes made the engine ~5×
 * slower).
 */
export const copy = (s: BandState): BandState => ({
  lastTs: s.lastTs,
  heardAt: s.heardAt,
  zone: s.zone,
  lowBattery: s.lowBattery,
  removed: s.removed,
  offline: s.offline,
  danger: s.danger,
  prev: s.prev,
  lastFix: s.lastFix,
  inForce: s.inForce,
  held: s.held,
  insideAt: s.insideAt ?? -Infinity,
  lateHit: s.lateHit,
  searchUntil: s.searchUntil,
  edgeM: s.edgeM,
  approaching: s.approaching ?? false,
})

/** Fix-grade: may start an exit or enter a danger zone (not a cell tower, accuracy within bounds). */
export const triggerGrade = (fix: EngineFix, policy: Policy) =>
  fix.src !== 'lbs' && (fix.acc ?? policy.defaultAccM) <= policy.maxTriggerAccM
