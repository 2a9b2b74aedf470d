// External broker mode (MQTT_URL): the service subscribes to every band's telemetry and status on a broker
// it does not own. The broker authenticates bands and enforces the per-band ACL; the service uses
// a persistent session at QoS 1, so reports published while it was down arrive after it restarts,
// and it acknowledges each message only once its reports are durable.
import mqtt from 'mqtt'
import type { Logger } from '../infra/index.ts'
import type { Ingest } from './ingest.ts'
import { parseBandTopic } from './topics.ts'

export interface ExternalSourceOptions {
  url: string
  username?: string
  password?: string
  clientId?: string
  /**
   * Workers sharing the load: an MQTT 5 shared subscription in this group, so the broker hands
   * each message to one of them (a session that outlives a restart keeps its share queued).
   */
  shareGroup?: string
  /**
   * Connections in the share group (client ids `{clientId}-0`, `-1`, …). The broker hands each
   * connection one message at a time until its reports are durable; several keep several in flight.
   */
  connections?: number
  /** undefined: only publish commands (a dashboard server); consume nothing. */
  ingest: Ingest | undefined
  log: Logger
}

export interface TelemetrySource {
  /** Publishes a command to the band through the external broker (its delivery to the band is not seen). */
  sendCommand(bandId: string, payload: string): void
  close(): Promise<void>
}

export async function connectExternalBroker(opts: ExternalSourceOptions): Promise<TelemetrySource> {
  const base = opts.clientId ?? 'tongxing-ingest'
  const count = opts.shareGroup ? Math.max(1, opts.connections ?? 1) : 1
  const links = await Promise.all(Array.from({ length: count }, (_, k) => connectOne(opts, count > 1 ? `${base}-${k}` : base)))
  return {
    sendCommand: links[0]!.sendCommand,
    close: async () => { await Promise.all(links.map((l) => l.close())) },
  }
}

const TOPICS = ['bands/+/telemetry', 'bands/+/status', 'owntracks/+/+']

async function connectOne(opts: ExternalSourceOptions, clientId: string): Promise<TelemetrySource> {
  const { ingest, log } = opts
  let busy = 0
  let lastDone = 0
  const client = mqtt.connect(opts.url, {
    clientId,
    clean: opts.ingest === undefined,
    ...(opts.shareGroup ? { protocolVersion: 5 as const, properties: { sessionExpiryInterval: 0xffffffff } } : { protocolVersion: 4 as const }),
    username: opts.username || undefined,
    password: opts.password || undefined,
    reconnectPeriod: 1000,
  })
  // mqtt.js sends the PUBACK of a QoS 1 message only after handleMessage calls back, one message
  // at a time. Calling back with an error withholds the PUBACK, so the broker redelivers it.
  client.handleMessage = (packet, callback) => {
    const t = parseBandTopic(packet.topic)
    if (!ingest) return callback()
    if (!t || t.kind === 'cmd' || t.kind === 'owntracks_other') return callback()
    busy++
    const handled = t.kind === 'status' ? ingest.status(t.bandId, packet.payload as Buffer)
      : ingest.telemetry(t.bandId, packet.payload as Buffer, t.kind === 'owntracks' ? 'owntracks' : 'v1')
    handled.then(() => callback(), (err: unknown) => {
      log.error({ err, bandId: t.bandId }, `${t.kind} not stored; left unacknowledged for redelivery`)
      callback(err as Error)
    }).finally(() => {
      busy--
      lastDone = Date.now()
    })
  }
  client.on('error', (err) => log.error({ err: err.message }, 'external broker error'))
  client.on('offline', () => log.warn('external broker unreachable; retrying'))
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve())
    client.once('error', reject)
  })
  const share = opts.shareGroup ? `$share/${opts.shareGroup}/` : ''
  if (ingest) {
    await client.subscribeAsync(Object.fromEntries(TOPICS.map((t) => [share + t, { qos: 1 as const }])))
    log.info({ broker: new URL(opts.url).host, clientId, shareGroup: opts.shareGroup }, 'subscribed to band telemetry and status on external broker')
  }
  return {
    sendCommand: (bandId, payload) => client.publish(`bands/${bandId}/cmd`, payload, { qos: 1 }, (err) => {
      if (err) log.error({ err, bandId }, 'command not published')
    }),
    async close() {
      if (!opts.shareGroup || !ingest || !client.connected) return void (await client.endAsync())
      // A worker stopping on purpose leaves the group first: the broker (Mosquitto queues for a
      // member that is away) then gives its share to the others. What was already queued for it
      // arrives and is stored before it goes, and the session goes with it.
      await client.unsubscribeAsync(TOPICS.map((t) => share + t))
      const until = Date.now() + 10_000
      while (Date.now() < until && (busy > 0 || Date.now() - lastDone < 300)) await new Promise((r) => setTimeout(r, 50))
      await client.endAsync(false, { properties: { sessionExpiryInterval: 0 } })
    },
  }
}
