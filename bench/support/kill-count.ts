// Counting for bench:kill, as test/kill.test.ts counts for one band: every report a band got a
// PUBACK for (the load's `--acked` file, "BAND SEQ" a line) must be a row in the database once
// the killed process is back and the stream has drained. A report acknowledged and not stored is
// lost: the band has already deleted it.
import { readFile } from 'node:fs/promises'
import type { Db } from '../../infra/index.ts'
import { sleep } from './service-process.ts'

export interface KillCount {
  acknowledged: number
  stored: number
  lost: number
  /** A few of the lost reports ("BAND SEQ"), to look for in the logs and the database. */
  examples: string[]
}

/** Waits until the table's row count has stood still for `quietMs` (or `maxMs` passed); the count. */
export async function drained(db: Db, table: string, quietMs = 5000, maxMs = 120_000): Promise<number> {
  const count = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n
  const t0 = Date.now()
  let n = await count()
  let since = Date.now()
  while (Date.now() - since < quietMs && Date.now() - t0 < maxMs) {
    await sleep(1000)
    const m = await count()
    if (m !== n) since = Date.now()
    n = m
  }
  return n
}

/** Compares the acknowledged reports with the rows of `table` (band_id, seq). */
export async function countLost(db: Db, table: string, ackedPath: string): Promise<KillCount> {
  const rows = await db.query<{ band_id: string; seqs: number[] }>(
    `SELECT band_id, array_agg(seq::int) AS seqs FROM ${table} GROUP BY band_id`,
  )
  const stored = new Map(rows.rows.map((r) => [r.band_id, new Set(r.seqs)]))
  const lines = (await readFile(ackedPath, 'utf8')).split('\n').filter(Boolean)
  const lost = lines.filter((line) => {
    const [band, seq] = line.split(' ')
    return !stored.get(band!)?.has(Number(seq))
  })
  return {
    acknowledged: lines.length,
    stored: rows.rows.reduce((a, r) => a + r.seqs.length, 0),
    lost: lost.length,
    examples: lost.slice(0, 5),
  }
}
