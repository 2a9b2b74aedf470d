// The practitioner's pipeline the capacity bench (--baseline) sets beside Tongxing: an mqtt.js
// subscriber to Mosquitto that gathers reports into typed arrays and writes each batch with one
// INSERT … SELECT FROM unnest(…) into a positions table like Tongxing's (same columns, key and
// index). Mosquitto acknowledges a report on receipt, before anything is stored. Plain JavaScript
// so it runs without the TypeScript loader, as such a subscriber would be deployed.
//
//   node bench/support/baseline-subscriber.mjs BROKER_URL DATABASE_URL TABLE [FLUSH_MS] [CLIENT_ID]
//
// With CLIENT_ID it keeps a persistent session (clean: false), so Mosquitto holds the reports
// that arrive while it is down and sends them when it comes back (bench:kill restarts it so).
// Prints `backend PID` (the PostgreSQL backend serving it) once connected and subscribed.
import mqtt from 'mqtt'
import pg from 'pg'

const [brokerUrl, databaseUrl, table, flushMs = '100', clientId] = process.argv.slice(2)
if (!brokerUrl || !databaseUrl || !/^[a-z_][a-z0-9_]*$/.test(table ?? ''))
  throw new Error('usage: baseline-subscriber.mjs BROKER_URL DATABASE_URL TABLE [FLUSH_MS] [CLIENT_ID]')

const INSERT = `INSERT INTO ${table} (band_id, fix_time, seq, lat, lon, acc, src, batt)
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::float8[], $5::float8[], $6::real[],
    $7::text[], $8::smallint[])
  ON CONFLICT DO NOTHING`

const db = new pg.Client({ connectionString: databaseUrl })
await db.connect()
const backend = (await db.query('SELECT pg_backend_pid() AS pid')).rows[0].pid

let rows = emptyBatch()
function emptyBatch() {
  return { band: [], time: [], seq: [], lat: [], lon: [], acc: [], src: [], batt: [] }
}
let writing = false
async function flush() {
  if (writing || rows.band.length === 0) return
  writing = true
  const b = rows
  rows = emptyBatch()
  try {
    await db.query(INSERT, [b.band, b.time, b.seq, b.lat, b.lon, b.acc, b.src, b.batt])
  } finally {
    writing = false
  }
}
setInterval(() => flush().catch((err) => console.error(err)), Number(flushMs))

const client = mqtt.connect(brokerUrl, { clientId: clientId ?? `baseline-${process.pid}`, clean: !clientId })
client.on('message', (topic, payload) => {
  const bandId = topic.split('/')[1]
  const f = JSON.parse(payload.toString())
  rows.band.push(bandId)
  rows.time.push(new Date(f.ts * 1000).toISOString())
  rows.seq.push(f.seq)
  rows.lat.push(f.lat)
  rows.lon.push(f.lon)
  rows.acc.push(f.acc ?? null)
  rows.src.push(f.src ?? null)
  rows.batt.push(f.batt ?? null)
})
client.on('connect', () =>
  client.subscribe('bands/+/telemetry', { qos: 1 }, (err) => {
    if (err) throw err
    console.log(`backend ${backend}`)
  }),
)
