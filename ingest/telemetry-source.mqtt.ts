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
  ingest: Ingest
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
    clean: false,
    protocolVersion: 4,
    username: opts.username || undefined,
    password: opts.password || undefined,
    reconnectPeriod: 1000,
  })
  // mqtt.js sends the PUBACK of a QoS 1 message only after handleMessage calls back, one message
  // at a time. Calling back with an error withholds the PUBACK, so the broker redelivers it.
  client.handleMessage = (packet, callback) => {
    const t = parseBandTopic(packet.topic)
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
  await client.subscribeAsync({ 'bands/+/telemetry': { qos: 1 }, 'bands/+/status': { qos: 1 }, 'owntracks/+/+': { qos: 1 } })
  log.info({ broker: new URL(opts.url).host }, 'subscribed to band telemetry and status on external broker')
  return {
    sendCommand: (bandId, payload) => client.publish(`bands/${bandId}/cmd`, payload, { qos: 1 }, (err) => {
      if (err) log.error({ err, bandId }, 'command not published')
    }),
    close: () => client.endAsync(),
  }
}
