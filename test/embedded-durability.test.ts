// What "acknowledged = durable" means on the embedded database, said where an operator sees it
// and checked against the system calls. PGlite runs PostgreSQL with fsync=off, and its WASM
// runtime answers fsync/fdatasync without syncing: it writes through to the files (an
// acknowledged report survives a crash of the process, test/kill.test.ts) but never asks the
// kernel to put them on disk, so a power cut can lose what was acknowledged. The service says so
// at start-up; production runs on a PostgreSQL/TimescaleDB server (DATABASE_URL).
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { childEnv, freePort, runCli } from './support/cli.ts'
import { connectBand, fixNorth } from './support/fixtures.ts'
import { eventually } from './support/service.ts'

const strace = (() => {
  try {
    return execFileSync('which', ['strace']).toString().trim() || undefined
  } catch {
    return undefined
  }
})()
const available = strace !== undefined || process.env.CI === 'true'
if (!available) console.warn('embedded durability test skipped: install strace to run it')

describe.runIf(available)('the embedded database and power cuts', () => {
  it('when the service runs on the embedded database, then it warns at start-up that acknowledged reports survive a crash but not a power cut, and strace sees no fsync while 30 are acknowledged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tongxing-fsync-'))
    const env = {
      DATA_DIR: join(dir, 'data'),
      PORT: String(await freePort()),
      MQTT_PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    }
    const counts = join(dir, 'strace.txt')
    const child = spawn(
      strace!,
      [
        '-f',
        '-c',
        '-o',
        counts,
        '-e',
        'trace=fsync,fdatasync,sync_file_range,pwrite64,pwritev',
        process.execPath,
        '--import',
        'tsx',
        'bin/tongxing.ts',
        'serve',
      ],
      { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString()
    })
    const exited = new Promise((r) => child.once('exit', r))
    try {
      await eventually(
        async () => (await fetch(`http://127.0.0.1:${env.PORT}/healthz`).catch(() => undefined))?.ok,
        60_000,
      )
      const { residentId } = await runCli(['resident', 'add', '--name', 'Zhao'], env)
      const { bandId, secret } = (await runCli(
        ['band', 'add', '--id', '860000000000088', '--resident', String(residentId)],
        env,
      )) as { bandId: string; secret: string }
      const band = await connectBand(Number(env.MQTT_PORT), { id: bandId, secret })
      const t0 = Date.now() - 600_000
      for (let s = 0; s < 30; s++)
        await band.publishAsync(`bands/${bandId}/telemetry`, JSON.stringify(fixNorth(s, 0, t0 + s * 1000)), { qos: 1 })
      await band.endAsync()
    } finally {
      // Stop the service itself (strace's child; its pid is in the data directory's lock) so strace prints its counts.
      const { pid } = JSON.parse(await readFile(join(env.DATA_DIR, 'tongxing.lock'), 'utf8').catch(() => '{}')) as {
        pid?: number
      }
      if (pid) process.kill(pid, 'SIGTERM')
      else child.kill('SIGKILL')
      await exited
    }
    const warning = out.split('\n').find((l) => l.includes('"dataDir"') && /power cut/.test(l))
    expect(warning).toBeDefined()
    expect(warning).toMatch(/DATABASE_URL/)
    const table = await readFile(counts, 'utf8')
    /** Successful calls (calls less errors) in strace -c's row for this system call. */
    const calls = (name: string) => {
      const row = table
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .find((r) => r.at(-1) === name)
      return row ? Number(row[3]) - (row.length === 6 ? Number(row[4]) : 0) : 0
    }
    expect(calls('pwrite64')).toBeGreaterThan(30) // it did write the reports through to the files…
    // …and never synced them (a failing fsync of the log pipe at exit, EINVAL, syncs nothing).
    expect(calls('fsync') + calls('fdatasync') + calls('sync_file_range')).toBe(0)
  }, 120_000)
})
