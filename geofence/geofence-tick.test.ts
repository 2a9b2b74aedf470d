// The time rules over a large fleet do not hold up reports: they run a slice of bands per turn of
// the event loop (an SOS waited for the whole fleet's 4.8 ms at 1500 bands: issue 21's alert p99).
import { expect, it } from 'vitest'
import { createLogger, type Db, type Queryable } from '../infra/index.ts'
import { initialState, type BandState } from './engine.ts'
import { createGeofence } from './geofence.ts'

const T = Date.UTC(2026, 11, 6, 4, 0, 0)
const query: Queryable['query'] = async () => ({ rows: [], rowCount: 0 }) as never
const db: Db = { query, tx: (fn) => fn({ query }), close: async () => {} }

it('when the time rules run over 10,000 bands silent for a day, then the event loop turns between slices and every band is still found silent', async () => {
  const geofence = createGeofence({
    db,
    log: createLogger('silent'),
    refreshMs: 60_000,
    now: () => T,
    onAlert: () => {},
  })
  const bands = Array.from({ length: 10_000 }, (_, i) => `band-${i}`)
  geofence.adopt(new Map(bands.map((id): [string, BandState] => [id, initialState(T - 24 * 3_600_000)])), [])
  geofence.takeChanged(() => true)

  const ticking = geofence.tick()
  let between = false
  setImmediate(() => {
    between = true
  })
  await ticking

  expect(between).toBe(true)
  const changed = geofence.takeChanged(() => true)
  expect(changed).toHaveLength(bands.length)
  expect(changed.every(([, s]) => s.offline)).toBe(true)
})
