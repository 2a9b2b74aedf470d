import { describe, expect, it } from 'vitest'
import { createRejectedRecord } from './rejected-record.ts'

describe('rejected-messages record', () => {
  it('when more rejections arrive than it holds, then it keeps the newest, newest first, and filters by band', () => {
    const r = createRejectedRecord(3)
    for (let i = 0; i < 5; i++) r.add({ at: i, bandId: i % 2 ? 'odd' : 'even', reason: 'bad_json', detail: `#${i}` })
    expect(r.list().map((e) => e.detail)).toEqual(['#4', '#3', '#2'])
    expect(r.list(10, 'even').map((e) => e.detail)).toEqual(['#4', '#2'])
    expect(r.list(1).map((e) => e.detail)).toEqual(['#4'])
  })

  it("when an erased wearer's entries are forgotten, then the rest stay in order; new ones replace the oldest", () => {
    const r = createRejectedRecord(3)
    for (let i = 0; i < 4; i++) r.add({ at: i, bandId: i % 2 ? 'odd' : 'even', reason: 'bad_json', detail: `#${i}` })
    r.forget((e) => e.bandId === 'odd')
    expect(r.list().map((e) => e.detail)).toEqual(['#2'])
    for (let i = 4; i < 7; i++) r.add({ at: i, bandId: 'even', reason: 'bad_json', detail: `#${i}` })
    expect(r.list().map((e) => e.detail)).toEqual(['#6', '#5', '#4'])
  })
})
