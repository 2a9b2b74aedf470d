// What every bench script says about where it ran and what it needs, in one place.
import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'

/** The machine a figure was measured on, for a table's heading: cores, CPU model, memory, Node. */
export const machine = (): string =>
  `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`

/** BENCH_DATABASE_URL, for the benches that measure against a PostgreSQL server on this machine. */
export function benchServer(): string {
  const url = process.env.BENCH_DATABASE_URL
  if (!url) throw new Error('BENCH_DATABASE_URL (a PostgreSQL server on this machine) is required')
  return url
}

/** The machine's load average (1, 5, 15 min): figures taken on a busy machine say so. */
export const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')

/**
 * A Mosquitto config for the benches' brokers: one listener on 127.0.0.1:`port`, anonymous,
 * nothing persisted, queues deep enough for a fleet's backlog. Returns its path.
 */
export async function mosquittoConf(port: number): Promise<string> {
  const conf = join(await mkdtemp(join(tmpdir(), 'tongxing-mosquitto-')), 'mosquitto.conf')
  await writeFile(
    conf,
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 1000000\n`,
  )
  return conf
}

/**
 * A metric's value in a service's /metrics text (Prometheus exposition): summed over its label
 * sets; undefined when the text has none of it.
 */
export function metricTotal(text: string, name: string): number | undefined {
  const values = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))].map((m) => Number(m[1]))
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0)
}
