// The ingest pipeline without a database or broker: the stages run in their documented order, a
// bad report is recorded while the good ones go on, a failing judge never loses a report, and a
// failed write stops the message before status and fan-out (so the band is not acknowledged).
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../infra/index.ts'
import type { Fix } from './fix.ts'
import { createIngest, PROVISIONING_GRACE_MS } from './ingest.ts'
import { ingestMetrics } from './metrics.ts'
import type { StoredStages } from './pipeline.ts'
import { createRejectedRecord } from './rejected-record.ts'

const BAND = '860000000000001'
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0)
const fix = (seq: number, extra: Record<string, unknown> = {}) => ({
  v: 1,
  seq,
  ts: NOW / 1000 - 10,
  lat: 36.81352,
  lon: 118.05491,
  acc: 12,
  src: 'gps',
  ...extra,
})
const bytes = (body: unknown) => Buffer.from(JSON.stringify(body))

function pipeline(over: Partial<StoredStages> = {}, provisionedAt?: number) {
  const ran: string[] = []
  const seen: Record<string, number[]> = {}
  const stage =
    (name: keyof StoredStages) =>
    (fixes: readonly Fix[]): void => {
      ran.push(name)
      seen[name] = fixes.map((f) => f.seq)
    }
  const stages: StoredStages = {
    judge: stage('judge'),
    write: async (fixes) => stage('write')(fixes),
    status: stage('status'),
    fanOut: stage('fanOut'),
    ...over,
  }
  const record = createRejectedRecord()
  const ingest = createIngest({
    stages,
    metrics: ingestMetrics(new Registry(), { queuedRows: () => 0 }),
    record,
    log: createLogger('silent'),
    now: () => NOW,
    maxFutureMs: 300_000,
    provisionedAt: async () => provisionedAt,
    setOnline: async () => {},
  })
  return { ingest, ran, seen, record }
}

describe('ingest pipeline', () => {
  it('when a band sends good reports, then they are judged, written, put in band status and fanned out, in that order', async () => {
    const p = pipeline()
    expect(await p.ingest.telemetry(BAND, bytes([fix(1), fix(2)]))).toEqual({ rejected: 0 })
    expect(p.ran).toEqual(['judge', 'write', 'status', 'fanOut'])
    expect(p.seen.fanOut).toEqual([1, 2])
  })

  it('when one report of a backlog is out of range, then it is recorded for operators and the others go on', async () => {
    const p = pipeline()
    expect(await p.ingest.telemetry(BAND, bytes([fix(1), fix(2, { lat: 91 }), fix(3)]))).toEqual({ rejected: 1 })
    expect(p.seen.write).toEqual([1, 3])
    expect(p.record.list().map((r) => ({ bandId: r.bandId, index: r.index }))).toEqual([{ bandId: BAND, index: 1 }])
  })

  it('when the judge fails, then the reports are still written and the message completes', async () => {
    const p = pipeline({
      judge: () => {
        throw new Error('geofence bug')
      },
    })
    await p.ingest.telemetry(BAND, bytes(fix(1)))
    expect(p.ran).toEqual(['write', 'status', 'fanOut'])
  })

  it('when the write fails, then status and fan-out do not run and the message fails (no acknowledgement)', async () => {
    const p = pipeline({ write: async () => Promise.reject(new Error('database away')) })
    await expect(p.ingest.telemetry(BAND, bytes(fix(1)))).rejects.toThrow('database away')
    expect(p.ran).toEqual(['judge'])
  })

  it('when a fix predates the band by more than the grace, then it goes no further than validation', async () => {
    const p = pipeline({}, NOW + PROVISIONING_GRACE_MS)
    expect(await p.ingest.telemetry(BAND, bytes(fix(1)))).toEqual({ rejected: 1 })
    expect(p.ran).toEqual([])
  })
})
