// The geofence shell: keeps each band's state, feeds reports to the pure engine and calls its
// timer, stores what it raises or resolves (retrying until durable, in order per band), and then
// announces it. After a restart the state is rebuilt from the open alerts, so none is dropped or
// raised twice.
import { periodic, retryForever, type Db, type Logger } from '../infra/index.ts'
import type { AlertChange } from './alert.ts'
import {
  escalateOverdue,
  openAlertsByBand,
  raiseAlert,
  remindAlert,
  resolveAlert,
  type OpenAlert,
} from './alert-store.pg.ts'
import { ESCALATION_LEVELS } from './alert.ts'
import {
  DEFAULT_POLICY,
  initialState,
  lateAlarms,
  outside,
  step,
  tick,
  type BandState,
  type EngineEvent,
  type EngineFix,
  type Policy,
  type SearchCommand,
} from './engine.ts'
import { createTopologyCache, type TopologyCache } from './topology-cache.ts'
import { boxAround, wearerAt, type Topology } from './topology.pg.ts'

/** Bands the time rules look at before letting reports in (see runTick). */
export const TICK_SLICE = 250

export interface GeofenceFix extends EngineFix {
  bandId: string
}

export interface Geofence {
  start(): Promise<void>
  /** Evaluates reports now (in fix-time order per call); alerts are written and announced asynchronously. */
  onFixes(fixes: readonly GeofenceFix[]): void
  /** Runs the time-based rules (also done every tickMs); resolves when every band was looked at. */
  tick(): Promise<void>
  /** Bands that have a wearer, as last loaded. */
  bands(): Iterable<string>
  /** The states changed since the last call (for bands `mine` selects), to be saved for a successor. */
  takeChanged(mine: (bandId: string) => boolean): [string, BandState][]
  /** Forgets the bands `mine` selects (another worker judges them now). */
  release(mine: (bandId: string) => boolean): void
  /** Takes over bands with their saved states, then judges the reports they sent since. */
  adopt(states: ReadonlyMap<string, BandState>, since: readonly GeofenceFix[]): void
  /** Resolves when every alert change so far is stored and announced. */
  settled(): Promise<void>
  stop(): Promise<void>
}

export interface GeofenceOptions {
  db: Db
  log: Logger
  refreshMs: number
  tickMs?: number
  /** An alert nobody acknowledges climbs one escalation level per this long. */
  escalationMs?: number
  policy?: Policy
  now?: () => number
  /** `ms`: from the report's arrival (or the timer's run) until the change was durable. */
  onAlert: (change: AlertChange, ms: number) => void
  /**
   * false for a worker sharing the bands with others: it starts with no band and is given its
   * share through adopt() and onFixes(). Default true: one process judges every band, and after a
   * restart rebuilds their state from the open alerts.
   */
  judgesAll?: boolean
  /** Aborted when a shutdown's grace period is over: an alert still failing to store is given up (logged). */
  signal?: AbortSignal
  /** Who wears which band, shared with the rest of the process; absent: the geofence keeps its own. */
  topology?: TopologyCache
  /** Sends search mode's commands to a band (locate, timed fast reports); none sent when absent. */
  onCommand?: (bandId: string, command: SearchCommand) => void
}

/** A band's state as its open alerts describe it (after a restart, or a shard never saved). */
export function fromOpenAlerts(open: readonly OpenAlert[], heardAt: number): BandState {
  let s = initialState(heardAt)
  for (const a of open) {
    // A finder's report is no sign of the band: it neither sets the state nor dates the last report.
    if (a.kind === 'found_report') continue
    if (a.kind === 'left_safe_zone' && a.zoneId !== null) s = { ...s, zone: outside(a.zoneId, a.fixTime) }
    if (a.kind === 'band_removed') s = { ...s, removed: true }
    if (a.kind === 'low_battery') s = { ...s, lowBattery: true }
    if (a.kind === 'band_offline') s = { ...s, offline: true }
    if (a.kind === 'entered_danger_zone' && a.zoneId !== null)
      s = { ...s, danger: { ...s.danger, [a.zoneId]: { tag: 'in', outsideFixes: 0 } } }
    s = { ...s, lastTs: Math.max(s.lastTs, a.fixTime) }
  }
  return s
}

