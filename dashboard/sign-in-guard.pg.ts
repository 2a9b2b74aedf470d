// The per-account sign-in count in the database (the rules are in sign-in-guard.ts). A try locks
// its key's row, so tries for one account, from any dashboard server, are admitted one at a time.
import { createHash } from 'node:crypto'
import type { Db } from '../infra/index.ts'
import { FORGET_MS, admit } from './sign-in-guard.ts'

export interface SignInGuard {
  /** Counts a try before its password is checked: 0 when it may be checked now, else how long it must wait. */
  attempt(key: string, now: number): Promise<number>
  /** The password was right: the key's failures are forgotten. */
  succeeded(key: string): Promise<void>
}

const hash = (key: string) => createHash('sha256').update(key).digest()

export function signInGuard(db: Db): SignInGuard {
  return {
    attempt: (key, now) =>
      db.tx(async (c) => {
        const k = hash(key)
        await c.query(
          `INSERT INTO sign_in_failures (key_hash, failures, last_at, wait_until)
        VALUES ($1, 0, to_timestamp(0), to_timestamp(0)) ON CONFLICT DO NOTHING`,
          [k],
        )
        const row = (
          await c.query<{ count: number; last: number; until: number }>(
            `SELECT failures AS count,
        (extract(epoch FROM last_at) * 1000)::float8 AS last, (extract(epoch FROM wait_until) * 1000)::float8 AS until
        FROM sign_in_failures WHERE key_hash = $1 FOR UPDATE`,
            [k],
          )
        ).rows[0]!
        const outcome = admit(row.count > 0 ? row : undefined, now)
        if (!('counted' in outcome)) return outcome.waitMs
        const f = outcome.counted
        await c.query(
          `UPDATE sign_in_failures SET failures = $2, last_at = to_timestamp($3 / 1000.0),
        wait_until = to_timestamp($4 / 1000.0) WHERE key_hash = $1`,
          [k, f.count, f.last, f.until],
        )
        // Counts of keys left alone for a day are forgotten anyway: drop them.
        await c.query('DELETE FROM sign_in_failures WHERE last_at < to_timestamp($1 / 1000.0)', [now - FORGET_MS])
        return 0
      }),
    async succeeded(key) {
      await db.query('DELETE FROM sign_in_failures WHERE key_hash = $1', [hash(key)])
    },
  }
}
