// What every bench script says about where it ran and what it needs, in one place.
import { cpus, totalmem } from 'node:os'

/** The machine a figure was measured on, for a table's heading: cores, CPU model, memory, Node. */
export const machine = (): string =>
  `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`

/** BENCH_DATABASE_URL, for the benches that measure against a PostgreSQL server on this machine. */
export function benchServer(): string {
  const url = process.env.BENCH_DATABASE_URL
  if (!url) throw new Error('BENCH_DATABASE_URL (a PostgreSQL server on this machine) is required')
  return url
}
