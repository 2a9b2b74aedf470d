// What the public found-me page is told about a token. It must not reveal whether the band is worn
// now (issue 19): the answer depends only on the card as printed — the care centre it was printed
// for (its duty phone) — and on nothing else, except a name an admin chose to show while the card
// is live. A card without a centre, or an unknown token, gets the generic advice: call 110.
export type TokenStatus = 'worn' | 'unassigned' | 'revoked' | 'unknown'

export interface TokenFacts {
  status: TokenStatus
  bandId: string | null
  residentId: number | null
  careCentreId: number | null
  /** The printed centre's duty phone, if it has one. */
  dutyPhone: string | null
  /** The name an admin chose to show for the wearer (only ever set while the card is live and worn). */
  displayName: string | null
}

export interface FoundPage {
  /** Whom the call button calls: the care centre's duty phone, or the police. */
  call: { kind: 'centre' | 'police'; number: string }
  /** What to call the person, if an admin chose to show it; null otherwise. */
  displayName: string | null
}

export const POLICE = '110'

export function foundPage(f: TokenFacts): FoundPage {
  const call = f.dutyPhone
    ? { kind: 'centre' as const, number: f.dutyPhone }
    : { kind: 'police' as const, number: POLICE }
  return { call, displayName: f.status === 'worn' ? f.displayName : null }
}
