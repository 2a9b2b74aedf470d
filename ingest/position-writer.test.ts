import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createLogger } from '../infra/index.ts'
import type { Fix } from './fix.ts'
import { createPositionWriter } from './position-writer.ts'
import type { PositionStore } from './position-store.pg.ts'

const log = createLogger('silent')
const fix = (seq: number): Fix => ({ bandId: 'b1', seq, ts: 1_795_000_000_000 + seq, lat: 36.8, lon: 118, evt: [] })

/** A store whose writes finish only when the test says so. */
function gatedStore(failFirst = 0) {
  const calls: number[][] = []
  const gates: (() => void)[] = []
  let failures = failFirst
  const store: PositionStore = {
    insert: (fixes) => {
      calls.push(fixes.map((f) => f.seq))
      if (failures-- > 0) return Promise.reject(new Error('database is down'))
      return new Promise((resolve) => gates.push(() => resolve(fixes.length)))
    },
  }
  return { store, calls, open: () => gates.shift()?.() }
}

describe('position writer', () => {
  // Time is the test's: lingers and retries run on fake timers, so a loaded machine cannot reorder them.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('when reports arrive while a write is in flight, then they go together in the next batch and each write resolves only when stored', async () => {
    const g = gatedStore()
    const w = createPositionWriter({ store: g.store, log, maxRows: 100 })
    const done: number[] = []
    void w.write([fix(1)]).then(() => done.push(1))
    void w.write([fix(2)]).then(() => done.push(2))
    void w.write([fix(3), fix(4)]).then(() => done.push(3))
    await new Promise((r) => setImmediate(r))
    expect(g.calls).toEqual([[1]])
    expect(w.queued()).toBe(3)
    g.open()
    await new Promise((r) => setImmediate(r))
    expect(done).toEqual([1])
    expect(g.calls).toEqual([[1], [2, 3, 4]])
    g.open()
    await w.flush()
    expect(done).toEqual([1, 2, 3])
  })

  it('when the queue is larger than a batch, then batches respect the row limit without splitting a message', async () => {
    const g = gatedStore()
    const w = createPositionWriter({ store: g.store, log, maxRows: 3 })
    void w.write([fix(1)])
    void w.write([fix(2), fix(3)])
    void w.write([fix(4), fix(5)])
    void w.write([fix(6)])
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setImmediate(r))
      g.open()
    }
    await w.flush()
    expect(g.calls).toEqual([[1], [2, 3], [4, 5, 6]])
  })

  it('when the database fails, then the same batch is retried until it is stored, and nothing resolves before', async () => {
    const g = gatedStore(2)
    const w = createPositionWriter({ store: g.store, log, maxRows: 100, retry: { firstMs: 1, maxMs: 2 } })
    let stored = false
    void w.write([fix(1), fix(2)]).then(() => {
      stored = true
    })
    await vi.advanceTimersByTimeAsync(20)
    expect(stored).toBe(false)
    g.open()
    await w.flush()
    expect(stored).toBe(true)
    expect(g.calls).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ])
    expect(w.stats).toMatchObject({ batches: 1, written: 2 })
  })

  it('when the database is away and the queue reaches its bound, then it reports full, and room only once writes have drained it to half', async () => {
    const g = gatedStore(3)
    const seen: boolean[] = []
    const w = createPositionWriter({
      store: g.store,
      log,
      maxRows: 2,
      maxQueuedRows: 4,
      retry: { firstMs: 1, maxMs: 2 },
      onDatabase: (up) => seen.push(up),
    })
    for (let i = 0; i < 7; i++) void w.write([fix(i)]) // one in flight, six queued
    expect(w.full()).toBe(true)
    let room = false
    w.onRoom(() => {
      room = true
    })
    await vi.advanceTimersByTimeAsync(20)
    expect(seen).toEqual([false]) // failing: reported once, not per attempt
    expect(room).toBe(false)
    g.open() // the first batch lands; the queue (6) is still above half the bound
    await new Promise((r) => setImmediate(r))
    expect(seen).toEqual([false, true])
    g.open() // 4 left
    await new Promise((r) => setImmediate(r))
    expect(room).toBe(false)
    g.open() // 2 left: half the bound
    await new Promise((r) => setImmediate(r))
    expect(room).toBe(true)
    expect(w.full()).toBe(false)
    g.open()
    await w.flush()
    let now = false
    w.onRoom(() => {
      now = true
    })
    expect(now).toBe(true)
  })

  it('when a write comes the moment the previous one is stored (a band sending its next message on PUBACK), then it is written too', async () => {
    for (let hops = 0; hops < 4; hops++) {
      const w = createPositionWriter({ store: { insert: async (fixes) => fixes.length }, log, maxRows: 100 })
      await w.write([fix(1)])
      for (let i = 0; i < hops; i++) await Promise.resolve()
      const stored = Promise.race([
        w.write([fix(2)]).then(() => true),
        new Promise((r) => setTimeout(() => r(false), 200)),
      ])
      await vi.advanceTimersByTimeAsync(200)
      expect(await stored).toBe(true)
    }
  })

  it('when reports arrive sooner than lingerMs after a batch started, then they wait for the rest of it and go in one statement, even with lanes to spare', async () => {
    const g = gatedStore()
    const w = createPositionWriter({ store: g.store, log, maxRows: 100, concurrency: 3, lingerMs: 30 })
    const done: number[] = []
    for (const seq of [1, 2, 3]) {
      void w.write([fix(seq)]).then(() => done.push(seq))
      await vi.advanceTimersByTimeAsync(5)
    }
    // The first goes at once (nothing was written before it); 2 and 3 wait for 30 ms after its start.
    expect(g.calls).toEqual([[1]])
    g.open()
    await vi.advanceTimersByTimeAsync(5)
    expect(done).toEqual([1])
    expect(g.calls).toEqual([[1]])
    await vi.advanceTimersByTimeAsync(20)
    expect(g.calls).toEqual([[1], [2, 3]])
    expect(done).toEqual([1])
    g.open()
    await w.flush()
    expect(done).toEqual([1, 2, 3])
  })

  it('when a full batch gathers while it waits for its turn, then it is written at once', async () => {
    const g = gatedStore()
    const w = createPositionWriter({ store: g.store, log, maxRows: 3, concurrency: 2, lingerMs: 10_000 })
    void w.write([fix(1)])
    await vi.advanceTimersByTimeAsync(1)
    void w.write([fix(2)])
    await vi.advanceTimersByTimeAsync(10)
    expect(g.calls).toEqual([[1]])
    void w.write([fix(3), fix(4)])
    await vi.advanceTimersByTimeAsync(1)
    expect(g.calls).toEqual([[1], [2, 3, 4]])
    g.open()
    g.open()
    await w.flush()
  })

  it('when a batch is already being written, then a new one still waits for its turn: statements start lingerMs apart at any rate', async () => {
    const g = gatedStore()
    const w = createPositionWriter({ store: g.store, log, maxRows: 100, concurrency: 2, lingerMs: 50 })
    void w.write(Array.from({ length: 100 }, (_, i) => fix(i))) // a full batch goes at once and stays in flight
    await vi.advanceTimersByTimeAsync(10)
    void w.write([fix(1000)])
    await vi.advanceTimersByTimeAsync(30)
    expect(g.calls.map((c) => c.length)).toEqual([100])
    await vi.advanceTimersByTimeAsync(15)
    expect(g.calls.map((c) => c.length)).toEqual([100, 1])
    g.open()
    g.open()
    await w.flush()
  })

  it('when the writer has been idle for longer than lingerMs, then a report is written at once: a quiet system adds no wait', async () => {
    const g = gatedStore()
    const w = createPositionWriter({ store: g.store, log, maxRows: 1000, lingerMs: 50 })
    void w.write([fix(1)])
    await vi.advanceTimersByTimeAsync(1)
    g.open()
    await w.flush()
    await vi.advanceTimersByTimeAsync(60)
    void w.write([fix(2)])
    await vi.advanceTimersByTimeAsync(1)
    expect(g.calls).toEqual([[1], [2]])
    g.open()
    await w.flush()
  })

  it('when a shutdown gives up on a database that stays down, then flush returns and nothing is acknowledged', async () => {
    const g = gatedStore(Infinity)
    const stop = new AbortController()
    const w = createPositionWriter({
      store: g.store,
      log,
      maxRows: 100,
      retry: { firstMs: 5, maxMs: 10 },
      signal: stop.signal,
    })
    let acknowledged = false
    void w.write([fix(1), fix(2)]).then(() => {
      acknowledged = true
    })
    void w.write([fix(3)]).then(() => {
      acknowledged = true
    })
    await vi.advanceTimersByTimeAsync(30)
    const flushed = w.flush()
    stop.abort(new Error('grace over'))
    await flushed
    expect(acknowledged).toBe(false)
    expect(w.queued()).toBe(0)
    expect(g.calls.length).toBeGreaterThan(1)
  })
})
