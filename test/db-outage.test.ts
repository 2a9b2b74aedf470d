// The database goes away for a minute under the load of 1500 bands (DB_OUTAGE_SECONDS, 60 by
// default). Ingest must back off, hold reports up to its bound, then pause the bands (TCP
// backpressure) rather than grow without end, stay alive, show the outage in its logs and
// metrics, and once the database is back write every report — none lost, none acknowledged
// before it was stored.
import { describe, expect, it } from 'vitest'
import { createDb, createLogger, migrate } from '../infra/index.ts'
import { upsertBand } from '../ingest/index.ts'
import { loadBandId, loadEvents, loadSecret } from '../simulator/load.ts'
import { runEvents } from '../simulator/runner.mqtt.ts'
import { freePort, spawnCli } from './support/cli.ts'
import { BACKENDS } from './support/databases.ts'
import { startProxy, viaProxy } from './support/proxy.ts'
import { eventually } from './support/service.ts'

const BANDS = 1500
const RATE = 300 // fixes per second, all bands together: each band every 5 s
const OUTAGE_MS = Number(process.env.DB_OUTAGE_SECONDS ?? 60) * 1000
const BOUND = 3000 // WRITE_QUEUE_MAX_ROWS: reached about 10 s into the outage
// The server when there is one (a real pool of connections); the embedded engine otherwise.
const backend = BACKENDS.find((b) => b.name === 'PostgreSQL server') ?? BACKENDS[0]!

const metric = async (port: string, name: string) => {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  return Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? NaN)
}

describe(`database outage (${backend.name})`, () => {
  it(`when the database is away for ${OUTAGE_MS / 1000} s under ${BANDS} bands, then ingest holds, pauses bands at its bound, and loses nothing`, async () => {
    const database = await backend.start()
    const direct = createDb({ connectionString: database.url, log: createLogger('silent'), max: 1 })
    await migrate(direct, createLogger('silent'))
    const seed = 5
    for (let i = 0; i < BANDS; i++) await upsertBand(direct, loadBandId(i), loadSecret(seed, i))
    await direct.close() // the embedded engine serves one connection: the service's

    const proxy = await startProxy({ host: new URL(database.url).hostname, port: Number(new URL(database.url).port) })
    const env = {
      DATABASE_URL: viaProxy(database.url, proxy),
      ...backend.env,
      WRITE_QUEUE_MAX_ROWS: String(BOUND),
      PORT: String(await freePort()),
      MQTT_PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    }
    const service = spawnCli(['serve'], env)
    try {
      await eventually(
        async () => (await fetch(`http://127.0.0.1:${env.PORT}/healthz`).catch(() => undefined))?.ok,
        30_000,
      )

      const durationMs = 10_000 + OUTAGE_MS + 20_000
      const start = Date.now() + 15_000 // time for 1500 bands to connect first
      const events = [...loadEvents({ bands: BANDS, rate: RATE, durationMs, start, seed })]
      const bands = new Map(Array.from({ length: BANDS }, (_, i) => [loadBandId(i), loadSecret(seed, i)]))
      const run = runEvents(events, {
        brokerUrl: `mqtt://127.0.0.1:${env.MQTT_PORT}`,
        bands,
        simStart: start,
        speed: 1,
      })

      // Ten seconds of normal traffic, then the database goes away.
      await new Promise((r) => setTimeout(r, Math.max(0, start - Date.now()) + 10_000))
      expect(await metric(env.PORT, 'tongxing_database_up')).toBe(1)
      proxy.cut()
      const seen = { down: false, notReady: false, paused: 0, queued: 0 }
      const outageEnds = Date.now() + OUTAGE_MS
      while (Date.now() < outageEnds) {
        await new Promise((r) => setTimeout(r, 1000))
        expect((await fetch(`http://127.0.0.1:${env.PORT}/healthz`)).status).toBeLessThan(600) // alive
        seen.down ||= (await metric(env.PORT, 'tongxing_database_up')) === 0
        seen.notReady ||= (await fetch(`http://127.0.0.1:${env.PORT}/readyz`)).status === 503
        seen.paused = Math.max(seen.paused, await metric(env.PORT, 'tongxing_bands_paused'))
        seen.queued = Math.max(seen.queued, await metric(env.PORT, 'tongxing_write_queue_rows'))
      }
      proxy.restore()
      expect(seen.down).toBe(true)
      expect(seen.notReady).toBe(true) // readiness says so, and answers (the scrape and the probe do not hang on the database)
      expect(seen.paused).toBeGreaterThan(0) // backpressure, not unbounded growth
      // The bound holds, give or take the message each band had in hand when it was paused.
      expect(seen.queued).toBeGreaterThanOrEqual(BOUND)
      expect(seen.queued).toBeLessThan(BOUND + BANDS + 2000)

      const stats = await run
      expect(stats.connectFailures).toBe(0)
      await eventually(
        async () =>
          (await metric(env.PORT, 'tongxing_database_up')) === 1 &&
          (await metric(env.PORT, 'tongxing_bands_paused')) === 0,
        30_000,
      )
      service.process.kill('SIGTERM')
      expect(await service.exited).toBe(0)
      expect(service.output()).toContain('database unreachable')
      expect(service.output()).toContain('database reachable again')
      expect(service.output()).toContain('pausing bands')

      // Every report the bands sent is stored, once: those held during the outage included.
      const check = createDb({ connectionString: database.url, log: createLogger('silent'), max: 1 })
      const r = await check.query<{ n: number; distinct: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT (band_id, seq))::int AS distinct FROM positions`,
      )
      await check.close()
      expect(stats.acked).toBe(stats.published) // every band got its PUBACK in the end
      expect(r.rows[0]).toEqual({ n: events.length, distinct: events.length })
    } finally {
      if (service.process.exitCode === null) service.process.kill('SIGKILL')
      await proxy.close()
      await database.stop()
    }
  }, 300_000)
})
