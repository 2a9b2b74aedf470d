// The composition root: wires the parts into one process. Nothing else reads process.env;
// the config arrives here already validated.
import { readFile } from 'node:fs/promises'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { buildApp, createHub } from '../dashboard/index.ts'
import { createGeofence } from '../geofence/index.ts'
import { cached, createDb, migrate, startEmbeddedDb, type Config, type Db, type Logger } from '../infra/index.ts'
import {
  connectExternalBroker, createIngest, createPositionWriter, findBandSecret, ingestMetrics, pgPositionStore,
  startEmbeddedBroker, verifySecret, setBandOnline, createFloodGuard, createRejectedRecord, createCommandChannel, createStatusWriter, bandProvisionedAt, statusUpdates, type StatusUpdate,
} from '../ingest/index.ts'

export interface Service {
  httpPort: number
  /** The embedded broker's port; undefined with an external broker. */
  mqttPort: number | undefined
  mqttTlsPort: number | undefined
  databaseUrl: string
  db: Db
  stop(): Promise<void>
}

export async function startService(config: Config, log: Logger, now: () => number = Date.now): Promise<Service> {
  const cleanup: (() => Promise<unknown>)[] = []
  const stopAll = async () => {
    for (const fn of cleanup.reverse()) await fn().catch((err: unknown) => log.error({ err }, 'shutdown step failed'))
    cleanup.length = 0
  }
  try {
    let databaseUrl = config.databaseUrl
    if (!databaseUrl) {
      const embedded = await startEmbeddedDb({ dataDir: config.dataDir })
      cleanup.push(() => embedded.stop())
      databaseUrl = embedded.connectionString
      log.info({ dataDir: config.dataDir }, 'embedded database started')
    }
    // PGlite runs one session; one connection to it keeps statements from interleaving.
    const db = createDb({ connectionString: databaseUrl, log: log.child({ part: 'db' }), max: config.databaseUrl ? config.dbPoolSize : 1 })
    cleanup.push(() => db.close())
    const { engine } = await migrate(db, log)
    log.info({ engine }, 'database ready')

    const registry = new Registry()
    collectDefaultMetrics({ register: registry })

    let ready = false
    const hub = createHub({ keepAliveMs: 30_000 })
    cleanup.push(async () => hub.closeAll())
    const geofence = createGeofence({
      db, log: log.child({ part: 'geofence' }), refreshMs: config.zoneRefreshMs, tickMs: config.geofenceTickMs, now,
      escalationMs: config.escalationSeconds * 1000,
      onAlert: (c) => hub.publishAlert(c),
    })
    await geofence.start()
    cleanup.push(() => geofence.stop())
    // Stopped after the position writer has flushed (cleanup runs in reverse), so nothing stored is left out.
    const status = createStatusWriter({ db, log: log.child({ part: 'status' }), now })
    cleanup.push(() => status.stop())

    const writerLog = log.child({ part: 'writer' })
    const writer = createPositionWriter({
      store: pgPositionStore(db), log: writerLog, maxRows: config.batchMaxRows, maxQueuedRows: config.writeQueueMaxRows,
      // A server's pool can take batches side by side (one connection left for the rest); the embedded database has one session.
      concurrency: config.databaseUrl ? Math.max(1, config.dbPoolSize - 1) : 1,
      onBatch: (rows, inserted, ms) => {
        metrics.batchRows.observe(rows)
        metrics.writeSeconds.observe(ms / 1000)
        metrics.duplicates.inc(rows - inserted)
      },
      onDatabase: (up) => {
        metrics.databaseUp.set(up ? 1 : 0)
        if (up) writerLog.info('database reachable again; writing the reports held meanwhile')
        else writerLog.error({ queuedRows: writer.queued() }, 'database unreachable; holding reports (bands are not acknowledged) and retrying')
      },
    })
    const metrics = ingestMetrics(registry, { queuedRows: () => writer.queued() })
    metrics.databaseUp.set(1)
    cleanup.push(() => writer.flush())
    const ingestLog = log.child({ part: 'ingest' })
    // Commands go out through whichever broker is in use, set once it has started.
    let sendToBand: (bandId: string, payload: string) => void = () => { throw new Error('no broker yet') }
    const commands = createCommandChannel({
      db, log: log.child({ part: 'commands' }), publish: (bandId, payload) => sendToBand(bandId, payload),
      onChange: (c) => {
        const owner = geofence.wearerOf(c.bandId)
        if (owner) hub.publish('command', { command: c }, owner)
      },
    })
    // Each band's newest position in a stored message, to the sockets that may see its wearer
    // (who wears which band comes from the geofence's topology: no query per message).
    const announcePositions = (updates: readonly StatusUpdate[]) => {
      for (const u of updates) {
        const p = u.position
        const owner = p && geofence.wearerOf(u.bandId)
        if (p && owner) hub.publish('position', { position: { bandId: u.bandId, residentId: owner.residentId, fixTime: p.ts, lat: p.lat, lon: p.lon, acc: p.acc ?? null, batt: p.batt ?? null } }, owner)
      }
    }
    // A band provisioned since the topology was last loaded is looked up (then cached).
    const provisionedLookup = cached((bandId) => bandProvisionedAt(db, bandId), 5 * 60_000)
    const rejected = createRejectedRecord()
    const ingest = createIngest({ writer, metrics, record: rejected, log: ingestLog, now, maxFutureMs: config.maxFutureSeconds * 1000,
      onFixes: (f) => geofence.onFixes(f), onStored: (f) => {
        const updates = statusUpdates(f)
        status.add(updates)
        announcePositions(updates)
        commands.reports(f)
      },
      provisionedAt: (bandId) => { const at = geofence.provisionedAt(bandId); return at === undefined ? provisionedLookup(bandId) : Promise.resolve(at) }, setOnline: async (bandId, online) => {
        await setBandOnline(db, bandId, online)
        const owner = geofence.wearerOf(bandId)
        if (owner) hub.publish('status', { status: { bandId, online, at: now() } }, owner)
      } })

    let mqttPort: number | undefined
    let mqttTlsPort: number | undefined
    if (config.mqttUrl) {
      const source = await connectExternalBroker({ url: config.mqttUrl, username: config.mqttUsername, password: config.mqttPassword, ingest, log: ingestLog })
      cleanup.push(() => source.close())
      sendToBand = source.sendCommand
    } else {
      const broker = await startEmbeddedBroker({
        host: config.host, port: config.mqttPlain === 'on' ? config.mqttPort : undefined, ingest,
        tls: config.mqttTlsCert ? { port: config.mqttTlsPort, cert: await readFile(config.mqttTlsCert), key: await readFile(config.mqttTlsKey) } : undefined, metrics, log: ingestLog, backpressure: writer,
        guard: createFloodGuard(), now, onCommandDelivered: (id) => commands.delivered(id),
        verifyBand: async (bandId, secret) => {
          const stored = await findBandSecret(db, bandId)
          return stored !== undefined && verifySecret(secret, stored)
        },
      })
      cleanup.push(() => broker.close())
      sendToBand = broker.sendCommand
      mqttPort = broker.port
      mqttTlsPort = broker.tlsPort
    }

    const app = await buildApp({ db, hub, registry, rejected, commands,
      map: { tileUrl: config.tileUrl, attribution: config.tileAttribution, gcj02: config.tileGcj02 === 'on' }, log: log.child({ part: 'dashboard' }), isReady: () => ready,
      sessionTtlMs: config.sessionTtlHours * 3_600_000, topologyChanged: () => geofence.refresh() })
    await app.listen({ port: config.port, host: config.host })
    cleanup.push(() => app.close())
    const httpPort = app.server.address() as { port: number }
    ready = true
    log.info({ httpPort: httpPort.port, mqttPort, mqttTlsPort }, 'Tongxing is ready')

    return {
      httpPort: httpPort.port,
      mqttPort,
      mqttTlsPort,
      databaseUrl,
      db,
      async stop() {
        ready = false
        // Reverse order of start: stop taking requests and bands first, then flush
        // positions and alerts, then close the database.
        await stopAll()
        log.info('Tongxing stopped')
      },
    }
  } catch (err) {
    await stopAll()
    throw err
  }
}
