// A fleet's reports published to an external broker, for external-broker-mode tests: `bands` band
// ids each reporting every `everyS` seconds, spread over a few connections (the service sees one
// subscription whatever the number of band connections; the broker does the fan-in).
import mqtt, { type MqttClient } from 'mqtt'

export interface FleetOptions {
  bands: number
  everyS: number
  /** Reports per band: seconds of traffic = reports × everyS. */
  reports: number
  /** Paced in real time (a live fleet), or as fast as the broker takes them (a backlog). */
  paced: boolean
  /** Fix time of the first report, epoch ms (a backlog's fixes are in the past). */
  t0: number
  connections?: number
}

export const fleetBandId = (i: number) => `fleet-${String(i).padStart(4, '0')}`

/** Publishes every report at QoS 1; resolves with when the last PUBACK came (epoch ms) and how many. */
export async function publishFleet(url: string, o: FleetOptions): Promise<{ acked: number; lastAckAt: number }> {
  const connections = o.connections ?? 10
  const clients: MqttClient[] = await Promise.all(
    Array.from({ length: connections }, (_, k) =>
      mqtt.connectAsync(url, { clientId: `fleet-publisher-${k}`, reconnectPeriod: 0 }),
    ),
  )
  const periodMs = o.everyS * 1000
  const start = Date.now()
  let acked = 0
  let lastAckAt = 0
  const lane = async (k: number) => {
    const pending: Promise<unknown>[] = []
    for (let r = 0; r < o.reports; r++) {
      for (let i = k; i < o.bands; i += connections) {
        const offsetMs = r * periodMs + (i / o.bands) * periodMs
        if (o.paced) {
          const wait = start + offsetMs - Date.now()
          if (wait > 0) await new Promise((res) => setTimeout(res, wait))
        }
        const ts = (o.t0 + offsetMs) / 1000
        const fix = { v: 1, seq: r, ts, lat: 36.8 + i / 1e5, lon: 118.05, acc: 8, src: 'gps', batt: 80 }
        const topic = `bands/${fleetBandId(i)}/telemetry`
        pending.push(
          clients[k]!.publishAsync(topic, JSON.stringify(fix), { qos: 1 }).then(() => {
            acked++
            lastAckAt = Date.now()
          }),
        )
        if (pending.length >= 200) await Promise.all(pending.splice(0))
      }
    }
    await Promise.all(pending)
  }
  await Promise.all(Array.from({ length: connections }, (_, k) => lane(k)))
  await Promise.all(clients.map((c) => c.endAsync()))
  return { acked, lastAckAt }
}
