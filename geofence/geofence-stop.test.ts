// The geofence's loops stop for good: a refresh in flight when stop() is called used to re-arm its
// timer, and then queried a closed pool every period.
import { expect, it } from 'vitest'
import { createLogger, type Db, type Queryable } from '../infra/index.ts'
import { createGeofence } from './geofence.ts'

it('no query reaches the database after stop(), even with a refresh in flight', async () => {
  let queries = 0
  let version = 0
  let hold: Promise<void> | undefined
  let release = () => {}
  const query: Queryable['query'] = async (text) => {
    queries++
    if (hold) await hold
    if (text.includes('topology_version')) return { rows: [{ v: ++version }], rowCount: 1 } as never
    return { rows: [], rowCount: 0 } as never
  }
  const db: Db = { query, tx: (fn) => fn({ query }), close: async () => {} }
  const geofence = createGeofence({ db, log: createLogger('silent'), refreshMs: 5, tickMs: 5, onAlert: () => {} })
  await geofence.start()
  await new Promise((r) => setTimeout(r, 30))
  hold = new Promise((r) => {
    release = r
  })
  await new Promise((r) => setTimeout(r, 20)) // a refresh is now waiting on the database
  const stopping = geofence.stop()
  release()
  hold = undefined
  await stopping
  const atStop = queries
  await new Promise((r) => setTimeout(r, 300))
  expect(queries - atStop).toBe(0)
})
