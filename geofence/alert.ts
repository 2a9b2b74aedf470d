// An alert as the rest of the system sees it.
export type AlertKind =
  | 'left_safe_zone'
  | 'entered_danger_zone'
  | 'sos'
  | 'fall'
  | 'band_removed'
  | 'band_offline'
  | 'low_battery'
  /** A passer-by scanned the band's "found me" QR code and sent where they are (issue 19). */
  | 'found_report'
export type Severity = 'critical' | 'high' | 'medium' | 'low'
export type AlertStatus = 'open' | 'acknowledged' | 'resolved'

/** Default severity of each kind; a rule may raise it (e.g. left the zone, then went silent). */
export const SEVERITY: Record<AlertKind, Severity> = {
  sos: 'critical',
  fall: 'critical',
  left_safe_zone: 'high',
  entered_danger_zone: 'critical',
  band_removed: 'high',
  band_offline: 'medium',
  low_battery: 'low',
  // Someone is with the lost person right now, waiting: everyone is told, whatever their preferences.
  found_report: 'critical',
}

/** Kinds whose resolution may record how the person was found (who, where, minutes): wanders and finds. */
export const OUTCOME_KINDS: ReadonlySet<AlertKind> = new Set(['left_safe_zone', 'entered_danger_zone', 'found_report'])

export interface Alert {
  id: number
  residentId: number
  careCentreId: number | null
  bandId: string
  zoneId: number | null
  kind: AlertKind
  severity: Severity
  status: AlertStatus
  /** Epoch milliseconds of the fix that raised it. */
  fixTime: number
  openedAt: number
  updatedAt: number
  evidence: unknown
  acknowledgedBy: number | null
  acknowledgedAt: number | null
  resolvedBy: number | null
  resolutionNote: string | null
  /** 0: the family and care centre; 1: escalated to the care centre's attention; 2: to programme admins. */
  escalationLevel: number
}

/** What changed: a new alert, a repeat that updated the open one, a "still outside" reminder, a
 *  person acknowledging it, its escalation when nobody did in time, its resolution, a note added
 *  without resolving, or staff reopening it. */
export interface AlertChange {
  change: 'opened' | 'updated' | 'reminded' | 'acknowledged' | 'escalated' | 'resolved' | 'noted' | 'reopened'
  alert: Alert
}

/** The levels an unacknowledged alert climbs, one per escalation delay. */
export const ESCALATION_LEVELS = ['family and care centre', 'care centre', 'programme admins'] as const
