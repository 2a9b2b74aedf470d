// A band's current state as one batch of reports changes it: the newest position, battery
// reading and events in the batch, per band. Pure; band-status.pg.ts stores it so that each part
// only ever moves forward in fix time.
import type { Fix } from './fix.ts'

export interface StatusUpdate {
  bandId: string
  /** The newest fix with a position. */
  position?: Fix
  /** The newest report with a battery reading. */
  battery?: Fix
  /** The newest report with events. */
  events?: Fix
}

export function statusUpdates(fixes: readonly Fix[]): StatusUpdate[] {
  const byBand = new Map<string, StatusUpdate>()
  const newer = (a: Fix | undefined, b: Fix) => !a || b.ts > a.ts
  for (const f of fixes) {
    let u = byBand.get(f.bandId)
    if (!u) {
      u = { bandId: f.bandId }
      byBand.set(f.bandId, u)
    }
    if (f.lat !== undefined && newer(u.position, f)) u.position = f
    if (f.batt !== undefined && newer(u.battery, f)) u.battery = f
    if (f.evt.length > 0 && newer(u.events, f)) u.events = f
  }
  return [...byBand.values()]
}

/** Two updates of the same band: the newer of each part. */
export function mergeUpdates(a: StatusUpdate, b: StatusUpdate): StatusUpdate {
  const newer = (x: Fix | undefined, y: Fix | undefined) => (!x ? y : !y ? x : y.ts > x.ts ? y : x)
  return {
    bandId: a.bandId,
    position: newer(a.position, b.position),
    battery: newer(a.battery, b.battery),
    events: newer(a.events, b.events),
  }
}

/**
 * Which pending updates to write now: a band's row is rewritten at most every `minMs` for a newer
 * position or battery reading (at 10,000 bands reporting every 2 s that halves the rows written);
 * events, and a band not written before, go at once. The rest stay pending, newest kept.
 */
export function dueUpdates(
  pending: ReadonlyMap<string, StatusUpdate>,
  writtenAt: ReadonlyMap<string, number>,
  now: number,
  minMs: number,
): StatusUpdate[] {
  const due: StatusUpdate[] = []
  for (const u of pending.values()) {
    const last = writtenAt.get(u.bandId)
    if (last === undefined || now - last >= minMs || u.events) due.push(u)
  }
  return due
}
