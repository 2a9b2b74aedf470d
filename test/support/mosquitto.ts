// A private Mosquitto broker on a free loopback port, for external-broker tests. The machine's
// own Mosquitto (if any) is left alone. .ci/run installs the package when it is missing.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import mqtt from 'mqtt'
import { freePort } from './cli.ts'
import { eventually } from './service.ts'

export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => existsSync(p))

export interface Mosquitto {
  url: string
  /** Re-reads the password and ACL files (SIGHUP), as `systemctl reload mosquitto` does. */
  reload(): Promise<void>
  stop(): Promise<void>
}

/** Anonymous by default; with `auth`, the given password file and ACL file, nobody anonymous. */
export async function startMosquitto(auth?: { passwordFile: string; aclFile: string }): Promise<Mosquitto> {
  if (!MOSQUITTO) throw new Error('mosquitto is not installed (apt-get install mosquitto)')
  const dir = await mkdtemp(join(tmpdir(), 'tongxing-mosquitto-'))
  // Started as root, Mosquitto drops to its own user before reading the password and ACL files.
  if (auth) for (const f of [dirname(auth.passwordFile), auth.passwordFile]) await chmod(f, f === auth.passwordFile ? 0o644 : 0o755)
  const port = await freePort()
  const conf = join(dir, 'mosquitto.conf')
  const access = auth ? `allow_anonymous false\npassword_file ${auth.passwordFile}\nacl_file ${auth.aclFile}\n` : 'allow_anonymous true\n'
  await writeFile(conf, `listener ${port} 127.0.0.1\n${access}persistence false\n`)
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' })
  const url = `mqtt://127.0.0.1:${port}`
  // Up when it answers a CONNECT at all (with auth, an anonymous one is refused: that is an answer).
  await eventually(async () => {
    const answer = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 500 }).then(
      async (c) => { await c.endAsync(); return true }, (err: { code?: number }) => typeof err.code === 'number')
    return answer
  })
  return {
    url,
    async reload() {
      child.kill('SIGHUP')
      await new Promise((r) => setTimeout(r, 300))
    },
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    }),
  }
}
