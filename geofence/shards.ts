// Which worker judges which band, when several share the work: bands fall into a fixed number
// of shards by a hash of their id, and each live worker owns about an equal share of them.
// Pure: the locks and the database live in shard-owner.ts.

/** FNV-1a of the band id, into `shards` buckets: the same on every process and every restart. */
export function shardOf(bandId: string, shards: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < bandId.length; i++) {
    h ^= bandId.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) % shards
}

/** The most shards one of `members` live workers should own (every shard has an owner). */
export const fairShare = (shards: number, members: number): number => Math.ceil(shards / Math.max(1, members))

/**
 * What a worker owning `owned` should do now: give back what exceeds its fair share (its
 * highest-numbered shards), or try to take shards it does not own, starting at `offset` so that
 * workers starting together do not all reach for the same ones.
 */
export function rebalance(
  owned: ReadonlySet<number>,
  shards: number,
  members: number,
  offset: number,
): { release: number[]; tryTake: number[] } {
  const fair = fairShare(shards, members)
  if (owned.size > fair) return { release: [...owned].sort((a, b) => b - a).slice(0, owned.size - fair), tryTake: [] }
  const tryTake: number[] = []
  for (let i = 0; i < shards; i++) {
    const s = (offset + i) % shards
    if (!owned.has(s)) tryTake.push(s)
  }
  return { release: [], tryTake }
}
