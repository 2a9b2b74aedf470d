// A band that floods bad messages is cut off, never the broker: more than `maxRejected`
// rejections within `windowMs` and the band is disconnected and refused for `banMs`. Pure:
// time is a parameter. Good messages never count against a band.
export interface FloodPolicy {
  maxRejected: number
  windowMs: number
  banMs: number
}

export const DEFAULT_FLOOD_POLICY: FloodPolicy = { maxRejected: 30, windowMs: 60_000, banMs: 5 * 60_000 }

export interface FloodGuard {
  /** Notes `n` rejections; true when the band has now gone over the limit (disconnect it). */
  rejected(bandId: string, n: number, now: number): boolean
  /** Whether the band is refused until its ban ends. */
  banned(bandId: string, now: number): boolean
}

export function createFloodGuard(policy: FloodPolicy = DEFAULT_FLOOD_POLICY): FloodGuard {
  const windows = new Map<string, { start: number; count: number }>()
  const bans = new Map<string, number>()
  return {
    rejected(bandId, n, now) {
      if (n <= 0) return false
      let w = windows.get(bandId)
      if (!w || now - w.start >= policy.windowMs) {
        w = { start: now, count: 0 }
        windows.set(bandId, w)
      }
      w.count += n
      if (w.count <= policy.maxRejected) return false
      windows.delete(bandId)
      bans.set(bandId, now + policy.banMs)
      return true
    },
    banned(bandId, now) {
      const until = bans.get(bandId)
      if (until === undefined) return false
      if (now < until) return true
      bans.delete(bandId)
      return false
    },
  }
}
