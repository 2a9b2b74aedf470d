// The composition root: wires the parts into one process. Nothing else reads process.env;
// the config arrives here already validated.
import { readFile } from 'node:fs/promises'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { ACCESS_CHANNEL, buildApp, buildOpsApp, busHub, createHub, watchAccess, type Hub } from '../dashboard/index.ts'
import { createGeofence, startShardOwner, type Geofence } from '../geofence/index.ts'
import { applyLifecycle, cached, createBus, createDb, migrate, startLifecycleJob, startEmbeddedDb, type Bus, type Config, type Db, type Logger } from '../infra/index.ts'
import {
  connectExternalBroker, createIngest, createPositionWriter, findBandSecret, ingestMetrics, pgPositionStore,
  startEmbeddedBroker, verifySecret, setBandOnline, createFloodGuard, createRejectedRecord, createCommandChannel, createStatusWriter, bandProvisionedAt, statusUpdates,
  type CommandChannel, type Fix, type StatusUpdate,
} from '../ingest/index.ts'
import { geofenceMetrics, within } from './metrics.ts'
import { startNotifications } from './notifications.ts'

/** Stored reports, announced by the worker that stored them (in the same statement). */
const FIXES_CHANNEL = 'tongxing_fixes'
/** Zones or bands changed: reload now rather than at the next poll. */
const TOPOLOGY_CHANNEL = 'tongxing_topology'
/** Geofence shards shared by workers (fixed: every worker must agree on it). */
const SHARDS = 64

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
  const role = config.role
  try {
    let databaseUrl = config.databaseUrl
    if (!databaseUrl) {
      const embedded = await startEmbeddedDb({ dataDir: config.dataDir, role: 'service', waitMs: 60_000 })
      cleanup.push(() => embedded.stop())
      databaseUrl = embedded.connectionString
      // PGlite runs PostgreSQL with fsync=off and its WASM runtime never syncs (docs/durability.md).
      log.warn({ dataDir: config.dataDir }, 'embedded database (PGlite): an acknowledged report survives a crash of this ' +
        'process but not a power cut (it is never fsynced); production runs on a PostgreSQL or TimescaleDB server ' +
        '(DATABASE_URL)')
    }
    // PGlite runs one session; one connection to it keeps statements from interleaving.
    const db = createDb({ connectionString: databaseUrl, log: log.child({ part: 'db' }), max: config.databaseUrl ? config.dbPoolSize : 1 })
    cleanup.push(() => db.close())
    const { engine } = await migrate(db, log)
    const lifecycle = { retentionDays: config.retentionDays, compressAfterDays: config.compressAfterDays }
    if (role !== 'dashboard') {
      await applyLifecycle(db, engine, lifecycle)
      const stopJob = startLifecycleJob(db, engine, lifecycle, log)
      cleanup.push(async () => stopJob())
    }
    log.info({ engine, role }, 'database ready')

    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const alertMetrics = geofenceMetrics(registry, db)

    // Processes sharing the work meet on the database: LISTEN/NOTIFY and advisory locks.
    let bus: Bus | undefined
    if (role !== 'all') {
      bus = await createBus({ connectionString: databaseUrl, db, log: log.child({ part: 'bus' }), name: `tongxing-${role}` })
      const b = bus
      cleanup.push(() => b.close())
    }
    let ready = false
    const localHub = role === 'worker' ? undefined : createHub({ keepAliveMs: 30_000 })
    if (localHub) {
      cleanup.push(async () => localHub.closeAll())
      // Open sockets follow their sessions; a process on the bus hears of a change at once.
      const watch = watchAccess({ db, hub: localHub, log: log.child({ part: 'access' }) })
      cleanup.push(async () => watch.stop())
      bus?.subscribe(ACCESS_CHANNEL, () => void watch.check())
    }
    const bareHub: Hub = bus ? busHub(bus, db, log.child({ part: 'hub' }), localHub) : localHub!
    // Notifications: every process sends what is due from the outbox (claims never overlap);
    // an alert changed here wakes this process's notifier at once.
    const notifier = startNotifications(config, db, log.child({ part: 'notify' }), registry)
    cleanup.push(() => notifier.stop())
    const hub: Hub = { ...bareHub, publishAlert: (c) => { bareHub.publishAlert(c); notifier.kick() } }
    const geofence = createGeofence({
      db, log: log.child({ part: 'geofence' }), refreshMs: config.zoneRefreshMs, tickMs: config.geofenceTickMs, now,
      escalationMs: config.escalationSeconds * 1000, judgesAll: role === 'all',
      onAlert: (c, ms) => {
        if (c.change === 'opened') alertMetrics.raisedSeconds.observe(ms / 1000)
        hub.publishAlert(c)
      },
    })
    await geofence.start()
    cleanup.push(() => geofence.stop())
    bus?.subscribe(TOPOLOGY_CHANNEL, () => void geofence.refresh())
    const topologyChanged = async () => {
      await geofence.refresh()
      await bus?.publish(TOPOLOGY_CHANNEL, '')
    }

    // Each band's newest position in a stored message, to this process's sockets that may see its
    // wearer (who wears which band comes from the geofence's topology: no query per message), if it
    // was taken while they wore it (a late backlog from the previous wearer's time is not theirs).
    // Every dashboard server hears the stored reports itself, so positions never go on the bus.
    const announcePositions = (updates: readonly StatusUpdate[]) => {
      if (!localHub) return
      for (const u of updates) {
        const p = u.position
        const owner = p && geofence.wearerOf(u.bandId)
        if (!p || !owner || p.ts < owner.since) continue
        const position = {
          bandId: u.bandId, residentId: owner.residentId, fixTime: p.ts,
          lat: p.lat, lon: p.lon, acc: p.acc ?? null, batt: p.batt ?? null,
        }
        localHub.publish('position', { position }, owner)
      }
    }
    // Commands go out through whichever broker is in use, set once it has started.
    let sendToBand: (bandId: string, payload: string) => void = () => { throw new Error('no broker yet') }
    const commands = role === 'worker' ? undefined : createCommandChannel({
      db, log: log.child({ part: 'commands' }), publish: (bandId, payload) => sendToBand(bandId, payload),
      onChange: (c) => {
        const owner = geofence.wearerOf(c.bandId)
        if (owner && c.requestedAt >= owner.since) hub.publish('command', { command: c }, owner)
      },
    })

    const rejected = createRejectedRecord()
    let ports: { mqttPort?: number; mqttTlsPort?: number } = {}
    if (role === 'dashboard') {
      // Reports stored by any worker: positions for this server's sockets, answers to its commands.
      bus!.subscribe(FIXES_CHANNEL, (payload) => {
        const fixes = JSON.parse(payload) as Fix[]
        announcePositions(statusUpdates(fixes))
        commands!.reports(fixes)
      })
      const publisher = await connectExternalBroker({ url: config.mqttUrl, username: config.mqttUsername, password: config.mqttPassword,
        clientId: `${config.mqttClientId}-commands-${process.pid}`, ingest: undefined, log: log.child({ part: 'commands' }) })
      cleanup.push(() => publisher.close())
      sendToBand = publisher.sendCommand
    } else {
      ports = await startIngest({ config, log, db, now, cleanup, registry, geofence, bus, announcePositions, commands, rejected, hub,
        setSender: (send) => { sendToBand = send } })
    }

    const readiness = async () => ({
      database: await within(2000, db.query('SELECT 1')).then(() => true, () => false),
      ...(bus ? { bus: bus.connected() } : {}),
    })
    const httpLog = log.child({ part: 'dashboard' })
    const http = {
      publicOrigins: config.publicOrigin === '' ? [] : config.publicOrigin.split(','), tileUrl: config.tileUrl,
      trustProxy: config.trustProxy, metricsToken: config.metricsToken,
      tls: config.httpTlsCert
        ? { cert: await readFile(config.httpTlsCert), key: await readFile(config.httpTlsKey) }
        : undefined,
    }
    // A worker serves health and metrics only; the others, the page and the API.
    const app = role === 'worker'
      ? await buildOpsApp({ log: httpLog, isReady: () => ready, registry, readiness, http })
      : await buildApp({ db, hub, registry, rejected, commands: commands!,
        map: { tileUrl: config.tileUrl, attribution: config.tileAttribution, gcj02: config.tileGcj02 === 'on' }, log: httpLog, isReady: () => ready, readiness,
        sessionTtlMs: config.sessionTtlHours * 3_600_000, topologyChanged, http, vapidPublicKey: config.webpushPublicKey })
    await app.listen({ port: config.port, host: config.host })
    cleanup.push(() => app.close())
    const httpPort = app.server.address() as { port: number }
    ready = true
    log.info({ role, httpPort: httpPort.port, ...ports }, 'Tongxing is ready')

    return {
      httpPort: httpPort.port,
      mqttPort: ports.mqttPort,
      mqttTlsPort: ports.mqttTlsPort,
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

interface IngestParts {
  config: Config
  log: Logger
  db: Db
  now: () => number
  cleanup: (() => Promise<unknown>)[]
  registry: Registry
  geofence: Geofence
  /** Set for a worker sharing the bands with others. */
  bus: Bus | undefined
  announcePositions: (updates: readonly StatusUpdate[]) => void
  commands: CommandChannel | undefined
  rejected: ReturnType<typeof createRejectedRecord>
  hub: Hub
  setSender: (send: (bandId: string, payload: string) => void) => void
}

/**
 * Bands in: the broker (embedded, or a client of an external one), validation, the position
 * writer, band status. One process judges its reports before they are written (alerts do not
 * wait for a batch); a worker's geofence judges its shards from the feed of stored reports.
 */
async function startIngest(p: IngestParts): Promise<{ mqttPort?: number; mqttTlsPort?: number }> {
  const { config, log, db, now, cleanup, geofence, bus, hub, commands } = p
  // Stopped after the position writer has flushed (cleanup runs in reverse), so nothing stored is left out.
  const status = createStatusWriter({ db, log: log.child({ part: 'status' }), now })
  cleanup.push(() => status.stop())
  if (bus) {
    const owner = startShardOwner({ bus, db, geofence, log: log.child({ part: 'shards' }), shards: SHARDS, everyMs: 1000, feed: FIXES_CHANNEL, bandIds: () => geofence.bands() })
    cleanup.push(() => owner.stop())
  }

  const writerLog = log.child({ part: 'writer' })
  const writer = createPositionWriter({
    store: pgPositionStore(db, bus ? FIXES_CHANNEL : undefined), log: writerLog, maxRows: config.batchMaxRows, maxQueuedRows: config.writeQueueMaxRows,
    // A server's pool can take batches side by side (one connection left for the rest); the embedded database has one session.
    concurrency: config.databaseUrl ? Math.max(1, config.dbPoolSize - 1) : 1, lingerMs: config.writeLingerMs,
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
  const metrics = ingestMetrics(p.registry, { queuedRows: () => writer.queued() })
  metrics.databaseUp.set(1)
  cleanup.push(() => writer.flush())
  const ingestLog = log.child({ part: 'ingest' })
  // A band provisioned since the topology was last loaded is looked up (then cached).
  const provisionedLookup = cached((bandId) => bandProvisionedAt(db, bandId), 5 * 60_000)
  const ingest = createIngest({ writer, metrics, record: p.rejected, log: ingestLog, now, maxFutureMs: config.maxFutureSeconds * 1000,
    onFixes: (f) => { if (!bus) geofence.onFixes(f) },
    onStored: (f) => {
      const updates = statusUpdates(f)
      status.add(updates)
      // A worker's stored reports reach the dashboard servers through the feed instead.
      if (!bus) p.announcePositions(updates)
      commands?.reports(f)
    },
    provisionedAt: (bandId) => { const at = geofence.provisionedAt(bandId); return at === undefined ? provisionedLookup(bandId) : Promise.resolve(at) },
    setOnline: async (bandId, online) => {
      await setBandOnline(db, bandId, online)
      const owner = geofence.wearerOf(bandId)
      if (owner) hub.publish('status', { status: { bandId, online, at: now() } }, owner)
    } })

  if (config.mqttUrl) {
    const source = await connectExternalBroker({ url: config.mqttUrl, username: config.mqttUsername, password: config.mqttPassword, ingest, log: ingestLog,
      clientId: config.mqttClientId, shareGroup: bus ? 'tongxing' : undefined, connections: config.mqttSharedConnections })
    cleanup.push(() => source.close())
    p.setSender(source.sendCommand)
    return {}
  }
  const broker = await startEmbeddedBroker({
    host: config.host, port: config.mqttPlain === 'on' ? config.mqttPort : undefined, ingest,
    tls: config.mqttTlsCert ? { port: config.mqttTlsPort, cert: await readFile(config.mqttTlsCert), key: await readFile(config.mqttTlsKey) } : undefined, metrics, log: ingestLog, backpressure: writer,
    guard: createFloodGuard(), now, onCommandDelivered: (id) => commands?.delivered(id),
    verifyBand: async (bandId, secret) => {
      const stored = await findBandSecret(db, bandId)
      return stored !== undefined && verifySecret(secret, stored)
    },
  })
  cleanup.push(() => broker.close())
  p.setSender(broker.sendCommand)
  return { mqttPort: broker.port, mqttTlsPort: broker.tlsPort }
}
