import { afterEach, describe, expect, it, vi } from 'vitest'
import { periodic } from './periodic.ts'
import { createLogger } from './log.ts'

const log = createLogger('silent')
const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms)

describe('periodic', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('runs every period, timed from the end of the previous run', async () => {
    vi.useFakeTimers()
    const starts: number[] = []
    const task = periodic({
      everyMs: 100,
      log,
      what: 't',
      run: async () => {
        starts.push(Date.now())
        await new Promise((r) => setTimeout(r, 30))
      },
    })
    const t0 = Date.now()
    task.start()
    await tick(400)
    expect(starts.map((s) => s - t0)).toEqual([100, 230, 360])
    await task.stop()
  })

  it('never overlaps: a runNow during a run runs once more after it', async () => {
    vi.useFakeTimers()
    let running = 0
    let most = 0
    let runs = 0
    const task = periodic({
      everyMs: 1000,
      log,
      what: 't',
      run: async () => {
        running++
        most = Math.max(most, running)
        runs++
        await new Promise((r) => setTimeout(r, 50))
        running--
      },
    })
    const first = task.runNow()
    const second = task.runNow()
    const third = task.runNow()
    await tick(200)
    await Promise.all([first, second, third])
    expect(most).toBe(1)
    expect(runs).toBe(2)
    await task.stop()
  })

  it('stop() waits for the run in flight and never runs again (the refresh-after-stop bug)', async () => {
    vi.useFakeTimers()
    let runs = 0
    let release!: () => void
    const task = periodic({
      everyMs: 10,
      log,
      what: 't',
      run: () => {
        runs++
        return new Promise<void>((r) => {
          release = r
        })
      },
    })
    task.start()
    await tick(10)
    expect(runs).toBe(1)
    let stopped = false
    const stopping = task.stop().then(() => {
      stopped = true
    })
    await tick(50)
    expect(stopped).toBe(false) // still waiting for the run in flight
    release()
    await stopping
    await tick(1000)
    await task.runNow()
    expect(runs).toBe(1)
  })

  it('a failed run is logged and the loop goes on', async () => {
    vi.useFakeTimers()
    const errors: unknown[] = []
    const spyLog = {
      ...log,
      error: (o: unknown) => {
        errors.push(o)
      },
    } as unknown as typeof log
    let runs = 0
    const task = periodic({
      everyMs: 10,
      log: spyLog,
      what: 't',
      run: () => {
        runs++
        throw new Error('database down')
      },
    })
    task.start()
    await tick(35)
    expect(runs).toBe(3)
    expect(errors).toHaveLength(3)
    await task.stop()
  })
})
