// The embedded database has one PostgreSQL session (PGlite) shared by every client that reaches
// it through the service's socket: the service's own connection and a command run meanwhile
// (`tongxing user add …` while `serve` runs). Each client must have the session to itself for a
// whole exchange and a whole transaction, and must not see what another client left in it.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withDatabase } from '../bin/database.ts'
import { openDatabase } from '../bin/parts/database.ts'
import { createStack } from '../bin/parts/stack.ts'
import { createDb, createLogger, loadConfig, startEmbeddedDb, type Db, type EmbeddedDb } from '../infra/index.ts'

const log = createLogger('silent')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('a command and the service on one embedded database', () => {
  let embedded: EmbeddedDb
  let service: Db
  let dataDir: string
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tongxing-session-'))
    embedded = await startEmbeddedDb({ dataDir, role: 'service' })
    service = createDb({ connectionString: embedded.connectionString, log, max: 1 })
    await service.query('CREATE TABLE probe (who text NOT NULL, n int NOT NULL)')
  })
  afterAll(async () => {
    await service?.close()
    await embedded?.stop()
  })

  const command = <T>(fn: (db: Db) => Promise<T>) => {
    const loaded = loadConfig({ DATA_DIR: dataDir })
    if (!loaded.ok) throw new Error(loaded.errors.join('; '))
    return withDatabase(loaded.config, log, fn)
  }
  /** The service's writes: parameterised statements of their own shape, one after another. */
  const serviceWrites = async (who: string, count: number) => {
    for (let n = 0; n < count; n++) {
      const r = await service.query<{ who: string; n: number }>(
        'INSERT INTO probe (who, n) VALUES ($1, $2) RETURNING who, n',
        [who, n],
      )
      expect(r.rows).toEqual([{ who, n }])
    }
  }

  it("when a command rolls its transaction back amid service writes, then only the service's stay", async () => {
    const rolledBack = command((db) =>
      db.tx(async (c) => {
        for (let n = 0; n < 60; n++) {
          const r = await c.query<{ n: number }>('INSERT INTO probe (n, who) SELECT $1::int, $2::text RETURNING n', [
            n,
            'command',
          ])
          expect(r.rows).toEqual([{ n }])
          if (n % 10 === 0) await sleep(5)
        }
        throw new Error('changed my mind')
      }),
    ).then(
      () => 'committed',
      (err: Error) => err.message,
    )
    await Promise.all([serviceWrites('service', 150), serviceWrites('service', 0)])
    expect(await rolledBack).toBe('changed my mind')
    const rows = await service.query<{ who: string; count: number }>(
      'SELECT who, count(*)::int AS count FROM probe GROUP BY who',
    )
    expect(rows.rows).toEqual([{ who: 'service', count: 150 }])
  }, 60_000)

  it('when a command changes session settings and makes a temporary table, then the service sees neither', async () => {
    let seenByCommand: unknown
    const done = command(async (db) => {
      await db.query('SET search_path TO nowhere')
      await db.query('SET statement_timeout = 1')
      await db.query('CREATE TEMP TABLE secret AS SELECT 1 AS x')
      for (let i = 0; i < 40; i++) {
        seenByCommand = (await db.query('SELECT $1::int AS i', [i])).rows[0]
        await sleep(2)
      }
    })
    for (let i = 0; i < 40; i++) {
      // An unqualified table name resolves, no timeout strikes, and the command's temporary table is not there.
      await service.query('INSERT INTO probe (who, n) VALUES ($1, $2)', ['settings', i])
      const temp = await service.query<{ t: string | null }>(`SELECT to_regclass('pg_temp.secret')::text AS t`)
      expect(temp.rows).toEqual([{ t: null }])
      await service.query('SELECT pg_sleep(0.002)')
      await sleep(1)
    }
    await done
    expect(seenByCommand).toEqual({ i: 39 })
    const shown = await service.query<{ search_path: string }>('SHOW search_path')
    expect(shown.rows[0]!.search_path).not.toContain('nowhere')
  }, 60_000)

  it('when two clients send many parameterised statements at once, then each gets the answer to its own', async () => {
    const other = createDb({ connectionString: embedded.connectionString, log, max: 1 })
    try {
      // Every third of the first client's statements fails (division by zero), which makes the
      // session skip what follows until that client's Sync.
      const a = Array.from({ length: 300 }, (_, i) =>
        service.query<{ a: string }>('SELECT $1::text AS a, 1 / $2::int AS one', [`a${i}`, i % 3 ? 1 : 0]).then(
          (r) => r.rows[0],
          (err: Error) => err.message,
        ),
      )
      const b = Array.from({ length: 300 }, (_, i) =>
        other.query<{ b: number }>('SELECT $1::int * 2 AS b, $2::text AS c', [i, 'x']).then(
          (r) => r.rows[0],
          (err: Error) => err.message,
        ),
      )
      const [ra, rb] = await Promise.all([Promise.all(a), Promise.all(b)])
      expect(ra).toEqual(ra.map((_, i) => (i % 3 ? { a: `a${i}`, one: 1 } : 'division by zero')))
      expect(rb).toEqual(rb.map((_, i) => ({ b: i * 2, c: 'x' })))
    } finally {
      await other.close()
    }
  }, 60_000)
  it("when a second service's DATABASE_URL is this embedded database, then its statements still run after the session passed to another client", async () => {
    const loaded = loadConfig({ DATABASE_URL: embedded.connectionString })
    if (!loaded.ok) throw new Error(loaded.errors.join('; '))
    const stack = createStack(log, 5_000)
    try {
      const { db } = await openDatabase(loaded.config, log, stack)
      for (let n = 0; n < 3; n++) {
        // A statement the service names (as its writer does), then the session passes to another client and back.
        const r = await db.query<{ n: number }>('SELECT $1::int AS n', [n], 'tongxing_probe')
        expect(r.rows).toEqual([{ n }])
        await service.query('SELECT 1')
      }
    } finally {
      await stack.stop()
    }
  }, 60_000)
})

describe('the service stopping while a command uses its database', () => {
  it("when the service stops during a command's transaction, then it fails and nothing of it is stored", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tongxing-handover-'))
    const first = await startEmbeddedDb({ dataDir, role: 'service' })
    const setup = createDb({ connectionString: first.connectionString, log, max: 1 })
    await setup.query('CREATE TABLE probe (n int NOT NULL)')
    await setup.close()
    const loaded = loadConfig({ DATA_DIR: dataDir })
    if (!loaded.ok) throw new Error(loaded.errors.join('; '))
    let inserted = 0
    const outcome = withDatabase(loaded.config, log, (db) =>
      db.tx(async (c) => {
        for (;;) {
          await c.query('INSERT INTO probe (n) VALUES ($1)', [inserted])
          inserted++
          await sleep(5)
        }
      }),
    ).then(
      () => 'finished',
      (err: Error) => err.message,
    )
    while (inserted < 20) await sleep(5)
    await first.stop()
    expect(await outcome).not.toBe('finished')
    const again = await startEmbeddedDb({ dataDir, role: 'service' })
    const db = createDb({ connectionString: again.connectionString, log, max: 1 })
    try {
      expect((await db.query('SELECT count(*)::int AS n FROM probe')).rows).toEqual([{ n: 0 }])
    } finally {
      await db.close()
      await again.stop()
    }
  }, 60_000)
})
