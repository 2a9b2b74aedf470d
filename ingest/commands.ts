// Commands to bands (band protocol v1: `bands/{id}/cmd`). Pure: what a valid command is, the
// message the band receives, and when a report answers it.
import type { Fix } from './fix.ts'

/**
 * `interval` with `for` is a timed fast mode (search mode, issue 15): report every `s` seconds
 * (5..3600) for `for` seconds, then go back to the interval set before; `{"cmd":"interval","for":0}`
 * ends it now. Without `for` it is the plain v1 command (10..3600, kept until changed).
 */
export type Command = { cmd: 'locate' } | { cmd: 'interval'; s: number } | { cmd: 'interval'; s?: number; for: number }

export const INTERVAL_RANGE = { min: 10, max: 3600 } as const
export const TIMED_RANGE = { minS: 5, maxFor: 3600 } as const

export type CommandCheck = { ok: true; command: Command } | { ok: false; error: string }

export function checkCommand(input: unknown): CommandCheck {
  const o = input as { cmd?: unknown; s?: unknown; for?: unknown } | null
  if (!o || typeof o !== 'object') return { ok: false, error: 'a command is an object with "cmd"' }
  if (o.cmd === 'locate') return { ok: true, command: { cmd: 'locate' } }
  if (o.cmd === 'interval' && 'for' in o) return checkTimed(o as { s?: unknown; for?: unknown })
  if (o.cmd === 'interval') {
    if (typeof o.s !== 'number' || !Number.isInteger(o.s) || o.s < INTERVAL_RANGE.min || o.s > INTERVAL_RANGE.max) {
      return { ok: false, error: `interval needs "s", whole seconds ${INTERVAL_RANGE.min}..${INTERVAL_RANGE.max}` }
    }
    return { ok: true, command: { cmd: 'interval', s: o.s } }
  }
  return { ok: false, error: 'cmd must be "locate" or "interval"' }
}

function checkTimed(o: { s?: unknown; for?: unknown }): CommandCheck {
  const whole = (x: unknown, min: number, max: number) =>
    typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max
  if (!whole(o.for, 0, TIMED_RANGE.maxFor)) {
    return { ok: false, error: `interval "for" must be whole seconds 0..${TIMED_RANGE.maxFor}` }
  }
  if (o.for === 0 && o.s === undefined) return { ok: true, command: { cmd: 'interval', for: 0 } }
  if (!whole(o.s, TIMED_RANGE.minS, INTERVAL_RANGE.max)) {
    return { ok: false, error: `a timed interval needs "s", whole seconds ${TIMED_RANGE.minS}..${INTERVAL_RANGE.max}` }
  }
  return { ok: true, command: { cmd: 'interval', s: o.s as number, for: o.for as number } }
}

/** The payload on bands/{id}/cmd: the command with its id, so the band's PUBACK can be matched. */
export const commandMessage = (id: number, c: Command) => JSON.stringify({ id, ...c })

/** The id in a command message, if it is one. */
export function commandId(payload: Buffer | string): number | undefined {
  try {
    const id = (JSON.parse(String(payload)) as { id?: unknown }).id
    return typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined
  } catch {
    return undefined
  }
}

/** A band's clock may lag the service's by this much. */
const CLOCK_SLACK_MS = 2000

/** A locate is answered by the first fix with a position taken after it was delivered. */
export function answers(c: Command, deliveredAt: number, fix: Fix): boolean {
  return c.cmd === 'locate' && fix.lat !== undefined && fix.ts >= deliveredAt - CLOCK_SLACK_MS
}
