// Scale-out on one machine, as infra/SCALE-OUT.md deploys it: Mosquitto (shipped ACL, generated
// password file), two worker processes sharing the bands through an MQTT 5 shared subscription
// and the geofence shards through advisory locks, one dashboard server, a PostgreSQL server.
// The simulator's fleet walks with labelled episodes; one worker is killed with SIGKILL mid-run
// and started again. The score: every stored report is there, and every episode alerted once.
import { chmod, copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertUser } from '../dashboard/index.ts'
import { createDb, createLogger, migrate, type Db } from '../infra/index.ts'
import {
  EXPECTED_ALERTS,
  generateFleet,
  importDoc,
  simulateFleet,
  simulatorMain,
  type Label,
} from '../simulator/index.ts'
import { MATCH_WINDOW } from '../simulator/score.ts'
import { login } from '../simulator/service-client.http.ts'
import { freePort, spawnCli, type Child } from './support/cli.ts'
import { BACKENDS, type TestDatabase } from './support/databases.ts'
import { MOSQUITTO, startMosquitto, type Mosquitto } from './support/mosquitto.ts'
import { openLive, login as cookieLogin } from './support/fixtures.ts'
import { eventually } from './support/service.ts'

const server = BACKENDS.find((b) => b.name === 'PostgreSQL server')
const available = (MOSQUITTO !== undefined && server !== undefined) || process.env.CI === 'true'
const ACL = fileURLToPath(new URL('../infra/mosquitto/acl', import.meta.url))
const SERVICE = { username: 'tongxing-ingest', password: 'service-password-for-the-test' }
const ADMIN = { username: 'admin', password: 'admin-pass-1' }
const RUN = { bands: 30, seed: 21, scenario: 'wander' as const, durationMs: 60 * 60_000, intervalS: 30, speed: 120 }

