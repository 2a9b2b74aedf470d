import { describe, expect, it } from 'vitest'
import { formatScore, score } from './score.ts'
import type { Label } from './truth.ts'

const T = Date.UTC(2026, 10, 28, 2)
const wander = (bandId: string, start: number, end: number): Label => ({
  bandId,
  kind: 'left_safe_zone',
  start,
  end,
  mustAlert: true,
  episode: 'wander_slow',
})

describe('score', () => {
  it('when alerts match some episodes and not others, then true, false, missed and delays are counted per kind', () => {
    const labels: Label[] = [
      wander('a', T, T + 600_000),
      wander('b', T, T + 600_000),
      { bandId: 'c', kind: 'left_safe_zone', start: T, end: T + 30_000, mustAlert: false },
      { bandId: 'd', kind: 'sos', start: T, end: T, mustAlert: true, episode: 'sos' },
    ]
    const alerts = [
      { bandId: 'a', kind: 'left_safe_zone', fixTime: T + 90_000 },
      { bandId: 'a', kind: 'left_safe_zone', fixTime: T + 120_000 }, // a repeat: still true
      { bandId: 'c', kind: 'left_safe_zone', fixTime: T + 20_000 }, // brief excursion: true, not required
      { bandId: 'd', kind: 'left_safe_zone', fixTime: T }, // wrong kind for an SOS: false
      { bandId: 'e', kind: 'left_safe_zone', fixTime: T }, // nothing happened: false
      { bandId: 'e', kind: 'low_battery', fixTime: T }, // no truth for batteries: not scored
    ]
    const s = score(labels, alerts, 500)
    expect(s.byLabel).toEqual([
      { kind: 'left_safe_zone (wander_slow)', episodes: 2, detected: 1, missed: 1, medianDelayS: 90, p95DelayS: 90 },
      { kind: 'sos', episodes: 1, detected: 0, missed: 1, medianDelayS: null, p95DelayS: null },
    ])
    expect(s).toMatchObject({
      trueAlerts: 3,
      falseAlerts: 2,
      falseByKind: { left_safe_zone: 2 },
      unscored: { low_battery: 1 },
      falsePer1000BandHours: 4,
    })
    expect(formatScore(s)).toContain('false alerts: 2 (4.00 per 1000 band-hours over 500 band-hours)')
  })

  it('when an alert comes long after the episode ended, then it does not count as detecting it', () => {
    const s = score(
      [wander('a', T, T + 60_000)],
      [{ bandId: 'a', kind: 'left_safe_zone', fixTime: T + 60_000 + 11 * 60_000 }],
      1,
    )
    expect(s.byLabel[0]!.missed).toBe(1)
    expect(s.falseAlerts).toBe(1)
  })
})
