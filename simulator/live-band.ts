// A simulated band that obeys the service (closed loop, for the MQTT simulator): it reports on its
// own interval and answers `locate` and `interval` commands (band-schedule.ts), its fixes drawn
// from its resident's true path (band.ts's fixReporter). Pure: the MQTT shell is live.mqtt.ts.
import { fixReporter } from './band.ts'
import { due, obey, schedule, sent, type BandCommand, type Schedule } from './band-schedule.ts'
import type { Segment } from './itinerary.ts'
import { measure, type NoiseModel } from './noise.ts'
import type { Rng } from './random.ts'

export interface LiveBand {
  bandId: string
  /** When it sends next (simulated ms). */
  due(): number
  /** A command reaching it at `t`. */
  obey(c: BandCommand, t: number): void
  /** Its fix at its due time `t`, as the telemetry payload. */
  report(t: number): string
}

export interface LiveBandOptions {
  bandId: string
  segments: Segment[]
  noise: NoiseModel
  intervalMs: number
  /** Its first report. */
  first: number
  /** How long a `locate` takes to give a fix. */
  locateMs?: number
}

/** Battery drain per minute, percent (band.ts's rate). */
const DRAIN_PER_MINUTE = 0.06

export function liveBand(o: LiveBandOptions, rng: Rng): LiveBand {
  const noise = rng.fork('noise')
  const report = fixReporter(o.segments, (p, indoor) => measure(p, indoor, o.noise, noise), rng.int(0, 1000))
  let batt = rng.int(40, 100)
  let when: Schedule = schedule(o.intervalMs, o.first)
  let last = o.first
  return {
    bandId: o.bandId,
    due: () => due(when),
    obey(c, t) {
      when = obey(when, c, t, o.locateMs ?? 3000)
    },
    report(t) {
      batt = Math.max(1, batt - (DRAIN_PER_MINUTE * (t - last)) / 60_000)
      last = t
      when = sent(when, t)
      return JSON.stringify(report(t, { batt, chg: false }).fix)
    },
  }
}
