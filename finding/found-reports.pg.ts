// Scans and reports in the database: every page view and report is recorded whatever the token;
// a report on a worn band's live token raises (or updates) the wearer's found_report alert.
import { createHash } from 'node:crypto'
import { raiseAlert, type AlertChange } from '../geofence/index.ts'
import type { Db, Queryable } from '../infra/index.ts'
import type { TokenFacts } from './found-page.ts'
import { foundEvidence, type FinderEntry, type FinderReport } from './found-report.ts'

export async function recordView(db: Queryable, token: string, facts: TokenFacts): Promise<void> {
  await db.query(`INSERT INTO found_scans (token, kind, status) VALUES ($1, 'view', $2)`, [token, facts.status])
}

/** A sender's pseudonym for one token: no address is stored, and the same address has another
 *  pseudonym for every other token. */
export const senderOf = (address: string, token: string): string =>
  createHash('sha256').update(`${address}\0${token}`).digest('hex').slice(0, 16)

/** Reports sent with this token (known or not) within the last `windowMs`: from everyone, and from this sender. */
export async function recentReports(
  db: Queryable,
  token: string,
  sender: string,
  windowMs: number,
): Promise<{ all: number; fromSender: number }> {
  const r = await db.query<{ total: string; mine: string }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE sender = $2) AS mine FROM found_scans
     WHERE token = $1 AND kind = 'report' AND at > now() - $3 * interval '1 millisecond'`,
    [token, sender, windowMs],
  )
  return { all: Number(r.rows[0]!.total), fromSender: Number(r.rows[0]!.mine) }
}

/** Records the report and, for a worn band's live token, raises the alert in the same transaction. */
export async function submitReport(
  db: Db,
  token: string,
  facts: TokenFacts,
  report: FinderReport,
  sender: string,
  now: number,
): Promise<AlertChange | undefined> {
  return db.tx(async (tx) => {
    const change =
      facts.status === 'worn' && facts.residentId !== null && facts.bandId !== null
        ? await raiseAlert(tx, {
            residentId: facts.residentId,
            bandId: facts.bandId,
            zoneId: null,
            kind: 'found_report',
            fixTime: now,
            evidence: foundEvidence(report, now, await earlierReports(tx, facts.residentId)),
          })
        : undefined
    await tx.query(
      `INSERT INTO found_scans (token, kind, status, resident_id, alert_id, lat, lon, acc, phone, note, sender)
       VALUES ($1, 'report', $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        token,
        facts.status,
        change ? facts.residentId : null,
        change?.alert.id ?? null,
        report.lat ?? null,
        report.lon ?? null,
        report.acc ?? null,
        report.phone ?? null,
        report.note ?? null,
        sender,
      ],
    )
    return change
  })
}

/** The reports of the wearer's open found_report alert (locked until this transaction ends). */
async function earlierReports(db: Queryable, residentId: number): Promise<FinderEntry[]> {
  const r = await db.query<{ reports: FinderEntry[] | null }>(
    `SELECT evidence->'reports' AS reports FROM alerts
     WHERE resident_id = $1 AND kind = 'found_report' AND status <> 'resolved' FOR UPDATE`,
    [residentId],
  )
  return r.rows[0]?.reports ?? []
}
