// A private Mosquitto broker on a free loopback port, for external-broker tests. The machine's
// own Mosquitto (if any) is left alone. .ci/run installs the package when it is missing.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { freePort } from './cli.ts'
import { eventually } from './service.ts'

export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => existsSync(p))

export interface Mosquitto {
  url: string
  stop(): Promise<void>
}

export async function startMosquitto(): Promise<Mosquitto> {
  if (!MOSQUITTO) throw new Error('mosquitto is not installed (apt-get install mosquitto)')
  const dir = await mkdtemp(join(tmpdir(), 'tongxing-mosquitto-'))
  const port = await freePort()
  const conf = join(dir, 'mosquitto.conf')
  await writeFile(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`)
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' })
  const url = `mqtt://127.0.0.1:${port}`
  await eventually(async () => {
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 500 }).catch(() => undefined)
    await c?.endAsync()
    return c !== undefined
  })
  return {
    url,
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    }),
  }
}
