import { describe, expect, it } from 'vitest'
import { foundPage, type TokenFacts } from './found-page.ts'
import { foundEvidence, positionProblem } from './found-report.ts'
import { foundUrl, isFoundToken, newFoundToken } from './found-token.ts'
import { sheetHtml } from './qr-codes.ts'

const facts = (f: Partial<TokenFacts>): TokenFacts => ({
  status: 'worn',
  bandId: '860000000000001',
  residentId: 1,
  careCentreId: 1,
  dutyPhone: '0533-1234567',
  displayName: null,
  ...f,
})

describe('found-me tokens and page', () => {
  it('when tokens are made, then each is 24 base64url characters and they differ', () => {
    const a = newFoundToken()
    expect(isFoundToken(a)).toBe(true)
    expect(a).not.toBe(newFoundToken())
    expect(isFoundToken('short')).toBe(false)
    expect(isFoundToken(`${a.slice(0, 23)}.`)).toBe(false)
    expect(foundUrl('https://tx.example.cn/', a)).toBe(`https://tx.example.cn/f/${a}`)
  })

  it("when a card of a centre is worn or revoked, then the page is the same: the centre's duty phone", () => {
    expect(foundPage(facts({}))).toEqual(foundPage(facts({ status: 'revoked', residentId: null })))
    expect(foundPage(facts({})).call).toEqual({ kind: 'centre', number: '0533-1234567' })
  })

  it('when a card has no centre or the token is unknown, then the page says call 110', () => {
    const none = facts({ status: 'unassigned', careCentreId: null, dutyPhone: null, residentId: null })
    expect(foundPage(none)).toEqual(foundPage(facts({ status: 'unknown', bandId: null, dutyPhone: null })))
    expect(foundPage(none).call).toEqual({ kind: 'police', number: '110' })
  })

  it('when an admin chose a name, then only a worn card shows it', () => {
    expect(foundPage(facts({ displayName: '王叔叔' })).displayName).toBe('王叔叔')
    expect(foundPage(facts({ status: 'revoked', displayName: '王叔叔' })).displayName).toBeNull()
  })

  it('when a finder sends half a position, then it is refused; a whole one becomes evidence', () => {
    expect(positionProblem({ lat: 36.8 })).toBe('lat and lon go together')
    expect(positionProblem({})).toBeUndefined()
    const first = foundEvidence({ lat: 36.8, lon: 118, note: 'hi' }, 5)
    expect(first.finder).toEqual({
      reportedAt: 5,
      position: { lat: 36.8, lon: 118, acc: null },
      phone: null,
      note: 'hi',
    })
    // A second report without a position keeps the first's in the list.
    const second = foundEvidence({ phone: '13800000000' }, 9, first.reports)
    expect(second.reports.map((r) => r.position?.lat ?? null)).toEqual([36.8, null])
    expect(second.finder.phone).toBe('13800000000')
  })

  it('when many reports come, then the evidence keeps the newest ten', () => {
    let reports = foundEvidence({}, 0).reports
    for (let i = 1; i < 15; i++) reports = foundEvidence({}, i, reports).reports
    expect(reports.map((r) => r.reportedAt)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
  })

  it('when a sheet is printed, then band ids and the centre name are escaped', () => {
    const html = sheetHtml('<b>Centre</b>', [{ bandId: 'a&b', url: 'u', svg: '<svg></svg>' }])
    expect(html).toContain('&lt;b&gt;Centre&lt;/b&gt;')
    expect(html).toContain('data-testid="card-a&amp;b"')
  })
})
