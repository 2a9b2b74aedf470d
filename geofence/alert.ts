// An alert as the rest of the system sees it.
export type AlertKind = 'left_safe_zone'
export type Severity = 'critical' | 'high' | 'medium' | 'low'
export type AlertStatus = 'open' | 'acknowledged' | 'resolved'

export const SEVERITY: Record<AlertKind, Severity> = {
  left_safe_zone: 'high',
}

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
}

/** What changed: a new alert, or a repeat that updated the one already open. */
export interface AlertChange {
  change: 'opened' | 'updated'
  alert: Alert
}
