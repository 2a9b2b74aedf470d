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

/** Reports one token may send per window (a finder may send again as things change; a script may not flood). */
export const REPORTS_PER_TOKEN = 5
export const REPORT_WINDOW_MS = 10 * 60_000

/** A position needs both coordinates; one alone is bad input. */
export const positionProblem = (r: FinderReport): string | undefined =>
  (r.lat === undefined) !== (r.lon === undefined) ? 'lat and lon go together' : undefined

export function foundEvidence(r: FinderReport, at: number) {
  return {
    source: 'found_qr',
    reportedAt: at,
    finder: {
      position: r.lat !== undefined && r.lon !== undefined ? { lat: r.lat, lon: r.lon, acc: r.acc ?? null } : null,
      phone: r.phone ?? null,
      note: r.note ?? null,
    },
  }
}
