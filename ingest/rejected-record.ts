// The bounded record of rejected messages an operator can inspect (GET /api/admin/rejected):
// the newest `capacity` rejections with band, reason and the field at fault — never the
// payload, which may hold a position. In memory: a restart empties it; the counters on
// /metrics keep the totals.
import type { Rejection } from './codec.ts'

export interface RejectedEntry extends Rejection {
  at: number
  bandId: string
}

export interface RejectedRecord {
  add(entry: RejectedEntry): void
  /** Newest first. */
  list(limit?: number, bandId?: string): RejectedEntry[]
  /** Drops the entries that match (an erased wearer's). */
  forget(match: (e: RejectedEntry) => boolean): void
}

export function createRejectedRecord(capacity = 1000): RejectedRecord {
  let ring: RejectedEntry[] = []
  let next = 0
  const newestFirst = () => [...ring.slice(0, next)].reverse().concat([...ring.slice(next)].reverse())
  return {
    add(entry) {
      if (ring.length < capacity) ring.push(entry)
      else ring[next] = entry
      next = (next + 1) % capacity
    },
    list(limit = 100, bandId) {
      return newestFirst()
        .filter((e) => bandId === undefined || e.bandId === bandId)
        .slice(0, limit)
    },
    forget(match) {
      ring = newestFirst()
        .filter((e) => !match(e))
        .reverse()
      next = ring.length % capacity
    },
  }
}
