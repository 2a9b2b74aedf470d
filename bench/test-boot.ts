// How long an integration test waits for its service: the embedded database created and migrated
// from scratch, against a copy of a migrated template directory (what test/support/pglite-template.ts
// gives every test file). Prints the median of --runs boots each way and the ratio.
// `npx tsx bench/test-boot.ts [--runs 3]`
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startService } from '../bin/service.ts'
import { createLogger, loadConfig } from '../infra/index.ts'
import { migratedDataDir } from '../test/support/pglite-template.ts'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } })
const runs = Number(values.runs)
const log = createLogger('silent')

async function boot(dataDir: string): Promise<number> {
  const loaded = loadConfig({ PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATA_DIR: dataDir })
  if (!loaded.ok) throw new Error(loaded.errors.join('; '))
  const started = performance.now()
  const service = await startService(loaded.config, log)
  const ms = performance.now() - started
  await service.stop()
  return ms
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const tpl = await migratedDataDir()
const fresh: number[] = []
const copied: number[] = []
for (let i = 0; i < runs; i++) {
  const a = await mkdtemp(join(tmpdir(), 'tongxing-bench-'))
  fresh.push(await boot(a))
  const b = await mkdtemp(join(tmpdir(), 'tongxing-bench-'))
  const t = performance.now()
  await cp(join(tpl, 'pglite'), join(b, 'pglite'), { recursive: true })
  copied.push(performance.now() - t + (await boot(b)))
  await Promise.all([rm(a, { recursive: true, force: true }), rm(b, { recursive: true, force: true })])
}
await rm(tpl, { recursive: true, force: true })
console.log(`${new Date().toISOString()}  service boot, median of ${runs}`)
console.log(`fresh PGlite, migrated:   ${median(fresh).toFixed(0)} ms`)
console.log(`copied template (incl. copy): ${median(copied).toFixed(0)} ms`)
console.log(`ratio fresh / template:   ${(median(fresh) / median(copied)).toFixed(1)}`)
