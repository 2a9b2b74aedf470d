// A geofence worker's share of the bands when several workers run: it holds the advisory locks
// of the shards it owns (on its bus connection, so a dead worker's locks vanish with it), judges
// the stored reports of those shards from the feed, saves their states every SAVE_EVERY_MS, and
// rebalances every `everyMs` as workers come and go. Taking a shard over = its saved states, then a replay of
// what arrived since the checkpoint (the engine ignores what it has already seen, and a fix never
// raises the same alert twice). See infra/SCALE-OUT.md.
import { periodic, type Bus, type Db, type Logger } from '../infra/index.ts'
import type { Geofence, GeofenceFix } from './geofence.ts'
import { fairShare, rebalance, shardOf } from './shards.ts'
import { loadShard, saveStates } from './state-store.pg.ts'

/** The checkpoint trails the save by this much: a report's arrival time is its transaction's start, and its notice comes after the commit. */
export const CHECKPOINT_LAG_MS = 30_000
/**
 * How often the owned shards' changed states are saved. Every band that reported has changed, so
 * this bounds the state writes (10,000 bands: a third of a row per band per second at 30 s); a new
 * owner replays at most this plus the lag of reports.
 */
export const SAVE_EVERY_MS = 30_000

export interface ShardOwnerOptions {
  bus: Bus
  db: Db
  geofence: Geofence
  log: Logger
  shards: number
  everyMs: number
  /** The channel on which stored reports are announced. */
  feed: string
  /** Bands that have a wearer (only those are judged). */
  bandIds: () => Iterable<string>
}

export interface ShardOwner {
  owned(): ReadonlySet<number>
  /** One round now: save if due, rebalance (also run every everyMs). */
  round(): Promise<void>
  /** Saves the owned shards' changed states now. */
  saveNow(): Promise<void>
  stop(): Promise<void>
}

export function startShardOwner({
  bus,
  db,
  geofence,
  log,
  shards,
  everyMs,
  feed,
  bandIds,
}: ShardOwnerOptions): ShardOwner {
  const owned = new Set<number>()
  const loading = new Map<number, GeofenceFix[]>()
  const offset = Math.floor(Math.random() * shards)
  const inShard = (s: number) => (bandId: string) => shardOf(bandId, shards) === s
  const mine = (bandId: string) => owned.has(shardOf(bandId, shards))

  bus.subscribe(feed, (payload) => {
    const judge: GeofenceFix[] = []
    for (const fix of JSON.parse(payload) as GeofenceFix[]) {
      const s = shardOf(fix.bandId, shards)
      if (owned.has(s)) judge.push(fix)
      else loading.get(s)?.push(fix)
    }
    if (judge.length > 0) geofence.onFixes(judge)
  })
  bus.onLost(() => {
    // The server released every lock with the connection: another worker may own these now.
    geofence.release(mine)
    log.warn({ shards: owned.size }, 'bus connection lost: gave up every shard')
    owned.clear()
    loading.clear()
  })

  const save = async (which: readonly number[]) => {
    const set = new Set(which)
    const states = geofence.takeChanged((b) => set.has(shardOf(b, shards)))
    if (which.length > 0) await saveStates(db, states, which, CHECKPOINT_LAG_MS)
  }

  const take = async (s: number) => {
    loading.set(s, [])
    try {
      const bands = [...bandIds()].filter(inShard(s))
      const snap = await loadShard(db, s, bands, Date.now())
      const buffered = loading.get(s) ?? []
      owned.add(s)
      geofence.adopt(snap.states, [...snap.since, ...buffered])
      log.info({ shard: s, bands: bands.length, replayed: snap.since.length + buffered.length }, 'shard taken over')
    } catch (err) {
      await bus.unlock(s).catch(() => undefined)
      throw err
    } finally {
      loading.delete(s)
    }
  }

  let savedAt = 0
  const round = async () => {
    if (!bus.connected()) return
    if (Date.now() - savedAt >= SAVE_EVERY_MS) {
      await save([...owned])
      savedAt = Date.now()
    }
    const members = await bus.members()
    const plan = rebalance(owned, shards, members, offset)
    for (const s of plan.release) {
      await save([s])
      geofence.release(inShard(s))
      owned.delete(s)
      await bus.unlock(s)
      log.info({ shard: s }, 'shard handed back')
    }
    const fair = fairShare(shards, members)
    for (const s of plan.tryTake) {
      if (owned.size >= fair) break
      if (await bus.tryLock(s)) await take(s)
    }
  }
  const rounds = periodic({ everyMs, run: round, log, what: 'shard round' })
  rounds.start()

  return {
    owned: () => owned,
    round: rounds.runNow,
    async saveNow() {
      await save([...owned])
      savedAt = Date.now()
    },
    async stop() {
      await rounds.stop()
      await geofence.settled()
      await save([...owned]).catch((err: unknown) => log.error({ err }, 'saving geofence states at shutdown failed'))
    },
  }
}
