import { describe, expect, it } from 'vitest'
import { fairShare, rebalance, shardOf } from './shards.ts'

describe('shards', () => {
  it('when band ids are hashed, then the same id always lands in the same shard and 1500 ids spread over all 64', () => {
    expect(shardOf('860000000000001', 64)).toBe(shardOf('860000000000001', 64))
    const counts = new Array(64).fill(0)
    for (let i = 0; i < 1500; i++) counts[shardOf(`8600000000${String(i).padStart(5, '0')}`, 64)]++
    expect(Math.min(...counts)).toBeGreaterThan(8)
    expect(Math.max(...counts)).toBeLessThan(45)
  })

  it("when workers come and go, then each one's fair share covers every shard", () => {
    expect(fairShare(64, 1)).toBe(64)
    expect(fairShare(64, 3)).toBe(22)
    expect(fairShare(64, 0)).toBe(64)
  })

  it('when a worker owns more than its share, then it gives back its highest shards; otherwise it tries the rest from its offset', () => {
    expect(rebalance(new Set([0, 1, 2, 3]), 4, 2, 0)).toEqual({ release: [3, 2], tryTake: [] })
    expect(rebalance(new Set([1]), 4, 2, 2)).toEqual({ release: [], tryTake: [2, 3, 0] })
  })
})
