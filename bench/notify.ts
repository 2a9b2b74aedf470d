// Notifications under a burst, as a power cut would cause: 1500 residents with a family contact each,
// 22 centres with a WeCom group; BURST bands press SOS at the same moment over MQTT; the time from
// the press to each message reaching the SMS or WeCom stand-in (p50, p99, max). Then the outbox's
// throughput: BULK alerts written at once, and the messages handed to providers per second until
// it drains. The service runs in this process (stand-ins and bands too), so the figures include
// their CPU; the stand-ins answer at once.
//
//   [BENCH_DATABASE_URL=postgres://…] npm run bench:notify -- [--residents 1500] [--burst 100] [--rounds 3] [--bulk 1000]
import { mkdtemp } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import mqtt from 'mqtt'
import { startService } from '../bin/service.ts'
import { createLogger, loadConfig } from '../infra/index.ts'
import { upsertBand } from '../ingest/index.ts'
import { freePort } from '../test/support/cli.ts'
import { SMS_TEMPLATES, chatStandIn, providerEnv, smsStandIn, type Received } from '../test/support/providers.ts'
import { freshDatabase } from './support/service-process.ts'

const { values: v } = parseArgs({
  options: {
    residents: { type: 'string', default: '1500' },
    burst: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '3' },
    bulk: { type: 'string', default: '1000' },
  },
})
const RESIDENTS = Number(v.residents),
  BURST = Number(v.burst),
  ROUNDS = Number(v.rounds),
  BULK = Number(v.bulk)
const CENTRES = 22
const KEYS = { keyId: 'LTAI-bench', secret: 'bench-secret' }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const sms = await smsStandIn({ ...KEYS, signName: '同行', templates: SMS_TEMPLATES })
const chat = await chatStandIn({ wecomKey: 'wk-bench', dingtalkToken: 'x', dingtalkSecret: 'x', webhookSecret: 'x' })
const server = process.env.BENCH_DATABASE_URL
const database = server ? await freshDatabase(server, 'tongxing_notify') : undefined
const cfg = loadConfig({
  ...providerEnv(sms, KEYS),
  PORT: String(await freePort()),
  MQTT_PORT: String(await freePort()),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'error',
  ...(database
    ? { DATABASE_URL: database.url }
    : { DATA_DIR: await mkdtemp(join(tmpdir(), 'tongxing-bench-notify-')) }),
})
if (!cfg.ok) throw new Error(cfg.errors.join('; '))
const service = await startService(cfg.config, createLogger(cfg.config.logLevel))
const db = service.db

// The fleet: centres with a WeCom group, residents with one contact each, a band for each.
await db.query(`INSERT INTO care_centres (name) SELECT 'Centre ' || g FROM generate_series(1, $1) g`, [CENTRES])
await db.query(
  `INSERT INTO centre_channels (care_centre_id, kind, name, url) SELECT id, ` +
    `'wecom', name || ' group', $1 FROM care_centres`,
  [`http://127.0.0.1:${chat.port}/wecom?key=wk-bench`],
)
await db.query(
  `INSERT INTO residents (display_name, care_centre_id)
  SELECT 'R' || lpad(g::text, 4, '0'), (SELECT id FROM care_centres ORDER BY id OFFSET g % $2 LIMIT 1) FROM generate_series(1, $1) g`,
  [RESIDENTS, CENTRES],
)
await db.query(`INSERT INTO resident_contacts (resident_id, position, name, phone)
  SELECT id, 1, '家属', '139' || lpad(id::text, 8, '0') FROM residents`)
const residents = (
  await db.query<{ id: number; display_name: string }>('SELECT id, display_name FROM residents ORDER BY id')
).rows
for (const r of residents) await upsertBand(db, `bench-${r.id}`, `bench-secret-${r.id}-abcdef`, r.id)
await sleep(3000) // the geofence loads the bands

const pct = (xs: number[], p: number) =>
  xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!
const latencies: { sms: number[]; wecom: number[] } = { sms: [], wecom: [] }

