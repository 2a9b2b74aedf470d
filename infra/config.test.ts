// The settings this change added refuse what cannot work, each with a message naming the key.
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'

const errors = (env: Record<string, string>) => {
  const r = loadConfig(env)
  return r.ok ? [] : r.errors
}

describe('scale-out and lifecycle settings', () => {
  it('when a worker or dashboard role lacks the server database or the external broker, then it is refused', () => {
    expect(errors({ ROLE: 'worker', MQTT_URL: 'mqtt://broker:1883' })).toEqual([
      expect.stringMatching(/^ROLE=worker: .*DATABASE_URL.*MQTT_URL/),
    ])
    expect(errors({ ROLE: 'dashboard', DATABASE_URL: 'postgres://db/tongxing' })).toEqual([
      expect.stringMatching(/^ROLE=dashboard: /),
    ])
    expect(errors({ ROLE: 'worker', MQTT_URL: 'mqtt://broker:1883', DATABASE_URL: 'postgres://db/tongxing' })).toEqual(
      [],
    )
    const unknown = errors({ ROLE: 'ingest' })
    expect(unknown.length).toBeGreaterThan(0)
    for (const e of unknown) expect(e).toMatch(/^ROLE="ingest"/)
  })

  it('when retention is too short for the hourly summaries or compression comes after it, then it is refused; 0 keeps positions forever', () => {
    expect(errors({ RETENTION_DAYS: '5', COMPRESS_AFTER_DAYS: '3' })).toEqual([
      'RETENTION_DAYS: at least 8 (or 0 to keep positions forever)',
    ])
    expect(errors({ RETENTION_DAYS: '30', COMPRESS_AFTER_DAYS: '30' })).toEqual([
      'COMPRESS_AFTER_DAYS must be less than RETENTION_DAYS',
    ])
    expect(errors({ RETENTION_DAYS: '0', COMPRESS_AFTER_DAYS: '400' })).toEqual([])
    expect(errors({ MQTT_SHARED_CONNECTIONS: '0' })).toEqual([expect.stringMatching(/^MQTT_SHARED_CONNECTIONS=0/)])
  })
})
