// The thin shell that turns simulated events into MQTT traffic: one connection per band, as real
// bands have, publishing each message when its simulated time comes (sped up by `speed`).
import mqtt, { type MqttClient } from 'mqtt'
import { fixCount, type BadKind } from './bad-traffic.ts'

export type RunEvent =
  | {
      t: number
      bandId: string
      type: 'publish'
      payload: string
      dup?: boolean
      topic?: string
      qos?: 0 | 1
      bad?: BadKind
    }
  | { t: number; bandId: string; type: 'disconnect' | 'connect' }
  | { t: number; bandId: string; type: 'truth'; lat: number; lon: number }

export interface Progress {
  simTime: number
  connected: number
  bands: number
  perSecond: number
  published: number
  acked: number
  failed: number
}

export interface RunStats {
  published: number
  /** Fixes in good payloads handed to a connected band (or queued by it for delivery). */
  goodFixes: number
  /** Bad messages handed to a connected band, by kind. */
  bad: Partial<Record<BadKind, number>>
  /** QoS 0 messages that found their band disconnected (MQTT drops them). */
  droppedOffline: number
  acked: number
  failed: number
  connectFailures: number
  /** PUBACK latency samples, ms. */
  ackMs: number[]
  wallMs: number
}

export interface RunnerOptions {
  brokerUrl: string
  /** Band id → secret. */
  bands: ReadonlyMap<string, string>
  simStart: number
  speed: number
  onTruth?: (e: Extract<RunEvent, { type: 'truth' }>) => void
  /** A report got its PUBACK (the band may forget it): what a kill-and-count compares with the database. */
  onAck?: (e: Extract<RunEvent, { type: 'publish' }>) => void
  onProgress?: (p: Progress) => void
  progressEveryMs?: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function connectBands(brokerUrl: string, bands: ReadonlyMap<string, string>, parallel = 50) {
  const clients = new Map<string, MqttClient>()
  let failures = 0
  const ids = [...bands.keys()]
  for (let i = 0; i < ids.length; i += parallel) {
    await Promise.all(
      ids.slice(i, i + parallel).map(async (bandId) => {
        const client = mqtt.connect(brokerUrl, {
          clientId: bandId,
          username: bandId,
          password: bands.get(bandId),
          clean: true,
          reconnectPeriod: 1000,
          connectTimeout: 10_000,
          will: { topic: `bands/${bandId}/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
        })
        client.on('connect', () => client.publish(`bands/${bandId}/status`, 'online', { qos: 1, retain: true }))
        client.on('error', () => undefined) // reconnects on its own; failures are counted below
        clients.set(bandId, client)
        const ok = await new Promise<boolean>((resolve) => {
          client.once('connect', () => resolve(true))
          setTimeout(() => resolve(client.connected), 10_000)
        })
        if (!ok) failures++
      }),
    )
  }
  return { clients, failures }
}

export async function runEvents(events: Iterable<RunEvent>, o: RunnerOptions): Promise<RunStats> {
  const started = Date.now()
  const { clients, failures } = await connectBands(o.brokerUrl, o.bands)
  const stats: RunStats = {
    published: 0,
    goodFixes: 0,
    bad: {},
    droppedOffline: 0,
    acked: 0,
    failed: 0,
    connectFailures: failures,
    ackMs: [],
    wallMs: 0,
  }
  const wallStart = Date.now()
  let inFlight = 0
  let simTime = o.simStart
  let lastCount = 0
  const timer = setInterval(() => {
    const connected = [...clients.values()].filter((c) => c.connected).length
    o.onProgress?.({
      simTime,
      connected,
      bands: clients.size,
      perSecond: (stats.published - lastCount) / ((o.progressEveryMs ?? 2000) / 1000),
      published: stats.published,
      acked: stats.acked,
      failed: stats.failed,
    })
    lastCount = stats.published
  }, o.progressEveryMs ?? 2000)

  for (const e of events) {
    simTime = e.t
    const due = wallStart + (e.t - o.simStart) / o.speed
    const wait = due - Date.now()
    if (wait > 5) await sleep(wait)
    if (e.type === 'truth') {
      o.onTruth?.(e)
      continue
    }
    const client = clients.get(e.bandId)
    if (!client) continue
    if (e.type === 'disconnect')
      client.stream.destroy() // a dropped radio link, not a clean DISCONNECT
    else if (e.type === 'connect') {
      if (!client.connected) client.reconnect()
    } else if (e.type === 'publish') {
      const qos = e.qos ?? 1
      if (qos === 0 && !client.connected) {
        stats.droppedOffline++
        continue
      }
      if (e.bad) stats.bad[e.bad] = (stats.bad[e.bad] ?? 0) + 1
      else stats.goodFixes += fixCount(e.payload)
      stats.published++
      inFlight++
      const sent = performance.now()
      client.publish(e.topic ?? `bands/${e.bandId}/telemetry`, e.payload, { qos, dup: e.dup ?? false }, (err) => {
        inFlight--
        if (err) stats.failed++
        else {
          stats.acked++
          o.onAck?.(e)
          if (stats.ackMs.length < 100_000) stats.ackMs.push(performance.now() - sent)
        }
      })
    }
  }
  // Let the last acknowledgements arrive.
  for (let i = 0; i < 300 && inFlight > 0; i++) await sleep(100)
  clearInterval(timer)
  await Promise.all([...clients.values()].map((c) => c.endAsync(true).catch(() => undefined)))
  stats.wallMs = Date.now() - started
  return stats
}
