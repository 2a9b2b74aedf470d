// An alert as the rest of the system sees it. Kinds, severities, statuses and changes are each one
// schema (the API's answers and filters use them, /docs shows them); the types derive from them.
import { Type, type Static, type TSchema } from 'typebox'

export const AlertKindSchema = Type.Enum(
  [
    'left_safe_zone',
    'entered_danger_zone',
    'sos',
    'fall',
    'band_removed',
    'band_offline',
    'low_battery',
    'found_report',
  ],
  {
    description:
      'what happened (found_report: a passer-by scanned the band\'s "found me" QR code and sent where they are)',
  },
)
export const SeveritySchema = Type.Enum(['critical', 'high', 'medium', 'low'], { description: 'how urgent' })
export const AlertStatusSchema = Type.Enum(['open', 'acknowledged', 'resolved'], {
  description: 'where the alert stands',
})
/** What changed: a new alert, a repeat that updated the open one, a "still outside" reminder, a
 *  person acknowledging it, its escalation when nobody did in time, its resolution, a note added
 *  without resolving, or staff reopening it. */
export const AlertChangeKindSchema = Type.Enum(
  ['opened', 'updated', 'reminded', 'acknowledged', 'escalated', 'resolved', 'noted', 'reopened'],
  { description: 'what changed' },
)

export type AlertKind = Static<typeof AlertKindSchema>
export type Severity = Static<typeof SeveritySchema>
export type AlertStatus = Static<typeof AlertStatusSchema>

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

const OrNull = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

/** An alert as the API and the live socket give it. */
export const AlertSchema = Type.Object({
  id: Type.Integer(),
  residentId: Type.Integer(),
  careCentreId: OrNull(Type.Integer()),
  bandId: Type.String(),
  zoneId: OrNull(Type.Integer()),
  kind: AlertKindSchema,
  severity: SeveritySchema,
  status: AlertStatusSchema,
  fixTime: Type.Number({ description: 'epoch ms of the fix that raised it' }),
  openedAt: Type.Number(),
  updatedAt: Type.Number(),
  evidence: Type.Unknown({ description: 'the fixes, accuracies, distances and thresholds that decided it' }),
  acknowledgedBy: OrNull(Type.Integer()),
  acknowledgedAt: OrNull(Type.Number()),
  resolvedBy: OrNull(Type.Integer()),
  resolutionNote: OrNull(Type.String()),
  escalationLevel: Type.Integer({
    minimum: 0,
    description: '0: the family and care centre; 1: the care centre; 2: programme admins',
  }),
})

export type Alert = Static<typeof AlertSchema>

/** Kinds whose resolution may record how the person was found (who, where, minutes): wanders and finds. */
export const OUTCOME_KINDS: ReadonlySet<AlertKind> = new Set(['left_safe_zone', 'entered_danger_zone', 'found_report'])

export interface AlertChange {
  change: Static<typeof AlertChangeKindSchema>
  alert: Alert
}

/** The levels an unacknowledged alert climbs, one per escalation delay. */
export const ESCALATION_LEVELS = ['family and care centre', 'care centre', 'programme admins'] as const
