// A finder's report, as the public page sends it, and the evidence of the found_report alert it
// raises: where the finder was (their phone's position, if they shared it), their note and number.
export interface FinderReport {
  lat?: number
  lon?: number
  /** Accuracy of the finder's position, metres. */
  acc?: number
  phone?: string
  note?: string
}

/** Reports one sender may send about one token per window (a finder may send again as things
 *  change; a script may not flood). */
export const REPORTS_PER_SENDER = 5
/** Reports one token may take per window from everyone together: high enough that a few people
 *  who saw the card cannot use up the real finder's reports, low enough to bound the alert's churn. */
export const REPORTS_PER_TOKEN = 30
export const REPORT_WINDOW_MS = 10 * 60_000

/** A position needs both coordinates; one alone is bad input. */
export const positionProblem = (r: FinderReport): string | undefined =>
  (r.lat === undefined) !== (r.lon === undefined) ? 'lat and lon go together' : undefined

/** What one report says, as the alert's evidence keeps it. */
export interface FinderEntry {
  reportedAt: number
  position: { lat: number; lon: number; acc: number | null } | null
  phone: string | null
  note: string | null
}

/** Reports an alert's evidence keeps (the newest); all of them are in found_scans. */
export const KEPT_REPORTS = 10

/**
 * The evidence of a found_report alert: the newest report as `finder`, and every report while the
 * alert is open (`reports`, oldest first, the newest KEPT_REPORTS), so a second report without a
 * position or note does not hide the first one's.
 */
export function foundEvidence(r: FinderReport, at: number, earlier: readonly FinderEntry[] = []) {
  const finder: FinderEntry = {
    reportedAt: at,
    position: r.lat !== undefined && r.lon !== undefined ? { lat: r.lat, lon: r.lon, acc: r.acc ?? null } : null,
    phone: r.phone ?? null,
    note: r.note ?? null,
  }
  return { source: 'found_qr', reportedAt: at, finder, reports: [...earlier, finder].slice(-KEPT_REPORTS) }
}
