// The MQTT shell for bands that obey commands (live-band.ts): one connection per band subscribed
// to its command topic `bands/{id}/cmd`; each band publishes when its simulated time comes (sped
// up by `speed`) and a command wakes it at once, so a `locate` or a fast mode takes effect when
// it arrives, as on a real band.
import type { BandCommand } from './band-schedule.ts'
import { parseCommand } from './band-schedule.ts'
import type { BandPlan } from './band.ts'
import { liveBand, type LiveBand } from './live-band.ts'
import { DEFAULT_NOISE } from './noise.ts'
import { createRng } from './random.ts'
import { connectBands } from './runner.mqtt.ts'

export interface LiveRunOptions {
  brokerUrl: string
  /** Band id → secret. */
  secrets: ReadonlyMap<string, string>
  simStart: number
  simEnd: number
  speed: number
  onSend?: (bandId: string, t: number, payload: string) => void
  onCommand?: (bandId: string, t: number, c: BandCommand) => void
}

export interface LiveRunStats {
  published: number
  commands: number
  connectFailures: number
}

export async function runLiveBands(bands: readonly LiveBand[], o: LiveRunOptions): Promise<LiveRunStats> {
  const { clients, failures } = await connectBands(o.brokerUrl, o.secrets)
  const stats: LiveRunStats = { published: 0, commands: 0, connectFailures: failures }
  const wallStart = Date.now()
  const simNow = () => o.simStart + (Date.now() - wallStart) * o.speed
  const wallAt = (t: number) => wallStart + (t - o.simStart) / o.speed
  await Promise.all(
    bands.map(async (band) => {
      const client = clients.get(band.bandId)
      if (!client) return
      const topic = `bands/${band.bandId}/cmd`
      const noop = (): void => undefined
      let wake = noop
      client.on('message', (to, payload) => {
        const c = to === topic ? parseCommand(payload.toString()) : undefined
        if (!c) return
        const t = simNow()
        band.obey(c, t)
        stats.commands++
        o.onCommand?.(band.bandId, t, c)
        wake()
      })
      await client.subscribeAsync(topic, { qos: 1 })
      for (;;) {
        const t = band.due()
        if (t >= o.simEnd) break
        const wait = wallAt(t) - Date.now()
        if (wait > 0) {
          const woken = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), wait)
            wake = () => {
              clearTimeout(timer)
              resolve(true)
            }
          })
          wake = noop
          if (woken) continue // a command came: the band's next report may be sooner
        }
        const payload = band.report(t)
        o.onSend?.(band.bandId, t, payload)
        await client.publishAsync(`bands/${band.bandId}/telemetry`, payload, { qos: 1 })
        stats.published++
      }
    }),
  )
  await Promise.all([...clients.values()].map((c) => c.endAsync(true).catch(() => undefined)))
  return stats
}

/** A planned fleet's bands, closed loop (`npm run sim -- run --obey`): each on its plan's path. */
export function liveFleet(plans: readonly BandPlan[], o: { start: number; intervalMs: number; seed: number }) {
  const root = createRng(o.seed)
  return plans.map((p) => {
    const rng = root.fork(`live-${p.resident.key}`)
    const first = o.start + rng.uniform(0, o.intervalMs)
    return liveBand(
      { bandId: p.resident.bandId, segments: p.segments, noise: DEFAULT_NOISE, intervalMs: o.intervalMs, first },
      rng,
    )
  })
}
