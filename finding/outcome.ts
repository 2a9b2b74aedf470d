// How a wander ended: who found the person, where, and how long after the alert. Pure: the minutes
// are computed here from the alert's opening and the time found, and the report sums the rows.
export const FOUND_BY = ['family', 'staff', 'responder', 'stranger', 'police'] as const
export type FoundBy = (typeof FOUND_BY)[number]

export interface OutcomeInput {
  foundBy: FoundBy
  /** When the person was found (epoch ms); default: when the alert is resolved. */
  foundAt?: number
  lat?: number
  lon?: number
}

export interface Outcome {
  foundBy: FoundBy
  foundAt: number
  minutes: number
  lat: number | null
  lon: number | null
}

/** The outcome to store, or why it cannot be: found before the alert, in the future, half a position. */
export function makeOutcome(
  input: OutcomeInput,
  openedAt: number,
  now: number,
): { ok: true; outcome: Outcome } | { ok: false; reason: string } {
  const foundAt = input.foundAt ?? now
  if ((input.lat === undefined) !== (input.lon === undefined)) return { ok: false, reason: 'lat and lon go together' }
  if (foundAt < openedAt) return { ok: false, reason: 'found before the alert was raised' }
  if (foundAt > now + 60_000) return { ok: false, reason: 'found in the future' }
  return {
    ok: true,
    outcome: {
      foundBy: input.foundBy,
      foundAt,
      minutes: Math.round(((foundAt - openedAt) / 60_000) * 10) / 10,
      lat: input.lat ?? null,
      lon: input.lon ?? null,
    },
  }
}

export interface OutcomeSummary {
  foundBy: FoundBy
  count: number
  medianMinutes: number
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Counts and median minutes per "found by", in FOUND_BY's order; kinds nobody was found by are left out. */
export function summarize(rows: readonly { foundBy: FoundBy; minutes: number }[]): OutcomeSummary[] {
  return FOUND_BY.flatMap((foundBy) => {
    const m = rows.filter((r) => r.foundBy === foundBy).map((r) => r.minutes)
    return m.length ? [{ foundBy, count: m.length, medianMinutes: median(m) }] : []
  })
}
