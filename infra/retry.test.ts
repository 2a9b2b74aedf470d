import { expect, it } from 'vitest'
import { createLogger } from './log.ts'
import { retryForever } from './retry.ts'

const log = createLogger('silent')

it('retries until the operation succeeds', async () => {
  let calls = 0
  const out = await retryForever(
    async () => {
      if (++calls < 3) throw new Error('down')
      return 'ok'
    },
    { log, what: 't', firstMs: 1, maxMs: 2 },
  )
  expect([out, calls]).toEqual(['ok', 3])
})

it('gives up when its signal is aborted, during the wait between attempts', async () => {
  const stop = new AbortController()
  let calls = 0
  const retrying = retryForever(
    async () => {
      calls++
      throw new Error('down')
    },
    { log, what: 't', firstMs: 60_000, signal: stop.signal },
  )
  await new Promise((r) => setTimeout(r, 20))
  stop.abort(new Error('grace over'))
  await expect(retrying).rejects.toThrow('grace over')
  expect(calls).toBe(1)
})
