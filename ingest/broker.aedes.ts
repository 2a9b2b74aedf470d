// The embedded MQTT broker: aedes with device authentication and the band protocol's ACL.
// Hooks never throw; every refusal is counted and logged with the band id.
//
// Why telemetry is handled in authorizePublish: aedes writes a QoS 1 PUBACK *before* the
// `published` hook runs, so the only place to make "acknowledged" mean "durable" is to hold
// the authorizePublish callback until the reports are written.
import { createServer, type Server } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { Aedes, type AuthenticateError, type Client } from 'aedes'
import type { Logger } from '../infra/index.ts'
import { createBackpressure } from './backpressure.aedes.ts'
import { commandId } from './commands.ts'
import { PACKET_LIMITS, guardedHandler } from './connection-guard.aedes.ts'
import type { FloodGuard } from './flood-guard.ts'
import type { Ingest } from './ingest.ts'
import type { IngestMetrics } from './metrics.ts'
import { acknowledgeNow } from './puback.aedes.ts'
import { BAND_ID, parseBandTopic } from './topics.ts'

/** A socket that has not completed its CONNECT by then is closed (aedes' default is 30 s). */
const CONNECT_TIMEOUT_MS = 10_000

// MQTT 3.1.1 CONNACK return codes (section 3.2.2.3).
const BAD_USERNAME_OR_PASSWORD = 4
const NOT_AUTHORIZED = 5

export interface BrokerOptions {
  host: string
  /** Plain MQTT port; undefined: no plain listener (TLS only). */
  port?: number
  /** MQTT over TLS: port and PEM certificate chain and key. */
  tls?: { port: number; cert: Buffer; key: Buffer }
  ingest: Ingest
  /** Checks a band's secret; false for unknown bands. */
  verifyBand: (bandId: string, secret: Buffer) => Promise<boolean>
  metrics: IngestMetrics
  log: Logger
  /** A band acknowledged the command message with this id. */
  onCommandDelivered?: (id: number) => void
  /** Cuts off a band that floods bad messages. */
  guard: FloodGuard
  now: () => number
  /** The writer's bound: while it is full, bands' connections are paused (TCP backpressure). */
  backpressure?: { full(): boolean; onRoom(fn: () => void): void }
}

export interface EmbeddedBroker {
  port: number | undefined
  tlsPort: number | undefined
  /** Publishes a command to the band (QoS 1; kept for it if it is away with a persistent session). */
  sendCommand(bandId: string, payload: string): void
  aedes: Aedes
  /** Stops accepting connections and closes the broker. */
  close(): Promise<void>
}

