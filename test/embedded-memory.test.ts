// The default a newcomer runs — the compiled service on its embedded database — must not take the
// memory of a small server: ≤ 200 MB on a fresh and on an existing data directory (issue 21). Its
// PostgreSQL keeps its buffers inside PGlite's WASM memory, initialising a fresh directory runs a
// second PostgreSQL whose memory glibc keeps, and TurboFan's recompiling of PostgreSQL's hot WASM
// functions leaves ~70 MB in malloc (infra/embedded-db.ts), and V8's default young generation keeps
// 32 MB resident (package.json's start). Before: 914 MB peak on a fresh
// directory; then 295 (fresh) and 257–295 MB (existing) with initdb in a child and small buffers;
// without either change, this test fails (docs/benchmarks.md).
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { childEnv, freePort, startFlags } from './support/cli.ts'
import { eventually } from './support/service.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const BUILD = join(ROOT, `.build-memory-${process.pid}`)
const CEILING_MB = 200

/** Peak resident memory of a process so far, MB. */
function peakMb(pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024
}

/** Starts the compiled service as `npm start` does on `dataDir`, and returns its peak memory 10 s after it answers. */
async function serveAndMeasure(dataDir: string): Promise<number> {
  const [port, mqttPort] = [await freePort(), await freePort()]
  const env = { DATA_DIR: dataDir, PORT: String(port), MQTT_PORT: String(mqttPort), LOG_LEVEL: 'warn' }
  const service = spawn(process.execPath, [...startFlags(), join(BUILD, 'bin/tongxing.js'), 'serve'], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: 'ignore',
  })
  const exited = new Promise((r) => service.once('exit', r))
  try {
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok, 120_000)
    await new Promise((r) => setTimeout(r, 10_000)) // idle work after ready (timers, a first checkpoint) counts
    return peakMb(service.pid!)
  } finally {
    service.kill('SIGTERM')
    await exited
  }
}

describe('the embedded default', () => {
  afterAll(() => rmSync(BUILD, { recursive: true, force: true }))

  it(`when the compiled service starts on a fresh and then on an existing data directory, then it never holds more than ${CEILING_MB} MB`, async () => {
    execFileSync(process.execPath, [join(ROOT, 'infra/build.mjs'), BUILD], { stdio: 'pipe' })
    const dataDir = await mkdtemp(join(tmpdir(), 'tongxing-memory-'))
    expect(await serveAndMeasure(dataDir), 'peak on a fresh directory').toBeLessThanOrEqual(CEILING_MB)
    expect(await serveAndMeasure(dataDir), 'peak on an existing directory').toBeLessThanOrEqual(CEILING_MB)
  }, 300_000)
})
