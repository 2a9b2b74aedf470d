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
  const { ingest, log } = opts
  const client = mqtt.connect(opts.url, {
    clientId: opts.clientId ?? 'tongxing-ingest',
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
    const handled = t.kind === 'status' ? ingest.status(t.bandId, packet.payload as Buffer)
      : ingest.telemetry(t.bandId, packet.payload as Buffer, t.kind === 'owntracks' ? 'owntracks' : 'v1')
    handled.then(() => callback(), (err: unknown) => {
      log.error({ err, bandId: t.bandId }, `${t.kind} not stored; left unacknowledged for redelivery`)
      callback(err as Error)
    })
  }
  client.on('error', (err) => log.error({ err: err.message }, 'external broker error'))
  client.on('offline', () => log.warn('external broker unreachable; retrying'))
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve())
    client.once('error', reject)
  })
  if (ingest) {
    const share = opts.shareGroup ? `$share/${opts.shareGroup}/` : ''
    await client.subscribeAsync(Object.fromEntries(['bands/+/telemetry', 'bands/+/status', 'owntracks/+/+'].map((t) => [share + t, { qos: 1 as const }])))
    log.info({ broker: new URL(opts.url).host, shareGroup: opts.shareGroup }, 'subscribed to band telemetry and status on external broker')
  }
  return {
    sendCommand: (bandId, payload) => client.publish(`bands/${bandId}/cmd`, payload, { qos: 1 }, (err) => {
      if (err) log.error({ err, bandId }, 'command not published')
    }),
    close: () => client.endAsync(),
  }
}
