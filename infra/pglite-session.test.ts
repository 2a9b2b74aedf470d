import { describe, expect, it } from 'vitest'
import { readyWatcher } from './pglite-session.ts'

/** A backend message: type, int32 length (itself included), body. */
const msg = (type: string, body: number[]) => [type.charCodeAt(0), 0, 0, 0, 4 + body.length, ...body]
const CMD = msg('C', [...Buffer.from('SELECT 1'), 0])
const rfq = (s: string) => msg('Z', [s.charCodeAt(0)])

function watch(bytes: number[], cuts: number[]) {
  const w = readyWatcher()
  let from = 0
  for (const to of [...cuts, bytes.length]) {
    w.feed(new Uint8Array(bytes.slice(from, to)))
    from = to
  }
  return w.status
}

describe('where an exchange with the embedded database ends', () => {
  it('when the answer ends with ReadyForQuery, then its status is read, however the bytes are cut', () => {
    const bytes = [...CMD, ...rfq('I')]
    for (let cut = 0; cut <= bytes.length; cut++) expect(watch(bytes, [cut])).toBe('I')
    expect(watch([...CMD, ...rfq('T')], [3, 11])).toBe('T')
  })

  it('when the answer stops before ReadyForQuery or in the middle of it, then the exchange is not over', () => {
    expect(watch([...rfq('I'), ...CMD], [])).toBeUndefined()
    expect(watch(rfq('I').slice(0, 5), [])).toBeUndefined()
    // A data row whose bytes look like a ReadyForQuery is not one.
    expect(watch(msg('D', rfq('I')), [])).toBeUndefined()
  })
})
