// A short simulated fleet against the real service, driven through the simulator's command line:
// it provisions over HTTP, publishes over MQTT (with bad traffic mixed in), and scores the
// service's alerts against its ground truth.
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { insertUser } from '../dashboard/index.ts'
import { simulatorMain } from '../simulator/index.ts'
import { BAND, provisionWorld } from './support/fixtures.ts'
import { startTestService } from './support/service.ts'

// [episodes, detected, missed] per kind, and [true, false] alerts, for seed 21 from 01:30 in Zibo.
const EXPECTED_SCORE = {
  rows: {
    'left_safe_zone (wander_purposeful)': [3, 3, 0],
    'left_safe_zone (wander_slow)': [10, 10, 0],
    silent_outside: [2, 1, 1],
  } as Record<string, number[]>,
  trueFalse: [15, 0],
}

describe('simulator against the real service', () => {
  let service: Service
  beforeAll(async () => {
    service = await startTestService()
    await insertUser(service.db, { username: 'admin', password: 'admin-pass-1', role: 'admin' })
    await provisionWorld(service.db)
  })
  afterAll(() => service?.stop())

  it('when 40 bands wander for a simulated hour with 3 % bad traffic, then every good fix is stored, every bad one is refused, and the score is what this engine yields', async () => {
    const truth = join(await mkdtemp(join(tmpdir(), 'tongxing-sim-')), 'truth.jsonl')
    const out: string[] = []
    const code = await simulatorMain(
      [
        'run',
        '--url',
        `http://127.0.0.1:${service.httpPort}`,
        '--broker',
        `mqtt://127.0.0.1:${service.mqttPort}`,
        '--admin',
        'admin',
        '--password',
        'admin-pass-1',
        '--bands',
        '40',
        '--seed',
        '21',
        '--speed',
        '240',
        '--duration',
        '60m',
        '--scenario',
        'wander',
        '--start',
        '2026-11-27T17:30:00Z',
        '--bad',
        '0.03',
        '--truth',
        truth,
        '--score',
        '--quiet',
      ],
      (l) => out.push(l),
      () => undefined,
    )
    const text = out.join('\n')
    if (process.env.SHOW_SCORE) console.log(text)
    expect(code, text).toBe(0)

    // Nothing good lost: the service accepted exactly the good fixes the bands sent.
    const [, sent, accepted] = /good fixes sent (\d+), accepted by the service (\d+)/.exec(text)!
    expect(Number(sent)).toBeGreaterThan(4000)
    expect(accepted).toBe(sent)
    const stored = await service.db.query<{ n: number }>(
      'SELECT count(DISTINCT (band_id, fix_time, seq))::int AS n FROM positions',
    )
    expect(stored.rows[0]!.n).toBeGreaterThan(4000)
    // Every malformed, oversized, out-of-range and far-future message was refused with its reason.
    for (const m of text.matchAll(
      /bad (malformed|oversized|out_of_range|far_future): sent (\d+), rejected as \w+ (\d+)/g,
    ))
      expect(m[3]).toBe(m[2])
    expect(text).toMatch(/bad spoofed_topic: sent \d+, rejected as unauthorised_topic [1-9]/)

    // The truth file holds the run and its labelled episodes.
    const lines = (await readFile(truth, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; kind?: string; mustAlert?: boolean })
    expect(lines[0]).toMatchObject({ type: 'run', bands: 40, seed: 21, scenario: 'wander' })
    const wanders = lines.filter((l) => l.type === 'label' && l.kind === 'left_safe_zone' && l.mustAlert)
    expect(wanders.length).toBeGreaterThan(3)

    // The engine's score on this run: every wander caught, no false alert. Of the two wearers who
    // went silent outside, one was confirmed out before the silence; the other fell silent before
    // a second fix confirmed the exit, and the "left, then silent" timer counts wall-clock minutes,
    // which a 240× run does not wait for (test/geofence-service.test.ts covers that rule).
    const rows = Object.fromEntries(
      [...text.matchAll(/^(\S+(?: \(\w+\))?)\s+(\d+)\s+(\d+)\s+(\d+)\s/gm)].map((m) => [
        m[1],
        m.slice(2, 5).map(Number),
      ]),
    )
    expect(rows).toEqual(EXPECTED_SCORE.rows)
    expect(/true alerts: (\d+)\s+false alerts: (\d+)/.exec(text)!.slice(1, 3).map(Number)).toEqual(
      EXPECTED_SCORE.trueFalse,
    )
  }, 120_000)

  it("when a GPX walk is replayed as a provisioned band, then its four fixes are stored with the walk's pace", async () => {
    const out: string[] = []
    const gpx = new URL('../simulator/test/in/walk.gpx', import.meta.url).pathname
    const code = await simulatorMain(
      [
        'replay',
        gpx,
        '--band',
        BAND.id,
        '--secret',
        BAND.secret,
        '--speed',
        '30',
        '--broker',
        `mqtt://127.0.0.1:${service.mqttPort}`,
        '--quiet',
      ],
      (l) => out.push(l),
      () => undefined,
    )
    expect(code, out.join('\n')).toBe(0)
    const r = await service.db.query<{ seq: number; lat: number; ts: number }>(
      'SELECT seq, lat, extract(epoch FROM fix_time)::float8 AS ts FROM positions WHERE band_id = $1 ORDER BY seq',
      [BAND.id],
    )
    expect(r.rows.map((x) => [x.seq, x.lat])).toEqual([
      [0, 36.81352],
      [1, 36.814],
      [2, 36.8146],
      [3, 36.8153],
    ])
    expect(r.rows.map((x) => Math.round(x.ts - r.rows[0]!.ts))).toEqual([0, 30, 60, 90])
  })

  it('when load mode offers 40 bands at 100 fixes/s for 3 s, then the service accepts every fix and each report it lists as acknowledged is a row', async () => {
    const acked = join(await mkdtemp(join(tmpdir(), 'tongxing-sim-')), 'acked')
    const out: string[] = []
    const code = await simulatorMain(
      [
        'load',
        '--url',
        `http://127.0.0.1:${service.httpPort}`,
        '--broker',
        `mqtt://127.0.0.1:${service.mqttPort}`,
        '--admin',
        'admin',
        '--password',
        'admin-pass-1',
        '--bands',
        '40',
        '--rate',
        '100',
        '--duration',
        '3s',
        '--quiet',
        '--acked',
        acked,
      ],
      (l) => out.push(l),
      () => undefined,
    )
    const text = out.join('\n')
    expect(code, text).toBe(0)
    expect(text).toMatch(/published 300, acknowledged 300, failed 0/)
    expect(text).toMatch(/service accepted 300$/m)
    // bench:kill's ledger: "BAND SEQ" per PUBACK, each one a stored row.
    const lines = (await readFile(acked, 'utf8')).trim().split('\n')
    expect(lines).toHaveLength(300)
    const rows = await service.db.query<{ key: string }>(
      `SELECT band_id || ' ' || seq AS key FROM positions WHERE band_id LIKE 'load-%'`,
    )
    expect(new Set(rows.rows.map((r) => r.key))).toEqual(new Set(lines))
  })
})
