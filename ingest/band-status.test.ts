import { describe, expect, it } from 'vitest'
import type { Fix } from './fix.ts'
import { dueUpdates, statusUpdates, type StatusUpdate } from './band-status.ts'

const T = 1_795_000_000_000
const fix = (bandId: string, ts: number, extra: Partial<Fix> = {}): Fix => ({
  bandId,
  seq: ts,
  ts,
  lat: 36.8,
  lon: 118,
  evt: [],
  ...extra,
})
const pending = (fixes: Fix[]) => new Map(statusUpdates(fixes).map((u): [string, StatusUpdate] => [u.bandId, u]))
const bands = (us: StatusUpdate[]) => us.map((u) => u.bandId).sort()

describe('band status rows due for writing', () => {
  it('when a band was written less than minMs ago, then its newer position waits; a band never written, or written long enough ago, goes now', () => {
    const written = new Map([
      ['recent', T - 2000],
      ['old', T - 6000],
    ])
    const due = dueUpdates(pending([fix('recent', T), fix('old', T), fix('new', T)]), written, T, 5000)
    expect(bands(due)).toEqual(['new', 'old'])
  })

  it('when a band written moments ago reports an event (an SOS), then its row goes at once', () => {
    const written = new Map([['b1', T - 500]])
    const due = dueUpdates(pending([fix('b1', T, { evt: ['sos'] })]), written, T, 5000)
    expect(bands(due)).toEqual(['b1'])
    expect(due[0]!.events?.evt).toEqual(['sos'])
  })

  it('when minMs is 0, then every pending band is due', () => {
    const written = new Map([['b1', T]])
    expect(bands(dueUpdates(pending([fix('b1', T), fix('b2', T)]), written, T, 0))).toEqual(['b1', 'b2'])
  })
})