export function createGeofence({
  db,
  log,
  refreshMs,
  tickMs = 5000,
  escalationMs = 5 * 60_000,
  policy = DEFAULT_POLICY,
  now = Date.now,
  onAlert,
  judgesAll = true,
  signal,
  topology: shared,
  onCommand,
}: GeofenceOptions): Geofence {
  const states = new Map<string, BandState>()
  const changed = new Set<string>()
  const set = (bandId: string, s: BandState) => {
    states.set(bandId, s)
    changed.add(bandId)
  }
  const chains = new Map<string, Promise<void>>()
  let topology: Topology | undefined

  /** A band that changed hands starts afresh: its state (outside, silent, removed…) was the previous wearer's. */
  const handedOver = (before: Topology, after: Topology) => {
    for (const bandId of [...states.keys()]) {
      const was = before.wearerByBand.get(bandId)
      const is = after.wearerByBand.get(bandId)
      if (was?.residentId === is?.residentId && was?.since === is?.since) continue
      if (is) set(bandId, initialState(now()))
      else {
        states.delete(bandId)
        changed.delete(bandId)
      }
    }
  }

  const topologies = shared ?? createTopologyCache({ db, log, refreshMs })
  topology = topologies.current()
  topologies.onChange((after, before) => {
    topology = after
    if (before) handedOver(before, after)
  })

  const store = (residentId: number, bandId: string, e: EngineEvent) => {
    const { kind, zoneId } = e
    switch (e.type) {
      case 'raise':
        return raiseAlert(db, {
          residentId,
          bandId,
          zoneId,
          kind,
          fixTime: e.fixTime,
          severity: e.severity,
          evidence: e.evidence,
        })
      case 'remind':
        return remindAlert(db, { residentId, kind, zoneId, evidence: e.evidence })
      case 'resolve':
        return resolveAlert(db, { residentId, kind, zoneId, reason: e.reason })
    }
  }

  /**
   * Stores and announces a band's events in order, after any still being written for it; for its
   * current wearer, or (`fixTime`: a late backlog's alarms) for whoever wore it then.
   */
  const apply = (bandId: string, events: EngineEvent[], since: number, fixTime?: number) => {
    const wearer = topology?.wearerByBand.get(bandId)
    if ((!wearer && fixTime === undefined) || events.length === 0) return
    const previous = chains.get(bandId) ?? Promise.resolve()
    const next = previous
      .then(async () => {
        const residentId =
          fixTime === undefined
            ? wearer!.residentId
            : await retryForever(() => wearerAt(db, bandId, fixTime), { log, what: 'finding who wore a band', signal })
        if (residentId === undefined) {
          return log.warn({ bandId }, 'late alarm from a time nobody (or someone erased) wore the band')
        }
        for (const e of events) {
          log.info(
            { bandId, zoneId: e.zoneId, kind: e.kind },
            `alert ${e.type === 'raise' ? 'raised' : e.type === 'remind' ? 'reminder' : 'resolved'}`,
          )
          const change = await retryForever(() => store(residentId, bandId, e), {
            log,
            what: 'storing an alert',
            signal,
          })
          if (change) onAlert(change, now() - since)
        }
      })
      .catch((err: unknown) => log.error({ err, bandId }, 'shutting down with an alert not stored'))
    chains.set(bandId, next)
    void next.finally(() => {
      if (chains.get(bandId) === next) chains.delete(bandId)
    })
  }

  const escalate = async () => {
    for (const change of await escalateOverdue(db, escalationMs, ESCALATION_LEVELS.length - 1)) {
      log.warn(
        { bandId: change.alert.bandId, kind: change.alert.kind, level: change.alert.escalationLevel },
        'alert escalated: nobody acknowledged it',
      )
      onAlert(change, 0)
    }
  }

  /**
   * The time rules over every band, TICK_SLICE bands per turn of the event loop: a report arriving
   * meanwhile (an SOS) is judged after one slice, not after the whole fleet (4.8 ms at 1500 bands).
   * Each slice reads the states as they are then, so a band's report and its time rules never undo
   * each other.
   */
  const runTick = async () => {
    let t = now()
    let n = 0
    for (const [bandId, state] of states) {
      const wearer = topology?.wearerByBand.get(bandId)
      const r = tick(state, t, policy, wearer ? topology!.zonesFor(wearer) : [])
      if (r.state !== state) set(bandId, r.state)
      apply(bandId, r.events, t)
      if (++n % TICK_SLICE === 0) {
        await new Promise((resolve) => setImmediate(resolve))
        t = now()
      }
    }
  }

  const ticking = periodic({ everyMs: tickMs, run: runTick, log, what: 'time rules' })
  const escalating = periodic({ everyMs: tickMs, run: escalate, log, what: 'escalation check' })

  /** What the open alerts say about each band, so a restart neither repeats nor forgets them. */
  const rebuild = async () => {
    const t = now()
    for (const [bandId, open] of await openAlertsByBand(db)) states.set(bandId, fromOpenAlerts(open, t))
  }

  return {
    tick: ticking.runNow, // never beside a scheduled run: it yields between slices
    bands: topologies.bands,
    async start() {
      if (shared) await topologies.refresh()
      else await topologies.start()
      if (judgesAll) await rebuild()
      for (const task of [ticking, escalating]) task.start()
    },
    onFixes(fixes) {
      if (!topology) return
      const arrivedAt = now()
      for (const fix of [...fixes].sort((a, b) => a.ts - b.ts)) {
        const wearer = topology.wearerByBand.get(fix.bandId)
        // A fix taken before the band reached its wearer (a late backlog) is not theirs to judge;
        // its SOS or fall is still an emergency, of whoever wore the band then.
        if (!wearer || fix.ts < wearer.since) {
          apply(fix.bandId, lateAlarms(fix), arrivedAt, fix.ts)
          continue
        }
        const state = states.get(fix.bandId) ?? initialState(arrivedAt)
        // Shared zones near this fix and the walk from the previous one; own zones always.
        const box =
          fix.lat === undefined || fix.lon === undefined
            ? undefined
            : boxAround(state.prev ? [state.prev.at, [fix.lon, fix.lat]] : [[fix.lon, fix.lat]], 200)
        const r = step(state, fix, topology.zonesFor(wearer, box), policy, arrivedAt)
        set(fix.bandId, r.state)
        apply(fix.bandId, r.events, arrivedAt)
        for (const c of r.commands) {
          log.info({ bandId: fix.bandId, cmd: c.command.cmd, reason: c.reason }, 'search mode command')
          onCommand?.(fix.bandId, c.command)
        }
      }
    },
    takeChanged(mine) {
      const out: [string, BandState][] = []
      for (const bandId of changed) {
        if (!mine(bandId)) continue
        const s = states.get(bandId)
        if (s) out.push([bandId, s])
        changed.delete(bandId)
      }
      return out
    },
    release(mine) {
      for (const bandId of [...states.keys()]) if (mine(bandId)) states.delete(bandId)
      for (const bandId of [...changed]) if (mine(bandId)) changed.delete(bandId)
    },
    adopt(saved, since) {
      for (const [bandId, s] of saved) set(bandId, s)
      this.onFixes(since)
    },
    async settled() {
      while (chains.size > 0) await Promise.all(chains.values())
    },
    async stop() {
      await Promise.all([ticking.stop(), escalating.stop(), shared ? undefined : topologies.stop()])
      await this.settled()
    },
  }
}
