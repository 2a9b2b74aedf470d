// External broker mode (MQTT_URL): the service subscribes to every band's telemetry and status on a broker
// it does not own. The broker authenticates bands and enforces the per-band ACL; the service uses
// a persistent session at QoS 1, so reports published while it was down arrive after it restarts,
// and it acknowledges each message only once its reports are durable.
import type { MqttClient } from 'mqtt'
import type { Logger } from '../infra/index.ts'
import type { Ingest } from './ingest.ts'
import { createAckOrder } from './ack-order.ts'
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
   * Connections in the share group (client ids `{clientId}-0`, `-1`, …), each with up to
   * RECEIVE_MAXIMUM messages in flight.
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
  const links = await Promise.all(
    Array.from({ length: count }, (_, k) => connectOne(opts, count > 1 ? `${base}-${k}` : base)),
  )
  return {
    sendCommand: links[0]!.sendCommand,
    close: async () => {
      await Promise.all(links.map((l) => l.close()))
    },
  }
}

const TOPICS = ['bands/+/telemetry', 'bands/+/status', 'owntracks/+/+']
/**
 * QoS 1 messages the broker may have in flight to one connection (MQTT 5 Receive Maximum, §3.1.2.11.3):
 * enough to fill large batches, bounded so that memory is (at most this many payloads).
 */
export const RECEIVE_MAXIMUM = 1000
/** Handed to mqtt.js instead of calling back plainly: go on reading, but do not send the PUBACK (we do, in order). */
const ACK_LATER = new Error('acknowledged once durable')

async function connectOne(opts: ExternalSourceOptions, clientId: string): Promise<TelemetrySource> {
  const { ingest, log } = opts
  let busy = 0
  let lastDone = 0
  const { default: mqtt } = await import('mqtt') // only external broker mode needs the client (~10 MB)
  const client = mqtt.connect(opts.url, {
    clientId,
    clean: ingest === undefined,
    protocolVersion: 5,
    // A consumer's session outlives the connection (MQTT 5 §3.1.2.11.2): reports queue while it is down.
    properties: ingest ? { sessionExpiryInterval: 0xffffffff, receiveMaximum: RECEIVE_MAXIMUM } : {},
    username: opts.username || undefined,
    password: opts.password || undefined,
    reconnectPeriod: 1000,
  })
  // mqtt.js hands over one message at a time and reads the next only after handleMessage calls
  // back, sending the PUBACK then: waiting there for the write had held the service to one message
  // per linger and write (about 42 a second). Instead each message starts on its way at once, and
  // its PUBACK goes when it and every message before it on this connection are durable
  // (ack-order.ts). A connection that drops takes its unsent PUBACKs with it: the broker sends
  // those messages again on the next (the store keeps one copy of each report).
  let acks = createAckOrder(() => undefined)
  client.on('connect', () => {
    const stream = client.stream
    acks = createAckOrder((messageId) => {
      if (client.stream === stream && client.connected) sendPuback(client, messageId)
    })
  })
  // Status changes of one band must be stored in the order they came (online, then its will).
  let statusChain: Promise<unknown> = Promise.resolve()
  const handle = (topic: string, payload: Buffer): Promise<unknown> | undefined => {
    const t = parseBandTopic(topic)
    if (!ingest || !t || t.kind === 'cmd' || t.kind === 'owntracks_cmd' || t.kind === 'owntracks_other') return
    if (t.kind === 'status') {
      statusChain = statusChain.catch(() => undefined).then(() => ingest.status(t.bandId, payload))
      return statusChain
    }
    return ingest.telemetry(t.bandId, payload, t.kind === 'owntracks' ? 'owntracks' : 'v1')
  }
  client.handleMessage = (packet, callback) => {
    const ticket = packet.qos === 1 && packet.messageId !== undefined ? acks.received(packet.messageId) : undefined
    const stream = client.stream
    busy++
    const handled = handle(packet.topic, packet.payload as Buffer) ?? Promise.resolve()
    handled
      .then(
        () => ticket?.done(),
        (err: unknown) => {
          // Not acknowledged, nor anything after it on this connection: reconnect, and the broker sends them again.
          const bandId = parseBandTopic(packet.topic)?.bandId
          log.error({ err, bandId }, 'message not stored; reconnecting for redelivery')
          if (client.stream === stream) stream.destroy()
        },
      )
      .finally(() => {
        busy--
        lastDone = Date.now()
      })
    callback(ticket ? ACK_LATER : undefined)
  }
  client.on('error', (err) => log.error({ err }, 'external broker error'))
  client.on('offline', () => log.warn('external broker unreachable; retrying'))
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve())
    client.once('error', reject)
  })
  const share = opts.shareGroup ? `$share/${opts.shareGroup}/` : ''
  if (ingest) {
    // Not awaited: a session that survived a restart still has its subscription, and the broker
    // may send its backlog before the SUBACK; the service is ready meanwhile, storing that backlog.
    const where = { broker: new URL(opts.url).host, clientId, shareGroup: opts.shareGroup }
    client.subscribe(Object.fromEntries(TOPICS.map((t) => [share + t, { qos: 1 as const }])), (err, granted) => {
      const refused = granted?.filter((g) => g.qos !== 1).map((g) => g.topic) ?? []
      if (err || refused.length > 0) {
        log.error({ ...where, err, refused }, 'subscription to band telemetry refused by the external broker')
      } else log.info(where, 'subscribed to band telemetry and status on external broker')
    })
  }
  return {
    sendCommand: (bandId, payload) =>
      client.publish(`bands/${bandId}/cmd`, payload, { qos: 1 }, (err) => {
        if (err) log.error({ err, bandId }, 'command not published')
      }),
    async close() {
      if (!opts.shareGroup || !ingest || !client.connected) return void (await endWhenDone(client, () => busy, 5_000))
      // A worker stopping on purpose leaves the group first: the broker (Mosquitto queues for a
      // member that is away) then gives its share to the others. What was already queued for it
      // arrives and is stored before it goes, and the session goes with it.
      await client.unsubscribeAsync(TOPICS.map((t) => share + t))
      const until = Date.now() + 10_000
      while (Date.now() < until && (busy > 0 || Date.now() - lastDone < 300))
        await new Promise((r) => setTimeout(r, 50))
      await client.endAsync(false, { properties: { sessionExpiryInterval: 0 } })
    },
  }
}

/** Lets messages under way finish (their PUBACKs go out) before the connection ends. */
async function endWhenDone(client: MqttClient, busy: () => number, maxMs: number) {
  const until = Date.now() + maxMs
  while (busy() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
  await client.endAsync()
}

/**
 * mqtt.js has no public call for a PUBACK of its own; its handlers send one with `_sendPacket`,
 * which this does too (test/external-broker-load.test.ts and external-broker.test.ts see the
 * effect: reports acknowledged, stored, not redelivered).
 */
function sendPuback(client: MqttClient, messageId: number) {
  // biome-ignore lint/complexity/useLiteralKeys: private in mqtt.js's types; bracket access is how TypeScript allows it
  client['_sendPacket']({ cmd: 'puback', messageId }, undefined)
}
