// The service as the benches run it: compiled (npm run build) and started with plain node, as
// deployed, in its own process; with a fresh database on the benchmark's PostgreSQL server.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { insertUser } from '../../dashboard/index.ts'
import { createDb, createLogger, migrate, type Db } from '../../infra/index.ts'
import { childEnv } from '../../test/support/cli.ts'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const TICK = 100 // clock ticks per second (/proc/*/stat)

/** `--set KEY=VALUE,…`: settings for the service, to measure what one buys. */
export const parseSettings = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split(',')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  )

let built: string | undefined
/** Compiles the service once per bench run (removed when the bench exits); the folder, relative to ROOT. */
export function buildService(): string {
  if (built) return built
  const dir = `.build-bench-${process.pid}`
  execFileSync(process.execPath, ['infra/build.mjs', dir], { cwd: ROOT, stdio: 'inherit' })
  process.on('exit', () => rmSync(join(ROOT, dir), { recursive: true, force: true }))
  built = dir
  return dir
}

/** `tongxing serve` from the compiled build; with `profileDir`, it writes a CPU profile there when it stops. */
export function serveCompiled(
  env: Record<string, string>,
  profileDir?: string,
  nodeFlags: string[] = [],
): ChildProcess {
  return spawn(
    process.execPath,
    [
      ...nodeFlags,
      ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
      `${buildService()}/bin/tongxing.js`,
      'serve',
    ],
    {
      cwd: ROOT,
      env: childEnv({ LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env }),
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
}

export async function waitHttp(url: string, what: string, child: ChildProcess) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited ${child.exitCode}`)
    if ((await fetch(url).catch(() => undefined))?.ok) return
    await sleep(200)
  }
  throw new Error(`${what} did not start`)
}

export async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null) return
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
}

/** Resolves once the service at `base` has `bands` bands connected. */
export async function bandsConnected(base: string, bands: number) {
  const connected = async () =>
    Number((await (await fetch(`${base}/metrics`)).text()).match(/^tongxing_bands_connected (\d+)/m)?.[1] ?? 0)
  while ((await connected()) < bands) await sleep(1000)
}

/** CPU seconds (user + system) and resident MB of a process. */
export function usage(pid: number): { cpuS: number; rssMb: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return { cpuS: (Number(stat[11]) + Number(stat[12])) / TICK, rssMb: rss ? Number(rss[1]) / 1024 : 0 }
  } catch {
    return { cpuS: 0, rssMb: 0 }
  }
}

export interface BenchDatabase {
  url: string
  db: Db
  drop(): Promise<void>
}

/** application_name of the bench's own connections to a bench database. */
export const BENCH_APPLICATION = 'tongxing-bench'

/** A fresh, migrated database `name` on the server, with an admin `bench-admin` / `bench-password`. */
export async function freshDatabase(server: string, name: string): Promise<BenchDatabase> {
  const admin = new pg.Client({ connectionString: server })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await admin.query(`CREATE DATABASE ${name}`)
  const u = new URL(server)
  u.pathname = `/${name}`
  // The bench's own connections carry its name, so a count of the backends serving a side leaves them out.
  const own = new URL(u)
  own.searchParams.set('application_name', BENCH_APPLICATION)
  const db = createDb({ connectionString: own.toString(), log: createLogger('silent'), max: 2 })
  await migrate(db, createLogger('silent'))
  await insertUser(db, { username: 'bench-admin', password: 'bench-password', role: 'admin' })
  return {
    url: u.toString(),
    db,
    async drop() {
      await db.close()
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    },
  }
}
