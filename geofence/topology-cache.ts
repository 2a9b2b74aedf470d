// Who wears which band and which zones apply, kept in memory and reloaded when it changes (every
// refreshMs, or at once through refresh()). One part that the geofence judges with and that a
// dashboard server scopes positions with; a dashboard server builds no geofence for it.
import { periodic, type Db, type Logger } from '../infra/index.ts'
import { loadTopology, topologyVersion, type Topology, type Wearer } from './topology.pg.ts'

export interface TopologyCache {
  /** The topology as last loaded; undefined before the first load. */
  current(): Topology | undefined
  wearerOf(bandId: string): Wearer | undefined
  /** Bands that have a wearer. */
  bands(): Iterable<string>
  provisionedAt(bandId: string): number | undefined
  /** Reloads now if the version changed. A failed load keeps what was loaded (and is logged). */
  refresh(): Promise<void>
  /** Called on every load that changed something (before: undefined on the first). */
  onChange(fn: (after: Topology, before: Topology | undefined) => void): void
  /** Loads, then reloads every refreshMs. */
  start(): Promise<void>
  stop(): Promise<void>
}

export function createTopologyCache({ db, log, refreshMs }: { db: Db; log: Logger; refreshMs: number }): TopologyCache {
  let topology: Topology | undefined
  const listeners: ((after: Topology, before: Topology | undefined) => void)[] = []

  const load = async () => {
    try {
      if (topology && (await topologyVersion(db)) === topology.version) return
      const before = topology
      topology = await loadTopology(db)
      log.info({ version: topology.version, bands: topology.wearerByBand.size }, 'zones and bands loaded')
      for (const fn of listeners) fn(topology, before)
    } catch (err) {
      log.error({ err }, 'zone refresh failed; keeping the zones already loaded')
    }
  }
  const reloads = periodic({ everyMs: refreshMs, run: load, log, what: 'zone refresh' })

  return {
    current: () => topology,
    wearerOf: (bandId) => topology?.wearerByBand.get(bandId),
    bands: () => topology?.wearerByBand.keys() ?? [],
    provisionedAt: (bandId) => topology?.provisionedAt.get(bandId),
    refresh: reloads.runNow,
    onChange(fn) {
      listeners.push(fn)
    },
    async start() {
      await reloads.runNow()
      reloads.start()
    },
    stop: reloads.stop,
  }
}
