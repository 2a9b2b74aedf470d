// The demo: the service (embedded broker and database) with the simulated fleet of 1500 bands
// around Zibo driving it in real time, until Ctrl-C. Its data lives apart, in ./data-demo.
import { insertUser } from '../dashboard/index.ts'
import { createLogger, loadConfig } from '../infra/index.ts'
import { simulatorMain } from '../simulator/index.ts'
import { startService } from './service.ts'

const ADMIN = { username: 'admin', password: 'lotus-harbour-violet-71' }

async function demo(): Promise<number> {
  const loaded = loadConfig({ DATA_DIR: './data-demo', ...process.env })
  if (!loaded.ok) {
    console.error(`invalid configuration:\n  ${loaded.errors.join('\n  ')}`)
    return 2
  }
  const log = createLogger(loaded.config.logLevel === 'info' ? 'warn' : loaded.config.logLevel)
  const service = await startService(loaded.config, log)
  const exists = await service.db.query('SELECT 1 FROM users WHERE username = $1', [ADMIN.username])
  if (!exists.rowCount) await insertUser(service.db, { ...ADMIN, role: 'admin' })
  const http = `http://127.0.0.1:${service.httpPort}`
  console.log(`Tongxing demo: dashboard API ${http}, MQTT mqtt://127.0.0.1:${service.mqttPort}
  log in as ${ADMIN.username} / ${ADMIN.password} (programme admin),
  staff-centre-01 / kettle-lantern-willow-centre-01 (care staff) or family-0001 / amber-otter-meadow-0001 (family);
  alerts: ${http}/api/alerts, live socket: ws://127.0.0.1:${service.httpPort}/ws
  found-me QR cards of a centre (signed in): ${http}/api/centres/1/found-sheet; play a stranger scanning a band:
  npm run sim -- finder --url ${http} --admin ${ADMIN.username} --password ${ADMIN.password} --band <band id>
  Ctrl-C stops.`)
  process.once('SIGINT', () => void service.stop().then(() => process.exit(0)))
  process.once('SIGTERM', () => void service.stop().then(() => process.exit(0)))
  const bands = process.argv[2] ?? '1500'
  return simulatorMain([
    'run',
    '--url',
    http,
    '--broker',
    `mqtt://127.0.0.1:${service.mqttPort}`,
    '--admin',
    ADMIN.username,
    '--password',
    ADMIN.password,
    '--bands',
    bands,
    '--duration',
    '24h',
    '--scenario',
    'day',
    '--families',
    '20',
  ])
}

demo().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
