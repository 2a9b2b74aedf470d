// The command line: `serve` (the default), `migrate`, and provisioning commands.
// This is the only place that reads process.env.
import { parseArgs } from 'node:util'
import {
  applyLifecycle,
  configTableText,
  createLogger,
  envFileText,
  loadConfig,
  migrate,
  type Config,
  type Logger,
} from '../infra/index.ts'
import { mosquittoPasswordFile } from '../ingest/index.ts'
import { withDatabase } from './database.ts'
import { PROVISION_USAGE, UsageError, parseProvision } from './provision.ts'
import { startService } from './service.ts'

const USAGE = `usage: tongxing <command>
  serve                        run the service (embedded broker and database unless configured otherwise)
  env-file                     print every setting with its meaning and default (infra/tongxing.env)
  config-table                 print every setting as the README's Markdown table
  vapid-keys                   print a new VAPID key pair for Web Push (WEBPUSH_PUBLIC_KEY, WEBPUSH_PRIVATE_KEY)
  migrate                      apply database migrations and the retention/compression settings, and exit
  mosquitto-passwd [--service-user NAME --service-password PASSWORD]
                               print a Mosquitto password file for every band (external broker mode;
                               see infra/mosquitto/)${PROVISION_USAGE}
configuration comes from the environment; see the README's table.`

async function main(argv: string[]): Promise<number> {
  const loaded = loadConfig(process.env)
  if (!loaded.ok) {
    console.error(`invalid configuration:\n  ${loaded.errors.join('\n  ')}`)
    return 2
  }
  const config = loaded.config
  const [command = 'serve', ...args] = argv
  if (command === 'serve') return serve(config)
  if (command === 'env-file') {
    process.stdout.write(envFileText())
    return 0
  }
  if (command === 'config-table') {
    process.stdout.write(configTableText())
    return 0
  }
  if (command === 'vapid-keys') {
    const { default: webPush } = await import('web-push')
    const k = webPush.generateVAPIDKeys()
    console.log(`WEBPUSH_PUBLIC_KEY=${k.publicKey}\nWEBPUSH_PRIVATE_KEY=${k.privateKey}`)
    return 0
  }
  if (command === 'help' || command === '--help') {
    console.log(USAGE)
    return 0
  }
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel)
  if (command === 'migrate') {
    await withDatabase(config, log, async (db) => {
      const done = await migrate(db, log)
      await applyLifecycle(db, done.engine, {
        retentionDays: config.retentionDays,
        compressAfterDays: config.compressAfterDays,
      })
      console.log(JSON.stringify(done))
    })
    return 0
  }
  if (command === 'mosquitto-passwd') return mosquittoPasswd(config, log, args)
  let action: Awaited<ReturnType<typeof parseProvision>>
  try {
    action = await parseProvision([command, ...args], { stdin: firstLineOfStdin })
  } catch (err) {
    if (!(err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) throw err
    console.error(`${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  console.log(JSON.stringify(await withDatabase(config, log, action)))
  return 0
}

/** Standard input's first line, without its line end (a password piped or typed in). */
async function firstLineOfStdin(): Promise<string> {
  let text = ''
  for await (const chunk of process.stdin) {
    text += String(chunk)
    if (text.includes('\n')) break
  }
  return text.split(/\r?\n/)[0]!
}

async function mosquittoPasswd(config: Config, log: Logger, args: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args,
    options: { 'service-user': { type: 'string' }, 'service-password': { type: 'string' } },
    strict: true,
  })
  const user = v['service-user']
  const password = v['service-password']
  if ((user === undefined) !== (password === undefined)) {
    console.error('--service-user and --service-password come together')
    return 2
  }
  const file = await withDatabase(config, log, (db) =>
    mosquittoPasswordFile(db, user ? { username: user, password: password! } : undefined),
  )
  process.stdout.write(file.text)
  if (file.missing > 0)
    console.error(
      `${file.missing} band(s) provisioned before broker hashes existed are not in the file: give them a new secret (band add --id …)`,
    )
  return 0
}

async function serve(config: Config): Promise<number> {
  const log = createLogger(config.logLevel)
  let service: Awaited<ReturnType<typeof startService>>
  try {
    service = await startService(config, log)
  } catch (err) {
    log.fatal({ err }, 'Tongxing could not start')
    console.error(`\nTongxing could not start: ${(err as Error).message}`)
    return 1
  }
  const running = service
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down')
      running.stop().then(
        () => resolve(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed')
          resolve(1)
        },
      )
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
