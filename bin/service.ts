// The composition root: wires the parts into one process for its role. Nothing else reads
// process.env; the config arrives here already validated. Each role is a short list of parts
// (database, bus, topology, sockets, commands, bands, HTTP), each stopped in reverse order.
import { readFile } from 'node:fs/promises'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { ACCESS_CHANNEL, buildApp, buildOpsApp, busHub, createHub, watchAccess, type Hub } from '../dashboard/index.ts'
import { resolveTiles } from '../dashboard/tiles.ts'
import { createTopologyCache, geofenceMetrics, type AlertChange, type TopologyCache } from '../geofence/index.ts'
import { createBus, within, type Bus, type Config, type Db, type Logger } from '../infra/index.ts'
import {
  connectExternalBroker,
  createCommandChannel,
  createRejectedRecord,
  statusUpdates,
  type CommandChannel,
  type Fix,
} from '../ingest/index.ts'
import { FIXES_CHANNEL, startBands } from './parts/bands.ts'
import { openDatabase } from './parts/database.ts'
import { startNotifications } from './parts/notifications.ts'
import { createStack, type Stack } from './parts/stack.ts'

/** Zones or bands changed: reload now rather than at the next poll. */
const TOPOLOGY_CHANNEL = 'tongxing_topology'

export interface Service {
  httpPort: number
  /** The embedded broker's port; undefined with an external broker. */
  mqttPort: number | undefined
  mqttTlsPort: number | undefined
  databaseUrl: string
  db: Db
  /** Reloads who wears which band and the zones now, rather than at the next poll (tests await it). */
  refreshTopology(): Promise<void>
  stop(): Promise<void>
}

/** What every role starts with. */
interface Base {
  config: Config
  log: Logger
  now: () => number
  stack: Stack
  db: Db
  registry: Registry
  topology: TopologyCache
  /** Reloads the topology here and tells the other processes. */
  topologyChanged: () => Promise<void>
  rejected: ReturnType<typeof createRejectedRecord>
  onAlert: (hub: Hub) => (change: AlertChange, ms: number) => void
  /** The hub whose alert changes also wake this process's notifier at once. */
  notifying: (hub: Hub) => Hub
  isReady: () => boolean
  readiness: () => Promise<Record<string, boolean>>
}

/** What a role leaves running. */
interface Started {
  app: {
    listen(o: { port: number; host: string }): Promise<unknown>
    close(): Promise<unknown>
    server: { address(): unknown }
  }
  mqttPort: number | undefined
  mqttTlsPort: number | undefined
}

