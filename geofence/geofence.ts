// The geofence shell: keeps each band's state, feeds fixes to the pure engine, stores the
// alerts it raises (retrying until they are durable) and then announces them.
import { retryForever, type Db, type Logger } from '../infra/index.ts'
import type { AlertChange } from './alert.ts'
import { raiseAlert } from './alert-store.pg.ts'
import { DEFAULT_POLICY, INITIAL_STATE, step, type BandState, type EngineFix, type Policy } from './engine.ts'
import { loadTopology, topologyVersion, type Topology } from './topology.pg.ts'

export interface GeofenceFix extends Partial<EngineFix> {
  bandId: string
  ts: number
  seq: number
}

export interface Geofence {
  start(): Promise<void>
  /** Reloads zones and bands now if they changed (also done every refreshMs). */
  refresh(): Promise<void>
  /** Evaluates fixes now (in fix-time order per call); alerts are written and announced asynchronously. */
  onFixes(fixes: readonly GeofenceFix[]): void
  /** Resolves when every alert raised so far is stored and announced. */
  settled(): Promise<void>
  stop(): Promise<void>
}

export interface GeofenceOptions {
  db: Db
  log: Logger
  refreshMs: number
  policy?: Policy
  onAlert: (change: AlertChange) => void
}

export function createGeofence({ db, log, refreshMs, policy = DEFAULT_POLICY, onAlert }: GeofenceOptions): Geofence {
  const states = new Map<string, BandState>()
  const inFlight = new Set<Promise<void>>()
  let topology: Topology | undefined
  let timer: NodeJS.Timeout | undefined

  const refresh = async () => {
    try {
      if (topology && (await topologyVersion(db)) === topology.version) return
      topology = await loadTopology(db)
      log.info({ version: topology.version, bands: topology.wearerByBand.size }, 'zones and bands loaded')
    } catch (err) {
      log.error({ err }, 'zone refresh failed; keeping the zones already loaded')
    }
  }

  const track = (p: Promise<void>) => {
    inFlight.add(p)
    void p.finally(() => inFlight.delete(p))
  }

  return {
    refresh,
    async start() {
      await refresh()
      const loop = () => { timer = setTimeout(() => void refresh().finally(loop), refreshMs) }
      loop()
    },
    onFixes(fixes) {
      if (!topology) return
      for (const fix of [...fixes].sort((a, b) => a.ts - b.ts)) {
        if (fix.lat === undefined || fix.lon === undefined) continue
        const wearer = topology.wearerByBand.get(fix.bandId)
        if (!wearer) continue
        const r = step(states.get(fix.bandId) ?? INITIAL_STATE, fix as EngineFix, topology.zonesFor(wearer.residentId), policy)
        states.set(fix.bandId, r.state)
        for (const e of r.events) {
          log.info({ bandId: fix.bandId, zoneId: e.zoneId, kind: e.type }, 'alert raised')
          track(retryForever(() => raiseAlert(db, { residentId: wearer.residentId, bandId: fix.bandId, zoneId: e.zoneId,
            kind: e.type, fixTime: e.fixTime, evidence: e.evidence }), { log, what: 'storing an alert' })
            .then(onAlert))
        }
      }
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all(inFlight)
    },
    async stop() {
      clearTimeout(timer)
      await this.settled()
    },
  }
}
