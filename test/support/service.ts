// Starts the real service in-process on free ports, for integration tests.
import { cp, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import { startService, type Service } from '../../bin/service.ts'
import { createLogger, loadConfig, type Config } from '../../infra/index.ts'

/** A new data directory; its embedded database copied from the migrated template when there is one. */
export async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tongxing-'))
  const template = inject('pgliteTemplate')
  if (template) await cp(template, join(dir, 'pglite'), { recursive: true })
  return dir
}

export async function testConfig(env: Record<string, string> = {}): Promise<Config> {
  const dataDir = env.DATA_DIR ?? (env.DATABASE_URL ? await mkdtemp(join(tmpdir(), 'tongxing-')) : await freshDataDir())
  const r = loadConfig({
    PORT: '0',
    MQTT_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ZONE_REFRESH_MS: '100',
    GEOFENCE_TICK_MS: '100',
    ...env,
    DATA_DIR: dataDir,
  })
  if (!r.ok) throw new Error(r.errors.join('; '))
  return r.config
}

export async function startTestService(env: Record<string, string> = {}, now?: () => number): Promise<Service> {
  const config = await testConfig(env)
  return startService(config, createLogger(config.logLevel), now)
}

/** Polls until `check` returns a value other than undefined or false. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v !== undefined && v !== false) return v
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 50))
  }
}
