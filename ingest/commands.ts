// Commands to bands (band protocol v1: `bands/{id}/cmd`). Pure: what a valid command is, the
// message the band receives, and when a report answers it.
import type { Fix } from './fix.ts'

export type Command = { cmd: 'locate' } | { cmd: 'interval'; s: number }

export const INTERVAL_RANGE = { min: 10, max: 3600 } as const

export type CommandCheck = { ok: true; command: Command } | { ok: false; error: string }

export function checkCommand(input: unknown): CommandCheck {
  const o = input as { cmd?: unknown; s?: unknown } | null
  if (!o || typeof o !== 'object') return { ok: false, error: 'a command is an object with "cmd"' }
  if (o.cmd === 'locate') return { ok: true, command: { cmd: 'locate' } }
  if (o.cmd === 'interval') {
    if (typeof o.s !== 'number' || !Number.isInteger(o.s) || o.s < INTERVAL_RANGE.min || o.s > INTERVAL_RANGE.max) {
      return { ok: false, error: `interval needs "s", whole seconds ${INTERVAL_RANGE.min}..${INTERVAL_RANGE.max}` }
    }
    return { ok: true, command: { cmd: 'interval', s: o.s } }
  }
  return { ok: false, error: 'cmd must be "locate" or "interval"' }
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