describe.runIf(available)('scale-out: two workers and a dashboard server on Mosquitto and PostgreSQL', () => {
  let database: TestDatabase
  let db: Db
  let broker: Mosquitto
  let dashboard: Child
  let dashboardUrl: string
  const workers = new Map<string, Child>()
  let env: Record<string, string>

  const start = async (role: 'worker' | 'dashboard', clientId: string): Promise<{ child: Child; url: string }> => {
    const port = await freePort()
    const child = spawnCli(['serve'], { ...env, ROLE: role, MQTT_CLIENT_ID: clientId, PORT: String(port) })
    const url = `http://127.0.0.1:${port}`
    await eventually(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok, 30_000).catch(() => {
      throw new Error(`${role} ${clientId} did not start:\n${child.output()}`)
    })
    return { child, url }
  }
  const startWorker = async (id: string) => workers.set(id, (await start('worker', id)).child)
  /**
   * Backend pids holding geofence shard locks in this test's database (advisory locks are server-wide), with how
   * many each.
   */
  const shardHolders = async () =>
    (
      await db.query<{ pid: number; n: number }>(
        `SELECT pid, count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 21624 AND granted
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) GROUP BY pid ORDER BY pid`,
      )
    ).rows

  beforeAll(async () => {
    database = await server!.start()
    db = createDb({ connectionString: database.url, log: createLogger('silent'), max: 2 })
    await migrate(db, createLogger('silent'))
    await insertUser(db, { ...ADMIN, role: 'admin' })
    // Bands get a password file only once provisioned; the service's own account comes first.
    const dir = await mkdtemp(join(tmpdir(), 'tongxing-scale-'))
    const passwordFile = join(dir, 'passwd')
    const writePasswords = async () => {
      const cli = spawnCli(
        ['mosquitto-passwd', '--service-user', SERVICE.username, '--service-password', SERVICE.password],
        { DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
      )
      expect(await cli.exited, cli.output()).toBe(0)
      await writeFile(passwordFile, cli.output())
      await chmod(passwordFile, 0o644)
    }
    await writePasswords()
    const aclFile = join(dir, 'acl')
    await copyFile(ACL, aclFile)
    await chmod(aclFile, 0o644)
    broker = await startMosquitto({ passwordFile, aclFile })
    env = {
      DATABASE_URL: database.url,
      MQTT_URL: broker.url,
      MQTT_USERNAME: SERVICE.username,
      MQTT_PASSWORD: SERVICE.password,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ZONE_REFRESH_MS: '300',
      GEOFENCE_TICK_MS: '300',
    }
    const d = await start('dashboard', 'tongxing-dashboard')
    dashboard = d.child
    dashboardUrl = d.url
    // The fleet, provisioned through the dashboard server like an operator would.
    const admin = await login(dashboardUrl, ADMIN.username, ADMIN.password)
    await admin.post('/api/admin/import', importDoc(generateFleet({ bands: RUN.bands, seed: RUN.seed }), 10, runStart))
    await writePasswords()
    await broker.reload()
    await startWorker('worker-1')
    await startWorker('worker-2')
    await eventually(async () => {
      const h = await shardHolders()
      return h.length === 2 && h[0]!.n + h[1]!.n === 64
    }, 20_000)
  }, 120_000)
  afterAll(async () => {
    for (const w of workers.values()) w.process.kill('SIGTERM')
    dashboard?.process.kill('SIGTERM')
    await Promise.all([...workers.values(), dashboard].filter(Boolean).map((c) => c!.exited))
    await broker?.stop()
    await db?.close()
    await database?.stop()
  })

  // Far enough back that the run's fixes never run ahead of the clock.
  const runStart = Math.round(Date.now() - RUN.durationMs)

  it('when a worker is killed mid-run and started again, then no report is lost and every episode is alerted exactly once', async () => {
    // Someone watching on the dashboard server, which stores and judges nothing itself.
    const live = await openLive(
      Number(new URL(dashboardUrl).port),
      await cookieLogin(Number(new URL(dashboardUrl).port), ADMIN.username, ADMIN.password),
    )
    const truth = join(await mkdtemp(join(tmpdir(), 'tongxing-sim-')), 'truth.jsonl')
    const out: string[] = []
    const run = simulatorMain(
      [
        'run',
        '--url',
        dashboardUrl,
        '--broker',
        broker.url,
        '--admin',
        ADMIN.username,
        '--password',
        ADMIN.password,
        '--no-provision',
        '--bands',
        String(RUN.bands),
        '--seed',
        String(RUN.seed),
        '--speed',
        String(RUN.speed),
        '--interval',
        String(RUN.intervalS),
        '--duration',
        '60m',
        '--scenario',
        RUN.scenario,
        '--start',
        new Date(runStart).toISOString(),
        '--truth',
        truth,
        '--quiet',
      ],
      (l) => out.push(l),
      () => undefined,
    )

    // A third of the way in, worker 1 dies without a word; its shards pass to worker 2.
    await new Promise((r) => setTimeout(r, RUN.durationMs / RUN.speed / 3))
    const victim = workers.get('worker-1')!
    victim.process.kill('SIGKILL')
    await victim.exited
    await eventually(async () => {
      const h = await shardHolders()
      return h.length === 1 && h[0]!.n === 64
    }, 15_000)
    // Back again: its session on the broker kept its share of the reports meanwhile; it takes half the shards back.
    await startWorker('worker-1')
    expect(await run, out.join('\n')).toBe(0)
    await eventually(async () => {
      const h = await shardHolders()
      return h.length === 2 && h[0]!.n + h[1]!.n === 64
    }, 20_000)

    // No report lost: every distinct fix the fleet sent (acknowledged by the broker) is stored.
    const summary = out.join('\n')
    expect(summary).toMatch(/failed 0, bands that could not connect 0/)
    const sent = distinctFixes()
    const stored = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM positions')).rows[0]!.n
    await eventually(async () => (await stored()) === sent, 60_000).catch(async () => {
      throw new Error(
        `stored ${await stored()} of ${sent} fixes\n${summary}\n${[...workers.values()].map((w) => w.output()).join('\n')}`,
      )
    })

    // Every episode alerted exactly once, and no alert without an episode.
    await new Promise((r) => setTimeout(r, 2000))
    const labels = (await readFile(truth, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Label & { type: string })
      .filter((l) => l.type === 'label')
    const alerts = (
      await db.query<{ band_id: string; kind: string; fix_time: Date }>('SELECT band_id, kind, fix_time FROM alerts')
    ).rows.map((a) => ({ bandId: a.band_id, kind: a.kind, fixTime: a.fix_time.getTime() }))
    const matches = (a: (typeof alerts)[number], l: Label) =>
      a.bandId === l.bandId &&
      EXPECTED_ALERTS[l.kind].includes(a.kind) &&
      a.fixTime >= l.start - MATCH_WINDOW.beforeMs &&
      a.fixTime <= l.end + MATCH_WINDOW.afterMs
    const scored = new Set(Object.values(EXPECTED_ALERTS).flat())
    const wanders = labels.filter((l) => l.mustAlert && l.kind === 'left_safe_zone')
    if (process.env.SHOW_SCORE)
      console.log({ sent, wanders: wanders.length, alerts: alerts.length, summary, shards: await shardHolders() })
    expect(wanders.length).toBeGreaterThan(5)
    expect(wanders.map((l) => alerts.filter((a) => matches(a, l)).length)).toEqual(wanders.map(() => 1))
    // The workers judge the bands, so their search mode asks wandering bands for fixes (recorded by nobody).
    const searched = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM band_commands WHERE requested_by IS NULL ` +
        `AND command->>'cmd' IN ('locate', 'interval')`,
    )
    expect(searched.rows[0]!.n).toBeGreaterThan(0)
    // Wearers who went silent outside: one alert at most (the "left, then silent" timer counts wall-clock
    // minutes, which this run does not wait for).
    for (const l of labels.filter((x) => x.mustAlert && x.kind !== 'left_safe_zone'))
      expect(alerts.filter((a) => matches(a, l)).length).toBeLessThanOrEqual(1)
    expect(alerts.filter((a) => scored.has(a.kind) && !labels.some((l) => matches(a, l)))).toEqual([])

    // The workers' alerts and the stored positions reached the socket on the dashboard server.
    const opened = (await db.query<{ id: number }>('SELECT id FROM alerts ORDER BY id')).rows.map((r) => r.id)
    const announced = live.messages
      .filter((m) => m.type === 'alert' && m.change === 'opened')
      .map((m) => (m.alert as { id: number }).id)
    expect(announced.sort((a, b) => a - b)).toEqual(opened)
    expect(live.messages.filter((m) => m.type === 'position').length).toBeGreaterThan(sent / 2)
    live.close()
  }, 180_000)

  it('when a worker is stopped on purpose, then it leaves the group first and the other stores everything at once', async () => {
    const leaving = workers.get('worker-2')!
    leaving.process.kill('SIGTERM')
    expect(await leaving.exited).toBe(0)
    const band = generateFleet({ bands: RUN.bands, seed: RUN.seed }).residents[0]!
    const c = await mqtt.connectAsync(broker.url, {
      clientId: band.bandId,
      username: band.bandId,
      password: band.secret,
      reconnectPeriod: 0,
    })
    const t = Date.now() - 60_000
    for (let i = 0; i < 20; i++)
      await c.publishAsync(
        `bands/${band.bandId}/telemetry`,
        JSON.stringify({
          v: 1,
          seq: 900_000 + i,
          ts: (t + i * 1000) / 1000,
          lat: 36.8,
          lon: 118.05,
          acc: 10,
          src: 'gps',
        }),
        { qos: 1 },
      )
    await c.endAsync()
    // Had it stayed in the group while away, Mosquitto would keep about half of these for it.
    await eventually(
      async () =>
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM positions WHERE seq >= 900000')).rows[0]!.n ===
        20,
      5000,
    )
  })

  function distinctFixes(): number {
    const fleet = generateFleet({ bands: RUN.bands, seed: RUN.seed })
    const sim = simulateFleet(fleet, {
      start: runStart,
      durationMs: RUN.durationMs,
      intervalMs: RUN.intervalS * 1000,
      scenario: RUN.scenario,
    })
    const keys = new Set<string>()
    for (const e of sim.events()) {
      if (e.type !== 'publish') continue
      const body = JSON.parse(e.payload) as { seq: number; ts: number } | { seq: number; ts: number }[]
      for (const f of Array.isArray(body) ? body : [body]) keys.add(`${e.bandId}|${f.seq}|${f.ts}`)
    }
    return keys.size
  }
})
