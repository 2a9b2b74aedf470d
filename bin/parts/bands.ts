// Bands in: the broker (embedded, or a client of an external one), validation, the geofence, the
// position writer and band status. One process (ROLE=all) judges its reports before they are
// written, so alerts do not wait for a batch; a worker's geofence judges its shards from the feed
// of stored reports (shard-owner.ts).
import { readFile } from 'node:fs/promises'
import type { Registry } from 'prom-client'
import type { Hub } from '../../dashboard/index.ts'
import { createGeofence, startShardOwner, type TopologyCache } from '../../geofence/index.ts'
import type { AlertChange } from '../../geofence/index.ts'
import { cached, type Bus, type Config, type Db, type Logger } from '../../infra/index.ts'
import {
  bandProvisionedAt,
  connectExternalBroker,
  createFloodGuard,
  createIngest,
  createPositionWriter,
  createStatusWriter,
  findBandSecret,
  ingestMetrics,
  pgPositionStore,
  setBandOnline,
  startEmbeddedBroker,
  statusUpdates,
  verifySecret,
  type CommandChannel,
  type RejectedRecord,
  type Fix,
} from '../../ingest/index.ts'
import type { Stack } from './stack.ts'

/** Stored reports, announced by the worker that stored them (in the same statement). */
export const FIXES_CHANNEL = 'tongxing_fixes'
/** Geofence shards shared by workers (fixed: every worker must agree on it). */
const SHARDS = 64

export interface BandsDeps {
  config: Config
  log: Logger
  db: Db
  now: () => number
  stack: Stack
  registry: Registry
  topology: TopologyCache
  hub: Hub
  rejected: RejectedRecord
  /** Set for a worker sharing the bands with others. */
  bus: Bus | undefined
  /** Commands to bands (on a worker, only its search mode's; people's come through the dashboard servers). */
  commands: CommandChannel | undefined
  /** Stored reports' positions, for this process's sockets (ROLE=all). */
  announcePositions: (fixes: readonly Fix[]) => void
  onAlert: (change: AlertChange, ms: number) => void
}

export interface Bands {
  mqttPort: number | undefined
  mqttTlsPort: number | undefined
  sendCommand: (bandId: string, payload: string) => void
}

export async function startBands(d: BandsDeps): Promise<Bands> {
  const { config, log, db, now, stack, topology, hub, bus, commands } = d
  const geofence = createGeofence({
    db,
    log: log.child({ part: 'geofence' }),
    refreshMs: config.zoneRefreshMs,
    tickMs: config.geofenceTickMs,
    now,
    escalationMs: config.escalationSeconds * 1000,
    judgesAll: !bus,
    signal: stack.signal,
    topology,
    onAlert: d.onAlert,
    // Search mode (locate, timed fast reports): recorded and sent like a person's command, by nobody (null).
    onCommand: (bandId, command) =>
      void commands
        ?.send(bandId, command, null)
        .catch((err: unknown) => log.error({ err, bandId }, 'search mode command not sent')),
  })
  await geofence.start()
  stack.defer(() => geofence.stop())
  // Stopped after the position writer has flushed (the stack runs in reverse), so nothing stored is left out.
  const status = createStatusWriter({ db, log: log.child({ part: 'status' }), now })
  stack.defer(() => status.stop())
  if (bus) {
    const owner = startShardOwner({
      bus,
      db,
      geofence,
      log: log.child({ part: 'shards' }),
      shards: SHARDS,
      everyMs: 1000,
      feed: FIXES_CHANNEL,
      bandIds: () => geofence.bands(),
    })
    stack.defer(() => owner.stop())
  }

  const writerLog = log.child({ part: 'writer' })
  const writer = createPositionWriter({
    store: pgPositionStore(db, bus ? FIXES_CHANNEL : undefined),
    log: writerLog,
    maxRows: config.batchMaxRows,
    maxQueuedRows: config.writeQueueMaxRows,
    lingerMs: config.writeLingerMs,
    signal: stack.signal,
    // A server's pool takes batches side by side (one connection left for the rest); the embedded database has one session.
    concurrency: config.databaseUrl ? Math.max(1, config.dbPoolSize - 1) : 1,
    onBatch: (rows, inserted, ms) => {
      metrics.batchRows.observe(rows)
      metrics.writeSeconds.observe(ms / 1000)
      metrics.duplicates.inc(rows - inserted)
    },
    onDatabase: (up) => {
      metrics.databaseUp.set(up ? 1 : 0)
      if (up) writerLog.info('database reachable again; writing the reports held meanwhile')
      else
        writerLog.error(
          { queuedRows: writer.queued() },
          'database unreachable; holding reports (bands are not acknowledged) and retrying',
        )
    },
  })
  const metrics = ingestMetrics(d.registry, { queuedRows: () => writer.queued() })
  metrics.databaseUp.set(1)
  stack.defer(() => writer.flush())
  const ingestLog = log.child({ part: 'ingest' })
  // A band provisioned since the topology was last loaded is looked up (then cached).
  const provisionedLookup = cached((bandId) => bandProvisionedAt(db, bandId), 5 * 60_000)
  const ingest = createIngest({
    // The stages after validation, in order (ingest/pipeline.ts).
    stages: {
      // One process judges its reports before the write; a worker's geofence judges the feed of stored ones.
      judge: (f) => {
        if (!bus) geofence.onFixes(f)
      },
      write: (f) => writer.write(f),
      status: (f) => status.add(statusUpdates(f)),
      fanOut: (f) => {
        // A worker's stored reports reach the dashboard servers through the feed instead.
        if (!bus) d.announcePositions(f)
        commands?.reports(f)
      },
    },
    metrics,
    record: d.rejected,
    log: ingestLog,
    now,
    maxFutureMs: config.maxFutureSeconds * 1000,
    provisionedAt: (bandId) => {
      const at = topology.provisionedAt(bandId)
      return at === undefined ? provisionedLookup(bandId) : Promise.resolve(at)
    },
    setOnline: async (bandId, online) => {
      await setBandOnline(db, bandId, online)
      const owner = topology.wearerOf(bandId)
      if (owner) hub.publish('status', { status: { bandId, online, at: now() } }, owner)
    },
  })

  if (config.mqttUrl) {
    const source = await connectExternalBroker({
      url: config.mqttUrl,
      username: config.mqttUsername,
      password: config.mqttPassword,
      ingest,
      log: ingestLog,
      clientId: config.mqttClientId,
      shareGroup: bus ? 'tongxing' : undefined,
      connections: config.mqttSharedConnections,
    })
    stack.defer(() => source.close())
    return { mqttPort: undefined, mqttTlsPort: undefined, sendCommand: source.sendCommand }
  }
  const broker = await startEmbeddedBroker({
    host: config.host,
    port: config.mqttPlain === 'on' ? config.mqttPort : undefined,
    ingest,
    metrics,
    log: ingestLog,
    tls: config.mqttTlsCert
      ? { port: config.mqttTlsPort, cert: await readFile(config.mqttTlsCert), key: await readFile(config.mqttTlsKey) }
      : undefined,
    backpressure: writer,
    guard: createFloodGuard(),
    now,
    onCommandDelivered: (id) => commands?.delivered(id),
    verifyBand: async (bandId, secret) => {
      const stored = await findBandSecret(db, bandId)
      return stored !== undefined && verifySecret(secret, stored)
    },
  })
  stack.defer(() => broker.close())
  return { mqttPort: broker.port, mqttTlsPort: broker.tlsPort, sendCommand: broker.sendCommand }
}
