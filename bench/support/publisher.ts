// The band side of the ingest benchmark, in its own process so it does not share a core's time
// with the service: N bands connect, each publishes its fixes (`per` to a message) at QoS 1 with
// up to `window` messages in flight, and the time from the first publish to the last PUBACK is
// reported. A PUBACK means durable, so that is the time to make them all durable.
//
//   tsx bench/support/publisher.ts URL BANDS FIXES_PER_BAND PER_MESSAGE WINDOW START_MS SEED
import mqtt from 'mqtt'
import { loadBandId, loadSecret } from '../../simulator/load.ts'

const [url, bandsArg, fixesArg, perArg, windowArg, startArg, seedArg] = process.argv.slice(2)
const bands = Number(bandsArg),
  fixes = Number(fixesArg),
  per = Number(perArg),
  window = Number(windowArg)
const start = Number(startArg),
  seed = Number(seedArg)

const clients = await Promise.all(
  Array.from({ length: bands }, (_, i) =>
    mqtt.connectAsync(url!, {
      clientId: loadBandId(i),
      username: loadBandId(i),
      password: loadSecret(seed, i),
      reconnectPeriod: 0,
      connectTimeout: 30_000,
    }),
  ),
)

const fix = (i: number, k: number) => ({
  v: 1,
  seq: k,
  ts: (start + k * 1000) / 1000,
  lat: 36.8 + (i % 100) * 1e-4,
  lon: 118 + k * 1e-6,
  acc: 6,
  src: 'gps',
  batt: 80,
})

async function band(i: number): Promise<number> {
  const c = clients[i]!
  const messages: string[] = []
  for (let k = 0; k < fixes; k += per) {
    const batch = Array.from({ length: Math.min(per, fixes - k) }, (_, j) => fix(i, k + j))
    messages.push(JSON.stringify(per === 1 ? batch[0] : batch))
  }
  let next = 0
  let acked = 0
  const lane = async () => {
    while (next < messages.length) {
      const m = messages[next++]!
      await c.publishAsync(`bands/${loadBandId(i)}/telemetry`, m, { qos: 1 })
      acked++
    }
  }
  await Promise.all(Array.from({ length: window }, lane))
  return acked
}

const t0 = performance.now()
const acked = (await Promise.all(clients.map((_, i) => band(i)))).reduce((a, b) => a + b, 0)
const ms = performance.now() - t0
await Promise.all(clients.map((c) => c.endAsync()))
console.log(JSON.stringify({ acked, ms }))