export async function startService(config: Config, log: Logger, now: () => number = Date.now): Promise<Service> {
  const stack = createStack(log, config.shutdownGraceSeconds * 1000)
  try {
    const { db, databaseUrl } = await openDatabase(config, log, stack)
    const registry = new Registry()
    // The event-loop delay is sampled once a second, not every 10 ms (prom-client's default): each
    // sample is a wake-up, and 100 of them a second cost an idle service a whole point of a core.
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1000 })
    const alertMetrics = geofenceMetrics(registry, db)
    // Processes sharing the work meet on the database: LISTEN/NOTIFY and advisory locks.
    const bus =
      config.role === 'all'
        ? undefined
        : await createBus({
            connectionString: databaseUrl,
            db,
            log: log.child({ part: 'bus' }),
            name: `tongxing-${config.role}`,
          })
    if (bus) stack.defer(() => bus.close())
    // Who wears which band: the geofence judges with it, positions and commands are scoped by it.
    const topology = createTopologyCache({ db, log: log.child({ part: 'topology' }), refreshMs: config.zoneRefreshMs })
    await topology.start()
    stack.defer(() => topology.stop())
    bus?.subscribe(TOPOLOGY_CHANNEL, () => void topology.refresh())

    // Notifications: every process sends what is due from the outbox (claims never overlap);
    // an alert changed here wakes this process's notifier at once.
    const notifier = startNotifications(config, db, log.child({ part: 'notify' }), registry)
    stack.defer(() => notifier.stop())

    let ready = false
    const base: Base = {
      config,
      log,
      now,
      stack,
      db,
      registry,
      topology,
      rejected: createRejectedRecord(),
      topologyChanged: async () => {
        await topology.refresh()
        await bus?.publish(TOPOLOGY_CHANNEL, '')
      },
      onAlert: (hub) => (c, ms) => {
        if (c.change === 'opened') alertMetrics.raisedSeconds.observe(ms / 1000)
        hub.publishAlert(c)
      },
      notifying: (hub) => ({
        ...hub,
        publishAlert: (c) => {
          hub.publishAlert(c)
          notifier.kick()
        },
      }),
      isReady: () => ready,
      readiness: async () => ({
        database: await within(2000, db.query('SELECT 1')).then(
          () => true,
          () => false,
        ),
        ...(bus ? { bus: bus.connected() } : {}),
      }),
    }
    const started =
      bus === undefined
        ? await startAll(base)
        : config.role === 'worker'
          ? await startWorker(base, bus)
          : await startDashboard(base, bus)

    await started.app.listen({ port: config.port, host: config.host })
    stack.defer(() => started.app.close())
    const httpPort = (started.app.server.address() as { port: number }).port
    ready = true
    log.info(
      { role: config.role, httpPort, mqttPort: started.mqttPort, mqttTlsPort: started.mqttTlsPort },
      'Tongxing is ready',
    )
    return {
      httpPort,
      mqttPort: started.mqttPort,
      mqttTlsPort: started.mqttTlsPort,
      databaseUrl,
      db,
      refreshTopology: () => base.topology.refresh(),
      async stop() {
        ready = false
        await stack.stop()
        log.info('Tongxing stopped')
      },
    }
  } catch (err) {
    await stack.stop()
    throw err
  }
}

/** One process does everything: bands, geofence, sockets, the page and the API. */
async function startAll(b: Base): Promise<Started> {
  const hub = b.notifying(startSockets(b))
  const sender = laterSender()
  const commands = startCommands(b, hub, sender.send)
  const bands = await startBands({
    ...b,
    hub,
    bus: undefined,
    commands,
    onAlert: b.onAlert(hub),
    announcePositions: positionsFor(b.topology, hub),
  })
  sender.bind(bands.sendCommand)
  return { app: await startHttp(b, hub, commands), mqttPort: bands.mqttPort, mqttTlsPort: bands.mqttTlsPort }
}

/** A worker: its share of the bands and their geofence (and its search mode's commands); alerts go out on the bus. Health and metrics only. */
async function startWorker(b: Base, bus: Bus): Promise<Started> {
  const hub = b.notifying(busHub(bus, b.db, b.log.child({ part: 'hub' })))
  // Its geofence's search mode sends commands to the bands it judges, through its own broker connection.
  const sender = laterSender()
  const commands = startCommands(b, hub, sender.send)
  const bands = await startBands({
    ...b,
    hub,
    bus,
    commands,
    onAlert: b.onAlert(hub),
    announcePositions: () => {},
  })
  sender.bind(bands.sendCommand)
  const app = await buildOpsApp({
    log: b.log.child({ part: 'dashboard' }),
    isReady: b.isReady,
    registry: b.registry,
    readiness: b.readiness,
    http: await httpSettings(b.config),
  })
  return { app, mqttPort: bands.mqttPort, mqttTlsPort: bands.mqttTlsPort }
}

/** A dashboard server: the page, the API and sockets; bands' reports and alerts arrive on the bus. */
async function startDashboard(b: Base, bus: Bus): Promise<Started> {
  const { config, log, stack } = b
  const hub = b.notifying(startSockets(b, bus))
  const publisher = await connectExternalBroker({
    url: config.mqttUrl,
    username: config.mqttUsername,
    password: config.mqttPassword,
    clientId: `${config.mqttClientId}-commands-${process.pid}`,
    ingest: undefined,
    log: log.child({ part: 'commands' }),
  })
  stack.defer(() => publisher.close())
  const commands = startCommands(b, hub, publisher.sendCommand)
  // Reports stored by any worker: positions for this server's sockets, answers to its commands.
  const announce = positionsFor(b.topology, hub)
  bus.subscribe(FIXES_CHANNEL, (payload) => {
    const fixes = JSON.parse(payload) as Fix[]
    announce(fixes)
    commands.reports(fixes)
  })
  return { app: await startHttp(b, hub, commands), mqttPort: undefined, mqttTlsPort: undefined }
}

