// The default a newcomer runs — the service on its embedded database — must not take the memory
// of a small server. Its PostgreSQL keeps its buffers inside PGlite's WASM memory, and initialising
// a fresh data directory runs a second PostgreSQL and initdb whose memory glibc keeps afterwards
// (infra/embedded-db.ts). Before the fix: 914 MB peak on a fresh directory and 423 MB at rest on an
// existing one (compiled); the figures here include the TypeScript loader's ~90 MB.
import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freePort, spawnCli } from './support/cli.ts'
import { eventually } from './support/service.ts'

/** Peak and current resident memory of a process, MB. */
function memory(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)![1])
  return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 }
}

/** Starts the service on `dataDir`, waits until it answers, and returns its memory then. */
async function serveAndMeasure(dataDir: string) {
  const port = await freePort()
  const env = { DATA_DIR: dataDir, PORT: String(port), MQTT_PORT: String(await freePort()), LOG_LEVEL: 'warn' }
  const service = spawnCli(['serve'], env)
  try {
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok, 120_000)
    return memory(service.process.pid!)
  } finally {
    service.process.kill('SIGTERM')
    await service.exited
  }
}

describe('the embedded default', () => {
  it('when the service starts on a fresh and then on an existing data directory, then it stays within a few hundred MB', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tongxing-memory-'))
    const fresh = await serveAndMeasure(dataDir)
    expect(fresh.peakMb, 'peak on a fresh directory').toBeLessThan(550)
    const existing = await serveAndMeasure(dataDir)
    expect(existing.rssMb, 'resident on an existing directory').toBeLessThan(450)
  }, 300_000)
})
