// band_commands in the database.
import type { Queryable } from '../infra/index.ts'
import type { Command } from './commands.ts'

export interface BandCommand {
  id: number
  bandId: string
  command: Command
  requestedBy: number | null
  requestedAt: number
  deliveredAt: number | null
  answeredAt: number | null
  answer: unknown
}

type Row = {
  id: number
  band_id: string
  command: Command
  requested_by: number | null
  requested_at: Date
  delivered_at: Date | null
  answered_at: Date | null
  answer: unknown
}

const toCommand = (r: Row): BandCommand => ({
  id: Number(r.id),
  bandId: r.band_id,
  command: r.command,
  requestedBy: r.requested_by === null ? null : Number(r.requested_by),
  requestedAt: r.requested_at.getTime(),
  deliveredAt: r.delivered_at?.getTime() ?? null,
  answeredAt: r.answered_at?.getTime() ?? null,
  answer: r.answer,
})

export async function insertCommand(
  db: Queryable,
  bandId: string,
  command: Command,
  userId: number | null,
): Promise<BandCommand> {
  const r = await db.query<Row>(
    'INSERT INTO band_commands (band_id, command, requested_by) VALUES ($1, $2, $3) RETURNING *',
    [bandId, JSON.stringify(command), userId],
  )
  return toCommand(r.rows[0]!)
}

export async function markDelivered(db: Queryable, id: number): Promise<BandCommand | undefined> {
  const r = await db.query<Row>(
    'UPDATE band_commands SET delivered_at = now() WHERE id = $1 AND delivered_at IS NULL RETURNING *',
    [id],
  )
  return r.rows[0] && toCommand(r.rows[0])
}

export async function markAnswered(db: Queryable, id: number, answer: unknown): Promise<BandCommand | undefined> {
  const r = await db.query<Row>(
    'UPDATE band_commands SET answered_at = now(), answer = $2 WHERE id = $1 AND answered_at IS NULL RETURNING *',
    [id, JSON.stringify(answer)],
  )
  return r.rows[0] && toCommand(r.rows[0])
}

/** The band's newest commands since its current wearer had it (earlier ones were about someone else). */
export async function listCommands(db: Queryable, bandId: string, limit: number): Promise<BandCommand[]> {
  const r = await db.query<Row>(
    `SELECT * FROM band_commands WHERE band_id = $1
       AND requested_at >= COALESCE((SELECT wearer_since FROM band_status WHERE band_id = $1), '-infinity')
     ORDER BY id DESC LIMIT $2`,
    [bandId, limit],
  )
  return r.rows.map(toCommand)
}
