// Replay of each file format: the same walk as GPX, GeoJSON and CSV parses to the same points
// (test/out/walk.json); rows without a usable time or position are skipped and counted.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { formatOf, parseTrack, replayEvents } from './replay.ts'

const fixture = (name: string) => readFileSync(new URL(`./test/in/${name}`, import.meta.url), 'utf8')
const expected = JSON.parse(readFileSync(new URL('./test/out/walk.json', import.meta.url), 'utf8')) as unknown[]

describe('track replay', () => {
  it.each([
    ['walk.gpx', 0],
    ['walk.geojson', 0],
    ['walk.csv', 1],
  ])('when %s is read, then it yields the walk in time order', (file, skipped) => {
    const track = parseTrack(fixture(file), formatOf(file)!)
    expect(track).toEqual({ ok: true, points: expected, skipped })
  })

  it('when GeoJSON holds points with a time each, then they are read too', () => {
    const doc = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { time: 1795136430 },
          geometry: { type: 'Point', coordinates: [118.0554, 36.814] },
        },
        {
          type: 'Feature',
          properties: { time: '2026-11-20T01:00:00Z' },
          geometry: { type: 'Point', coordinates: [118.05491, 36.81352] },
        },
      ],
    }
    const track = parseTrack(JSON.stringify(doc), 'geojson')
    expect(track.ok && track.points).toEqual(expected.slice(0, 2))
  })

  it('when a file has no usable point or is not the format it claims, then the error says so', () => {
    expect(parseTrack('time,lat,lon\nnope,1,2\n', 'csv')).toEqual({
      ok: false,
      error: 'no points with a time, latitude and longitude in the csv track',
    })
    expect(parseTrack('{not json', 'geojson').ok).toBe(false)
  })

  it('when a track is replayed, then its fixes keep their pace from the chosen start, with rising seq', () => {
    const track = parseTrack(fixture('walk.gpx'), 'gpx')
    if (!track.ok) throw new Error(track.error)
    const start = Date.UTC(2026, 10, 28, 8)
    const fixes = [...replayEvents(track.points, 'b1', start)].map((e) =>
      e.type === 'publish' ? JSON.parse(e.payload) : e,
    )
    expect(fixes.map((f) => [f.seq, f.ts, f.lat])).toEqual([
      [0, start / 1000, 36.81352],
      [1, start / 1000 + 30, 36.814],
      [2, start / 1000 + 60, 36.8146],
      [3, start / 1000 + 90, 36.8153],
    ])
  })
})
