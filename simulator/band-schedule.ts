// When a simulated band reports, and how it obeys the service's commands (docs/band-protocol.md):
// `locate` — one fix as soon as it has one; `interval` with `s` — report every `s` seconds from
// now on; with `s` and `for` — the timed fast mode, every `s` seconds for `for` seconds, then back
// to the interval set before; `for: 0` ends the fast mode now. Pure: the harsh bench's bands
// (harsh-band.ts) and the MQTT simulator's live bands (live-band.ts) share it.

export type BandCommand = { cmd: 'locate' } | { cmd: 'interval'; s?: number; for?: number }

export interface Schedule {
  /** The band's own report interval, ms. */
  baseMs: number
  /** The fast mode's interval, and when it runs out (-Infinity: off). */
  fastMs: number
  fastUntil: number
  /** The next regular report, and a located fix owed (Infinity: none). */
  next: number
  locateAt: number
}

export const schedule = (baseMs: number, first: number): Schedule => ({
  baseMs,
  fastMs: 5000,
  fastUntil: -Infinity,
  next: first,
  locateAt: Infinity,
})

/** When the band sends next. */
export const due = (s: Schedule) => Math.min(s.next, s.locateAt)

/** A command reaching the band at `t`; a located fix takes `locateMs` to come. */
export function obey(s: Schedule, c: BandCommand, t: number, locateMs: number): Schedule {
  if (c.cmd === 'locate') return { ...s, locateAt: Math.min(s.locateAt, t + locateMs) }
  if (c.for === undefined) {
    if (c.s === undefined) return s
    const baseMs = c.s * 1000
    return { ...s, baseMs, next: t < s.fastUntil ? s.next : Math.min(s.next, t + baseMs) }
  }
  if (c.for <= 0) return { ...s, fastUntil: -Infinity }
  const fastMs = (c.s ?? s.fastMs / 1000) * 1000
  return { ...s, fastMs, fastUntil: t + c.for * 1000, next: Math.min(s.next, t + fastMs) }
}

/** After the band sent its fix at `t` (the due time): a located fix is owed no more, or the next regular report is set. */
export function sent(s: Schedule, t: number): Schedule {
  if (t === s.locateAt) return { ...s, locateAt: Infinity }
  return { ...s, next: t + (t < s.fastUntil ? s.fastMs : s.baseMs) }
}

/** Parses a command message (`{"id":7,"cmd":"locate"}`); anything else is not a command. */
export function parseCommand(payload: string): BandCommand | undefined {
  try {
    const c = JSON.parse(payload) as Record<string, unknown>
    const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined)
    if (c.cmd === 'locate') return { cmd: 'locate' }
    if (c.cmd === 'interval' && (n(c.s) !== undefined || n(c.for) !== undefined)) {
      const out: BandCommand = { cmd: 'interval' }
      if (n(c.s) !== undefined) out.s = n(c.s)
      if (n(c.for) !== undefined) out.for = n(c.for)
      return out
    }
  } catch {
    // not JSON: not a command
  }
  return undefined
}