for (let round = 0; round < ROUNDS; round++) {
  const pressers = residents.slice(round * BURST, (round + 1) * BURST)
  const clients = await Promise.all(
    pressers.map((r) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${service.mqttPort}`, {
        clientId: `bench-${r.id}`,
        username: `bench-${r.id}`,
        password: `bench-secret-${r.id}-abcdef`,
        reconnectPeriod: 0,
      }),
    ),
  )
  const smsBefore = sms.received.length,
    chatBefore = chat.received.length
  const pressed = Date.now()
  await Promise.all(
    clients.map((c, i) =>
      c.publishAsync(
        `bands/bench-${pressers[i]!.id}/telemetry`,
        JSON.stringify({ v: 1, seq: round + 1, ts: pressed / 1000, evt: ['sos'], batt: 80 }),
        { qos: 1 },
      ),
    ),
  )
  const deadline = Date.now() + 60_000
  while (
    (sms.received.length - smsBefore < BURST || chat.received.length - chatBefore < BURST) &&
    Date.now() < deadline
  )
    await sleep(20)
  const took = (rs: Received[]) => rs.map((r) => r.at - pressed)
  latencies.sms.push(...took(sms.received.slice(smsBefore)))
  latencies.wecom.push(...took(chat.received.slice(chatBefore)))
  await Promise.all(clients.map((c) => c.endAsync()))
  // Close this round's alerts (and let their closing messages go) before the next.
  await db.query(
    `UPDATE alerts SET status = 'resolved', resolved_at = now(), resolved_by ` +
      `= 0, resolution_note = 'bench' WHERE status <> 'resolved'`,
  )
  await waitDrained()
}

async function waitDrained(): Promise<void> {
  for (;;) {
    const r = await db.query<{
      n: number
    }>(`SELECT (SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending'))
      + (SELECT count(*) FROM alert_changes WHERE planned_at IS NULL) AS n`)
    if (Number(r.rows[0]!.n) === 0) return
    await sleep(50)
  }
}

// Throughput: BULK alerts at once (written together, as a database restore or a mass event would);
// the outbox drains them at its own pace (the poll picks them up: they did not come through this process's geofence).
const sentBefore = Number(
  (await db.query<{ n: number }>(`SELECT count(*) AS n FROM deliveries WHERE status = 'sent'`)).rows[0]!.n,
)
const t0 = performance.now()
await db.query(
  `INSERT INTO alerts (resident_id, band_id, kind, severity, fix_time, evidence)
  SELECT id, 'bench-' || id, 'fall', 'critical', now(), '{}' FROM residents ORDER BY id LIMIT $1`,
  [BULK],
)
await waitDrained()
const seconds = (performance.now() - t0) / 1000
const sent =
  Number((await db.query<{ n: number }>(`SELECT count(*) AS n FROM deliveries WHERE status = 'sent'`)).rows[0]!.n) -
  sentBefore

const row = (what: string, xs: number[]) =>
  `| ${what} | ${xs.length} | ${pct(xs, 50)} | ${pct(xs, 99)} | ${Math.max(...xs)} |`
console.log(
  `\nnpm run bench:notify -- --residents ${RESIDENTS} --burst ${BURST} --rounds ${ROUNDS} --bulk ${BULK}` +
    `  (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ${database ? 'PostgreSQL server' : 'embedded PGlite'})`,
)
console.log(`\nBurst: ${BURST} bands press SOS at once; from the press to the message at the provider (ms)\n`)
console.log('| message | count | p50 | p99 | max |\n|---|---|---|---|---|')
console.log(row('SMS to the first contact', latencies.sms))
console.log(row('WeCom group', latencies.wecom))
console.log(row('all', [...latencies.sms, ...latencies.wecom]))
console.log(
  `\nOutbox throughput: ${BULK} critical alerts written at once -> ${sent} ` +
    `messages handed to providers in ${seconds.toFixed(1)} s` +
    ` = ${Math.round(sent / seconds)} messages/s (NOTIFY_CONCURRENCY=${cfg.config.notifyConcurrency})`,
)

await service.stop()
await sms.close()
await chat.close()
await database?.drop()