export async function startEmbeddedBroker(opts: BrokerOptions): Promise<EmbeddedBroker> {
  const { ingest, verifyBand, metrics, log, guard, now } = opts
  const pressure = createBackpressure(opts.backpressure, metrics, log)
  const refuse = (
    client: Client,
    reason: string,
    code: number,
    done: (e: AuthenticateError | null, ok: boolean | null) => void,
  ) => {
    metrics.connectRefused.inc({ reason })
    log.warn({ bandId: BAND_ID.test(client.id) ? client.id : '(invalid id)', reason }, 'band connection refused')
    done(Object.assign(new Error(reason), { returnCode: code }) as AuthenticateError, null)
  }

  const aedes = await Aedes.createBroker({
    maxClientsIdLength: 64,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Band protocol v1: client id = username = band id, password = the band's secret.
    authenticate(client, username, password, done) {
      if (!BAND_ID.test(client.id)) return refuse(client, 'invalid_band_id', NOT_AUTHORIZED, done)
      if (username !== client.id) return refuse(client, 'username_not_band_id', BAD_USERNAME_OR_PASSWORD, done)
      if (!password || password.length === 0) return refuse(client, 'no_secret', BAD_USERNAME_OR_PASSWORD, done)
      if (guard.banned(client.id, now())) return refuse(client, 'throttled', NOT_AUTHORIZED, done)
      verifyBand(client.id, password).then(
        (ok) => (ok ? done(null, true) : refuse(client, 'bad_credentials', BAD_USERNAME_OR_PASSWORD, done)),
        (err: unknown) => {
          log.error({ err, bandId: client.id }, 'band lookup failed')
          refuse(client, 'server_unavailable', 3, done)
        },
      )
    },
    // A band may publish only to its own telemetry and status topics (and, as OwnTracks, owntracks/{id}/+).
    authorizePublish(client, packet, done) {
      if (!client) return done(null) // a will of a session that is already gone
      const t = parseBandTopic(packet.topic)
      if (!t || t.bandId !== client.id || t.kind === 'cmd' || t.kind === 'owntracks_cmd') {
        metrics.rejected.inc({ reason: 'unauthorised_topic' })
        log.warn({ bandId: client.id, reason: 'unauthorised_topic' }, 'publish refused; disconnecting band')
        return done(new Error('unauthorised topic'))
      }
      if (t.kind === 'status') return done(null)
      // Nobody may subscribe to these, so the broker need not keep them as retained messages.
      if (t.kind === 'owntracks' || t.kind === 'owntracks_other') packet.retain = false
      if (t.kind === 'owntracks_other') return done(null)
      pressure.started(client)
      ingest.telemetry(client.id, packet.payload as Buffer, t.kind === 'owntracks' ? 'owntracks' : 'v1').then(
        ({ rejected }) => {
          pressure.finished(client)
          acknowledgeNow(client, packet) // durable now: the PUBACK in one write (puback.aedes.ts)
          done(null)
          if (!guard.rejected(client.id, rejected, now())) return
          metrics.throttled.inc()
          log.warn({ bandId: client.id }, 'band flooding bad messages; disconnected and refused for a while')
          client.close()
        },
        (err: unknown) => {
          // Not acknowledged: the band keeps the message and sends it again after reconnecting.
          pressure.finished(client)
          log.error({ err, bandId: client.id }, 'telemetry not stored')
          done(err as Error)
        },
      )
      pressure.check(client)
    },
    // A band may subscribe only to its own command topic (as OwnTracks, each of its devices' own);
    // anything else gets a SUBACK failure.
    authorizeSubscribe(client, sub, done) {
      const t = parseBandTopic(sub.topic)
      if (t && (t.kind === 'cmd' || t.kind === 'owntracks_cmd') && t.bandId === client.id) return done(null, sub)
      metrics.rejected.inc({ reason: 'unauthorised_subscribe' })
      log.warn({ bandId: client.id, reason: 'unauthorised_subscribe' }, 'subscription refused')
      done(null, null)
    },
  })
  // Status messages, the band's own and its last will (which aedes publishes for it), both pass here.
  aedes.on('publish', (packet) => {
    const t = parseBandTopic(packet.topic)
    if (t?.kind !== 'status') return
    ingest
      .status(t.bandId, packet.payload as Buffer)
      .catch((err: unknown) => log.error({ err, bandId: t.bandId }, 'band status not stored'))
  })
  aedes.on('ack', (packet, client) => {
    if (!packet || !client || !('topic' in packet) || packet.topic !== `bands/${client.id}/cmd`) return
    const id = commandId(packet.payload as Buffer)
    if (id !== undefined) opts.onCommandDelivered?.(id)
  })
  aedes.on('client', () => metrics.bandsConnected.inc())
  aedes.on('clientDisconnect', (client) => {
    metrics.bandsConnected.dec()
    pressure.forget(client)
  })
  aedes.on('clientError', (client, err) => log.debug({ bandId: client.id, err: err.message }, 'band connection error'))

  // Oversized packets close the connection before aedes buffers them; counted as a refused
  // connection before the CONNECT is accepted, as a rejected message after.
  const handle = guardedHandler(aedes, PACKET_LIMITS, ({ reason, bytes, bandId, connected }) => {
    if (connected) metrics.rejected.inc({ reason: 'packet_too_large' })
    else metrics.connectRefused.inc({ reason: reason === 'malformed_length' ? reason : 'packet_too_large' })
    log.warn({ bandId: bandId ?? '(not connected)', reason, bytes }, 'packet over the limit; connection closed')
  })
  const servers: Server[] = []
  let port: number | undefined
  let tlsPort: number | undefined
  try {
    if (opts.port !== undefined) {
      servers.push(createServer(handle))
      port = await listen(servers.at(-1)!, opts.host, opts.port, 'MQTT_PORT')
    }
    if (opts.tls) {
      const { cert, key } = opts.tls
      servers.push(createTlsServer({ cert, key, minVersion: 'TLSv1.2' }, handle))
      tlsPort = await listen(servers.at(-1)!, opts.host, opts.tls.port, 'MQTT_TLS_PORT')
    }
  } catch (err) {
    for (const s of servers) s.close()
    await new Promise<void>((resolve) => aedes.close(() => resolve()))
    throw err
  }
  log.info({ port, tlsPort }, 'embedded MQTT broker listening')
  return {
    port,
    tlsPort,
    aedes,
    sendCommand(bandId, payload) {
      aedes.publish(
        {
          cmd: 'publish',
          topic: `bands/${bandId}/cmd`,
          payload: Buffer.from(payload),
          qos: 1,
          retain: false,
          dup: false,
        },
        (err) => {
          if (err) log.error({ err, bandId }, 'command not published')
        },
      )
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of servers) s.close()
        aedes.close(() => resolve())
      }),
  }
}

function listen(server: Server, host: string, port: number, key: 'MQTT_PORT' | 'MQTT_TLS_PORT'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') return reject(err)
      const scheme = key === 'MQTT_PORT' ? 'mqtt' : 'mqtts'
      reject(
        new Error(
          `MQTT port ${port} is already in use (another broker, such as Mosquitto, may be listening there). ` +
            `Choose another port with ${key}=${port + 1}, or use the broker that is ` +
            `already there with MQTT_URL=${scheme}://127.0.0.1:${port}.`,
        ),
      )
    })
    server.listen(port, host, () => {
      const addr = server.address()
      resolve(typeof addr === 'object' && addr ? addr.port : port)
    })
  })
}
