// MQTT over TLS on the embedded broker, with a certificate made for the test: a band connects
// and its report is stored; with MQTT_PLAIN=off the plain port is not opened at all; settings
// that cannot work together are refused with a message.
import { readFile } from 'node:fs/promises'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../bin/service.ts'
import { loadConfig } from '../infra/index.ts'
import { BAND, fixNorth, provisionWorld } from './support/fixtures.ts'
import { startTestService } from './support/service.ts'
import { selfSignedCertificate } from './support/certificate.ts'

describe('MQTT over TLS', () => {
  let tls: { cert: string; key: string }
  let service: Service

  beforeAll(async () => {
    tls = await selfSignedCertificate()
    service = await startTestService({
      MQTT_TLS_PORT: '0',
      MQTT_TLS_CERT: tls.cert,
      MQTT_TLS_KEY: tls.key,
      MQTT_PLAIN: 'off',
    })
    await provisionWorld(service.db)
  })
  afterAll(() => service?.stop())

  it('when a band connects over TLS trusting the certificate, then its report is acknowledged and stored', async () => {
    const band = await mqtt.connectAsync(`mqtts://127.0.0.1:${service.mqttTlsPort}`, {
      clientId: BAND.id,
      username: BAND.id,
      password: BAND.secret,
      reconnectPeriod: 0,
      ca: await readFile(tls.cert),
      servername: 'localhost',
    })
    await band.publishAsync(`bands/${BAND.id}/telemetry`, JSON.stringify(fixNorth(1, 0, Date.now() - 1000)), { qos: 1 })
    await band.endAsync()
    const r = await service.db.query('SELECT seq::int AS seq FROM positions WHERE band_id = $1', [BAND.id])
    expect(r.rows).toEqual([{ seq: 1 }])
  })

  it('when a client does not trust the certificate, then the TLS handshake fails', async () => {
    await expect(
      mqtt.connectAsync(`mqtts://127.0.0.1:${service.mqttTlsPort}`, {
        clientId: BAND.id,
        username: BAND.id,
        password: BAND.secret,
        reconnectPeriod: 0,
        connectTimeout: 3000,
      }),
    ).rejects.toThrow(/self[- ]signed|certificate/i)
  })

  it('when plain MQTT is turned off, then there is no plain listener', () => {
    expect(service.mqttPort).toBeUndefined()
    expect(service.mqttTlsPort).toBeGreaterThan(0)
  })

  it('when TLS settings are incomplete, then the configuration is refused naming the keys', () => {
    const r = loadConfig({ MQTT_TLS_CERT: '/etc/cert.pem' })
    expect(r).toMatchObject({ ok: false, errors: ['MQTT_TLS_CERT and MQTT_TLS_KEY: set both or neither'] })
    expect(loadConfig({ MQTT_PLAIN: 'off' })).toMatchObject({ ok: false })
  })
})
