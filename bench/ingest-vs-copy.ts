// Ingest throughput against the database's own limit: N bands publish through the real broker
// into the real database, and the rate at which positions become durable (acknowledged) is
// printed next to a raw COPY of the same rows into the same table on the same machine.
// Two traffic shapes: live (one fix per message, as bands report) and backlog uploads (arrays
// of 50, as bands send after a gap; 8 KiB holds about 70). Embedded PGlite always; a PostgreSQL server too when
// BENCH_DATABASE_URL (or TEST_DATABASE_URL) names one (a fresh database is made and dropped).
//
//   npm run bench:ingest -- [--bands 1500] [--live 20] [--backlog 200]
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { startService } from '../bin/service.ts'
import { createDb, createLogger, loadConfig, migrate, startEmbeddedDb, type Db } from '../infra/index.ts'
import { upsertBand } from '../ingest/index.ts'
import { loadBandId, loadSecret } from '../simulator/load.ts'
import { machine } from './support/bench.ts'

const { values: v } = parseArgs({
  options: {
    bands: { type: 'string', default: '1500' },
    live: { type: 'string', default: '20' },
    backlog: { type: 'string', default: '200' },
  },
})
const BANDS = Number(v.bands)
const SEED = 3
const START = Date.now() - 3_600_000 // within a day of provisioning: older fixes are refused
const ROOT = fileURLToPath(new URL('../', import.meta.url))
const log = createLogger('silent')

interface Backend {
  name: string
  url: string
  poolSize: string
  /** Raw COPY of these CSV rows into positions; returns milliseconds. */
  copy(csv: string): Promise<number>
  stop(): Promise<void>
}

const COPY_SQL = 'COPY positions (band_id, fix_time, seq, lat, lon, acc, src, batt) FROM STDIN WITH (FORMAT csv)'

async function embedded(): Promise<Backend> {
  const pglite = await PGlite.create(join(await mkdtemp(join(tmpdir(), 'tongxing-bench-')), 'pglite'))
  const served = await startEmbeddedDb({ db: pglite })
  return {
    name: 'embedded PGlite',
    url: served.connectionString,
    poolSize: '1',
    async copy(csv) {
      const t0 = performance.now()
      await pglite.query(COPY_SQL.replace('STDIN', "'/dev/blob'"), [], { blob: new Blob([csv]) })
      return performance.now() - t0
    },
    stop: () => served.stop(),
  }
}

async function server(serverUrl: string): Promise<Backend> {
  const name = `tongxing_bench_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    name: 'PostgreSQL server',
    url: url.toString(),
    poolSize: '4',
    async copy(csv) {
      const c = new pg.Client({ connectionString: url.toString() })
      await c.connect()
      const t0 = performance.now()
      await pipeline(Readable.from([csv]), c.query(copyFrom(COPY_SQL)))
      const ms = performance.now() - t0
      await c.end()
      return ms
    },
    async stop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    },
  }
}

/** The rows the publisher sends (bench/support/publisher.ts builds the same fixes), as CSV. */
function csvRows(fixesPerBand: number): string {
  const lines: string[] = []
  for (let i = 0; i < BANDS; i++) {
    for (let k = 0; k < fixesPerBand; k++) {
      lines.push(
        `${loadBandId(i)},${new Date(START + k * 1000).toISOString()},${k},${36.8 + (i % 100) * 1e-4},${118 + k * 1e-6},6,gps,80`,
      )
    }
  }
  return `${lines.join('\n')}\n`
}

function publish(
  mqttPort: number,
  fixesPerBand: number,
  per: number,
  window: number,
): Promise<{ acked: number; ms: number }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/support/publisher.ts',
      `mqtt://127.0.0.1:${mqttPort}`,
      String(BANDS),
      String(fixesPerBand),
      String(per),
      String(window),
      String(START),
      String(SEED),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString()
  })
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!) as { acked: number; ms: number })
        : reject(new Error(`publisher exited ${code}`)),
    ),
  )
}

const count = async (db: Db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM positions')).rows[0]!.n

async function measure(b: Backend) {
  const setup = createDb({ connectionString: b.url, log, max: 1 })
  await migrate(setup, log)
  for (let i = 0; i < BANDS; i++) await upsertBand(setup, loadBandId(i), loadSecret(SEED, i))
  await setup.close()

  const rows: { shape: string; rows: number; copyPerS: number; ingestPerS: number }[] = []
  for (const [shape, fixesPerBand, per, window] of [
    ['live (1 fix per message)', Number(v.live), 1, 4],
    ['backlog (50 fixes per message)', Number(v.backlog), 50, 2],
  ] as const) {
    const n = BANDS * fixesPerBand
    const csv = csvRows(fixesPerBand)
    const copyMs = await b.copy(csv)
    const db = createDb({ connectionString: b.url, log, max: 1 })
    if ((await count(db)) !== n) throw new Error('raw COPY did not store every row')
    await db.query('TRUNCATE positions')
    await db.close()

    const loaded = loadConfig({
      WRITE_QUEUE_MAX_ROWS: process.env.WRITE_QUEUE_MAX_ROWS ?? '100000',
      DATABASE_URL: b.url,
      DB_POOL_SIZE: b.poolSize,
      PORT: '0',
      MQTT_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATA_DIR: await mkdtemp(join(tmpdir(), 'tongxing-bench-')),
    })
    if (!loaded.ok) throw new Error(loaded.errors.join('; '))
    const service = await startService(loaded.config, log)
    const run = await publish(service.mqttPort!, fixesPerBand, per, window)
    const stored = await count(service.db)
    await service.db.query('TRUNCATE positions, band_status')
    await service.stop()
    if (stored !== n) throw new Error(`${stored} of ${n} positions stored`)
    rows.push({ shape, rows: n, copyPerS: n / (copyMs / 1000), ingestPerS: n / (run.ms / 1000) })
  }
  return rows
}

const fmt = (x: number) => Math.round(x).toLocaleString('en')
console.log(`# ingest vs raw COPY — ${BANDS} bands, ${machine()}`)
console.log(
  '| database | traffic | positions | raw COPY (rows/s) | Tongxing, MQTT to durable (positions/s) | Tongxing ÷ COPY |',
)
console.log('|---|---|---|---|---|---|')
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
for (const make of [embedded, ...(serverUrl ? [() => server(serverUrl)] : [])]) {
  const b = await make()
  try {
    for (const r of await measure(b))
      console.log(
        `| ${b.name} | ${r.shape} | ${fmt(r.rows)} | ${fmt(r.copyPerS)} | ${fmt(r.ingestPerS)} ` +
          `| ${(r.ingestPerS / r.copyPerS).toFixed(2)} |`,
      )
  } finally {
    await b.stop()
  }
}
if (!serverUrl) console.log('\n(no PostgreSQL server: set BENCH_DATABASE_URL=postgres://… to measure one)')
