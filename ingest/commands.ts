// Commands to bands (band protocol v1: `bands/{id}/cmd`). Pure: what a valid command is, the
// message the band receives, and when a report answers it.
import { Type, type Static } from 'typebox'
import { checkAgainst, tagFirst } from '../infra/schema-check.ts'
import type { Fix } from './fix.ts'

export const INTERVAL_RANGE = { min: 10, max: 3600 } as const
export const TIMED_RANGE = { minS: 5, maxFor: 3600 } as const

const seconds = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum, description: 'seconds' })
const interval = { cmd: Type.Literal('interval') }
/** A key the branch must not have. */
const Absent = Type.Optional(Type.Never())

/**
 * A command as a client sends it (POST /api/bands/:id/commands). `interval` with `for` is a timed
 * fast mode (search mode, issue 15): report every `s` seconds (5..3600) for `for` seconds, then go
 * back to the interval set before; `{"cmd":"interval","for":0}` ends it now. Without `for` it is
 * the plain v1 command (10..3600, kept until changed). The timed forms come first, so a bad timed
 * command is told about its own bounds.
 */
export const CommandSchema = Type.Union([
  Type.Object({ cmd: Type.Literal('locate') }, tagFirst('cmd', 'locate')),
  Type.Object(
    { ...interval, s: seconds(TIMED_RANGE.minS, INTERVAL_RANGE.max), for: seconds(0, TIMED_RANGE.maxFor) },
    tagFirst('cmd', 'interval'),
  ),
  Type.Object({ ...interval, s: Absent, for: Type.Literal(0) }, tagFirst('cmd', 'interval')),
  Type.Object(
    { ...interval, s: seconds(INTERVAL_RANGE.min, INTERVAL_RANGE.max), for: Absent },
    tagFirst('cmd', 'interval'),
  ),
])

export type Command = Static<typeof CommandSchema>

export type CommandCheck = { ok: true; command: Command } | { ok: false; error: string }

/** A command as the band receives it: the schema's, with nothing else carried along. */
export function checkCommand(input: unknown): CommandCheck {
  const c = checkAgainst(CommandSchema, input)
  if (!c.ok) return c
  const o = c.value
  if (o.cmd === 'locate') return { ok: true, command: { cmd: 'locate' } }
  if (o.for === undefined) return { ok: true, command: { cmd: 'interval', s: o.s } }
  if (o.s === undefined) return { ok: true, command: { cmd: 'interval', for: 0 } }
  return { ok: true, command: { cmd: 'interval', s: o.s, for: o.for } }
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