/** The sockets of this process, following their sessions; with a bus, also what other processes publish. */
function startSockets(b: Base, bus?: Bus): Hub {
  const local = createHub({ keepAliveMs: 30_000 })
  b.stack.defer(() => local.closeAll())
  // Open sockets follow their sessions; a process on the bus hears of a change at once.
  const watch = watchAccess({ db: b.db, hub: local, log: b.log.child({ part: 'access' }) })
  b.stack.defer(() => watch.stop())
  if (!bus) return local
  bus.subscribe(ACCESS_CHANNEL, () => void watch.check())
  return busHub(bus, b.db, b.log.child({ part: 'hub' }), local)
}

/** Commands to bands (locate, report interval), announced to whoever may see the wearer. */
function startCommands(b: Base, hub: Hub, send: (bandId: string, payload: string) => void): CommandChannel {
  return createCommandChannel({
    db: b.db,
    log: b.log.child({ part: 'commands' }),
    publish: send,
    onChange: (c) => {
      const owner = b.topology.wearerOf(c.bandId)
      if (owner && c.requestedAt >= owner.since) hub.publish('command', { command: c }, owner)
    },
  })
}

/**
 * Each band's newest position in a stored message, to the sockets that may see its wearer (no query
 * per message), if it was taken while they wore it (a late backlog from the previous wearer's time
 * is not theirs). Every dashboard server hears the stored reports itself: positions never go on the bus.
 */
function positionsFor(topology: TopologyCache, hub: Hub) {
  return (fixes: readonly Fix[]) => {
    if (hub.size() === 0) return // nobody watching: no message to build
    for (const u of statusUpdates(fixes)) {
      const p = u.position
      const owner = p && topology.wearerOf(u.bandId)
      if (!p || !owner || p.ts < owner.since || p.lat === undefined || p.lon === undefined) continue
      const position = {
        bandId: u.bandId,
        residentId: owner.residentId,
        fixTime: p.ts,
        lat: p.lat,
        lon: p.lon,
        acc: p.acc ?? null,
        batt: p.batt ?? null,
      }
      hub.publish('position', { position }, owner)
    }
  }
}

/**
 * The command channel is made before the broker that carries its commands (the broker reports
 * deliveries to the channel); the broker's sender is bound once it has started.
 */
function laterSender() {
  let send: ((bandId: string, payload: string) => void) | undefined
  return {
    send(bandId: string, payload: string) {
      if (!send) throw new Error('the broker has not started yet')
      send(bandId, payload)
    },
    bind(fn: (bandId: string, payload: string) => void) {
      send = fn
    },
  }
}

async function httpSettings(config: Config) {
  const map = resolveTiles(config)
  return {
    publicOrigins: config.publicOrigin === '' ? [] : config.publicOrigin.split(','),
    tileUrl: map.tileUrl,
    labelsUrl: map.labelsUrl,
    trustProxy: config.trustProxy,
    metricsToken: config.metricsToken,
    tls: config.httpTlsCert
      ? { cert: await readFile(config.httpTlsCert), key: await readFile(config.httpTlsKey) }
      : undefined,
  }
}

/** The page and the API. */
async function startHttp(b: Base, hub: Hub, commands: CommandChannel) {
  const { config } = b
  return buildApp({
    db: b.db,
    hub,
    registry: b.registry,
    rejected: b.rejected,
    commands,
    log: b.log.child({ part: 'dashboard' }),
    map: { ...resolveTiles(config), archive: config.tileArchive },
    isReady: b.isReady,
    readiness: b.readiness,
    sessionTtlMs: config.sessionTtlHours * 3_600_000,
    topologyChanged: b.topologyChanged,
    http: await httpSettings(config),
    vapidPublicKey: config.webpushPublicKey,
    searchLinks: { defaultMinutes: config.searchLinkMinutes, maxMinutes: config.searchLinkMaxMinutes },
  })
}
