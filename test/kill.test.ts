// Acknowledged means durable, even when the process dies without warning: the service is killed
// with SIGKILL in the middle of a steady stream, and every report a band got a PUBACK for must be
// in the database afterwards — on the embedded database (reopened from its data directory, as
// the next start would) and on a PostgreSQL server when one is available.
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createDb, createLogger, startEmbeddedDb } from '../infra/index.ts'
import { freePort, runCli, spawnCli } from './support/cli.ts'
import { BACKENDS } from './support/databases.ts'
import { connectBand, fixNorth } from './support/fixtures.ts'
import { eventually } from './support/service.ts'

const server = BACKENDS.find((b) => b.name === 'PostgreSQL server')

/** Runs the service, streams reports with up to 16 in flight, kills it; returns the acknowledged seqs. */
async function streamAndKill(env: Record<string, string>): Promise<{ bandId: string; acked: number[]; sent: number }> {
  const service = spawnCli(['serve'], env)
  // A fresh embedded data directory is initialised first (initdb, in a child process): on a busy machine, half a minute.
  await eventually(async () => (await fetch(`http://127.0.0.1:${env.PORT}/healthz`).catch(() => undefined))?.ok, 90_000)
  const { residentId } = await runCli(['resident', 'add', '--name', 'Sun'], env)
  const { bandId, secret } = (await runCli(
    ['band', 'add', '--id', '860000000000077', '--resident', String(residentId)],
    env,
  )) as { bandId: string; secret: string }

  const band = await connectBand(Number(env.MQTT_PORT), { id: bandId, secret })
  band.on('error', () => {})
  const acked: number[] = []
  let sent = 0
  let killed = false
  const t0 = Date.now() - 3_600_000
  const lane = async (lane: number) => {
    for (let i = lane; !killed; i += 16) {
      sent++
      try {
        await band.publishAsync(`bands/${bandId}/telemetry`, JSON.stringify(fixNorth(i, 0, t0 + i * 100)), { qos: 1 })
        acked.push(i)
      } catch {
        return // the connection died with the process
      }
    }
  }
  const lanes = Array.from({ length: 16 }, (_, k) => lane(k))
  await eventually(async () => acked.length >= 300, 20_000) // a steady stream is flowing
  service.process.kill('SIGKILL')
  killed = true
  expect(await service.exited).toBeNull() // killed, not exited
  band.end(true)
  await Promise.race([Promise.all(lanes), new Promise((r) => setTimeout(r, 2000))])
  return { bandId, acked: [...acked], sent }
}

async function storedSeqs(connectionString: string, bandId: string, pool = 1): Promise<Set<number>> {
  const db = createDb({ connectionString, log: createLogger('silent'), max: pool })
  try {
    const r = await db.query<{ seq: string }>('SELECT seq FROM positions WHERE band_id = $1', [bandId])
    return new Set(r.rows.map((x) => Number(x.seq)))
  } finally {
    await db.close()
  }
}

const ports = async () => ({
  PORT: String(await freePort()),
  MQTT_PORT: String(await freePort()),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
})

describe('SIGKILL during a steady stream', () => {
  it('when the service on the embedded database is killed, then every acknowledged report is there when the data directory is reopened', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tongxing-kill-'))
    const { bandId, acked, sent } = await streamAndKill({ DATA_DIR: dataDir, ...(await ports()) })
    expect(acked.length).toBeGreaterThanOrEqual(300)
    // Usually some were in flight when it died; under load every in-flight report may have been
    // acknowledged just before the kill, which is no less a test of what follows.
    expect(sent).toBeGreaterThanOrEqual(acked.length)
    const reopened = await startEmbeddedDb({ dataDir })
    try {
      const stored = await storedSeqs(reopened.connectionString, bandId)
      expect(acked.filter((s) => !stored.has(s))).toEqual([])
    } finally {
      await reopened.stop()
    }
  }, 180_000)

  if (server)
    it('when the service on a PostgreSQL server is killed, then every acknowledged report is in the database', async () => {
      const database = await server!.start()
      try {
        const { bandId, acked } = await streamAndKill({ DATABASE_URL: database.url, ...(await ports()) })
        expect(acked.length).toBeGreaterThanOrEqual(300)
        const stored = await storedSeqs(database.url, bandId, 2)
        expect(acked.filter((s) => !stored.has(s))).toEqual([])
      } finally {
        await database.stop()
      }
    }, 120_000)
})
