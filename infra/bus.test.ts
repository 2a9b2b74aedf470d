import { describe, expect, it } from 'vitest'
import { NOTIFY_MAX_BYTES, notifyChunks } from './bus.pg.ts'

describe('notifyChunks', () => {
  it('when a batch is larger than one notice, then it is split into JSON arrays that each fit and together hold every item in order', () => {
    const items = Array.from({ length: 2000 }, (_, i) => ({
      bandId: `86000000000${i}`,
      seq: i,
      ts: 1795000000000 + i,
      lat: 36.8,
      lon: 118.05,
      note: '同行',
    }))
    const chunks = notifyChunks(items.map((i) => JSON.stringify(i)))
    expect(chunks.length).toBeGreaterThan(10)
    for (const c of chunks) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(NOTIFY_MAX_BYTES)
    expect(chunks.flatMap((c) => JSON.parse(c) as unknown[])).toEqual(items)
  })

  it('when there is nothing, then there is no notice; when one item cannot fit, then it says so', () => {
    expect(notifyChunks([])).toEqual([])
    expect(() => notifyChunks([JSON.stringify({ x: 'y'.repeat(NOTIFY_MAX_BYTES) })])).toThrow(/too large/)
  })
})
