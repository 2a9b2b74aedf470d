// The broker's cost: the same QoS 1 traffic (N bands, one fix a message, a few in flight each)
// against Tongxing's embedded broker (authentication, ACL, decoding, and a PUBACK only once the
// fix is in the database), against bare aedes (no hooks: PUBACK on receipt, nothing stored) and
// against Mosquitto (anonymous, nothing stored) on the same machine. The bands run in their own
// process; the figure is messages acknowledged per second.
//
//   npm run bench:broker -- [--bands 1500] [--fixes 20]
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Aedes } from 'aedes'
import { startService } from '../bin/service.ts'
import { createLogger, loadConfig } from '../infra/index.ts'
import { upsertBand } from '../ingest/index.ts'
import { loadBandId, loadSecret } from '../simulator/load.ts'
import { freePort } from '../test/support/cli.ts'
import { machine } from './support/bench.ts'

const { values: v } = parseArgs({
  options: { bands: { type: 'string', default: '1500' }, fixes: { type: 'string', default: '20' } },
})
const BANDS = Number(v.bands),
  FIXES = Number(v.fixes),
  SEED = 4
const ROOT = fileURLToPath(new URL('../', import.meta.url))
const START = Date.now() - 3_600_000

function publish(port: number): Promise<{ acked: number; ms: number }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/support/publisher.ts',
      `mqtt://127.0.0.1:${port}`,
      String(BANDS),
      String(FIXES),
      '1',
      '4',
      String(START),
      String(SEED),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString()
  })
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!) as { acked: number; ms: number })
        : reject(new Error(`publisher exited ${code}`)),
    ),
  )
}

const rows: { broker: string; perS: number }[] = []

// Tongxing: the whole service, embedded PGlite.
{
  const loaded = loadConfig({
    PORT: '0',
    MQTT_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATA_DIR: await mkdtemp(join(tmpdir(), 'tongxing-broker-')),
  })
  if (!loaded.ok) throw new Error(loaded.errors.join('; '))
  const service = await startService(loaded.config, createLogger('silent'))
  for (let i = 0; i < BANDS; i++) await upsertBand(service.db, loadBandId(i), loadSecret(SEED, i))
  const r = await publish(service.mqttPort!)
  rows.push({ broker: 'Tongxing (aedes + auth, ACL, decoding, durable PUBACK)', perS: r.acked / (r.ms / 1000) })
  await service.stop()
}

// Bare aedes: the same library with no hooks.
{
  const aedes = await Aedes.createBroker()
  const server = createServer(aedes.handle)
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()))
  const r = await publish(port)
  rows.push({ broker: 'bare aedes (no hooks, nothing stored)', perS: r.acked / (r.ms / 1000) })
  server.close()
  await new Promise<void>((resolve) => aedes.close(() => resolve()))
}

// Mosquitto, when installed.
const mosquitto = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p))
if (mosquitto && spawnSync(mosquitto, ['-h']).status !== null) {
  const dir = await mkdtemp(join(tmpdir(), 'tongxing-mosq-'))
  const port = await freePort()
  await writeFile(
    join(dir, 'm.conf'),
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_inflight_messages 0\n`,
  )
  const child = spawn(mosquitto, ['-c', join(dir, 'm.conf')], { stdio: 'ignore' })
  await new Promise((r) => setTimeout(r, 500))
  const r = await publish(port)
  rows.push({ broker: 'Mosquitto 2 (anonymous, nothing stored)', perS: r.acked / (r.ms / 1000) })
  child.kill()
}

const base = rows.find((r) => r.broker.startsWith('bare aedes'))!.perS
console.log(`# broker ratio — ${BANDS} bands × ${FIXES} QoS 1 messages, 4 in flight each; ${machine()}`)
console.log('| broker | messages acknowledged per second | ÷ bare aedes |')
console.log('|---|---|---|')
for (const r of rows)
  console.log(`| ${r.broker} | ${Math.round(r.perS).toLocaleString('en')} | ${(r.perS / base).toFixed(2)} |`)
process.exit(0)
