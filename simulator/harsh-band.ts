// One band on harsh traffic (harsh.ts), closed loop: it sends its reports in time order and obeys
// the commands it is given back (locate; the timed fast mode of search mode), which reach it a
// second or so later, or when its gap ends. Pure and seeded: a generator that yields each
// message and takes the commands the service sent in answer to it.
import { fixReporter, type BandPlan } from './band.ts'
import { due, obey, schedule, sent, type BandCommand } from './band-schedule.ts'
import { freshErrors, harshMeasure, type HarshModel } from './harsh.ts'
import { MINUTE } from './itinerary.ts'
import type { Rng } from './random.ts'

export interface HarshMessage {
  t: number
  payload: string
  fixes: number
}

/** What the band did, for the bench: when only cell towers saw it, fixes sent, presses made. */
export interface HarshRecord {
  cellOnly: [number, number][]
  fixes: number
  presses: { t: number; evt: string }[]
  baseS: number
}

type Window = { start: number; end: number; model: HarshModel }

export function* harshBand(
  plan: BandPlan,
  o: Window,
  rng: Rng,
  record: HarshRecord,
): Generator<HarshMessage, void, readonly BandCommand[] | undefined> {
  const { model } = o
  const noise = rng.fork('noise')
  const faults = rng.fork('faults')
  const base = rng.pick(model.intervalsS) * 1000
  record.baseS = base / 1000
  record.cellOnly = cellOnlyStretches(plan, o, rng.fork('cell-only'))
  record.presses = presses(plan, o, rng.fork('presses'))
  const errors = freshErrors(o.start, model, noise)
  const inGap = (t: number) => plan.gaps.find(([a, b]) => t >= a && t < b)
  const firstSeq = rng.int(0, 1000)
  let backlog: object[] = []
  let when = schedule(base, o.start + rng.uniform(0, base))
  let p = 0
  const pending: { at: number; c: BandCommand }[] = []

  const report = fixReporter(
    plan.segments,
    (at, indoor, t) =>
      harshMeasure(
        at,
        t,
        indoor,
        record.cellOnly.some(([a, b]) => t >= a && t < b),
        errors,
        model,
        noise,
      ),
    firstSeq,
  )
  const fix = (t: number, evt?: string) => report(t, { batt: 80, chg: false }, evt).fix

  for (;;) {
    const press = record.presses[p]
    const command = pending.reduce((a, b) => Math.min(b.at, a), Infinity)
    const t = Math.min(due(when), press?.t ?? Infinity, command)
    if (t >= o.end || t >= plan.silentFrom) return
    if (t === command) {
      const i = pending.findIndex((x) => x.at === t)
      const { c } = pending.splice(i, 1)[0]!
      const gap = inGap(t)
      if (gap)
        pending.push({ at: gap[1], c }) // waits in the persistent session until the band is back
      else when = obey(when, c, t, c.cmd === 'locate' ? noise.uniform(...model.locateS) * 1000 : 0)
      continue
    }
    const evt = t === press?.t ? press.evt : undefined
    if (evt) p++
    else when = sent(when, t)
    const report = fix(t, evt)
    record.fixes++
    if (inGap(t)) {
      backlog.push(report)
      continue
    }
    const payload = JSON.stringify(report)
    let commands = yield { t, payload, fixes: 1 }
    if (faults.chance(model.duplicate)) {
      commands = [...(commands ?? []), ...((yield { t: t + 200, payload, fixes: 1 }) ?? [])]
    }
    // Back in coverage: the live fix went first; the backlog follows in arrays, sometimes newest chunk first.
    const chunks: object[][] = []
    for (let i = 0; i < backlog.length; i += 40) chunks.push(backlog.slice(i, i + 40))
    if (faults.chance(model.gaps.newestFirst)) chunks.reverse()
    for (const [k, chunk] of chunks.entries()) {
      const answer = yield { t: t + 1 + k, payload: JSON.stringify(chunk), fixes: chunk.length }
      commands = [...(commands ?? []), ...(answer ?? [])]
    }
    backlog = []
    for (const c of commands ?? []) pending.push({ at: t + faults.uniform(...model.commandS) * 1000, c })
  }
}

/** Random cell-only stretches, and whole outings seen only by cell towers (outingShare of them). */
function cellOnlyStretches(plan: BandPlan, o: Window, rng: Rng): [number, number][] {
  const out: [number, number][] = []
  const n = rng.poisson(o.model.cellOnly.perHour * ((o.end - o.start) / 3_600_000))
  for (let i = 0; i < n; i++) {
    const a = rng.uniform(o.start, o.end)
    out.push([a, a + rng.uniform(...o.model.cellOnly.minutes) * MINUTE])
  }
  for (const e of plan.episodes) {
    if (!e.activity || !rng.chance(o.model.cellOnly.outingShare)) continue
    const home = plan.segments.find((s) => s.kind === 'stay' && s.indoor && s.t0 > e.start)
    out.push([e.start, home ? home.t0 : o.end])
  }
  return out
}

/** SOS, fall, removal and wearing again, with some SOS and falls pressed a second time. */
function presses(plan: BandPlan, o: { end: number; model: HarshModel }, rng: Rng): { t: number; evt: string }[] {
  const out: { t: number; evt: string }[] = []
  for (const e of plan.episodes) {
    if (e.kind === 'sos' || e.kind === 'fall') {
      out.push({ t: e.start, evt: e.kind })
      if (rng.chance(o.model.repeat.chance)) {
        out.push({ t: e.start + rng.uniform(...o.model.repeat.afterMin) * MINUTE, evt: e.kind })
      }
    }
    if (e.kind === 'band_removed') out.push({ t: e.start, evt: 'removed' }, { t: e.until!, evt: 'worn' })
  }
  return out.filter((x) => x.t < o.end).sort((a, b) => a.t - b.t)
}
