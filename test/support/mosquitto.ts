// A private Mosquitto broker on free loopback ports, for external-broker tests. The machine's
// own Mosquitto (if any) is left alone. .ci/run installs the package when it is missing.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { chmod, chown, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import { execFileSync } from 'node:child_process'
import mqtt from 'mqtt'
import { freePort } from './cli.ts'
import { eventually } from './service.ts'

export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) =>
  existsSync(p),
)

export interface Mosquitto {
  /** Where bands connect. */
  url: string
  /** Where the service connects (the shipped configuration gives it a listener of its own). */
  serviceUrl: string
  /** Re-reads the password and ACL files (SIGHUP), as `systemctl reload mosquitto` does. */
  reload(): Promise<void>
  stop(): Promise<void>
  /** SIGKILL: no chance to save anything. */
  kill(): Promise<void>
  /** Starts it again on the same ports and configuration (after kill or stop). */
  restart(): Promise<void>
}

export interface MosquittoAuth {
  passwordFile: string
  aclFile: string
}

export interface MosquittoOptions {
  /** The configuration for these ports and this data directory; default: anonymous, in memory. */
  config?: (p: { bandPort: number; servicePort: number; dataDir: string }) => string
  /** This password file and ACL file, made readable to Mosquitto; the default configuration uses them,
   *  nobody anonymous. */
  auth?: MosquittoAuth
  /** Lines added to the default configuration. */
  extra?: string
}

/** Anonymous by default; with `auth`, the given password file and ACL file, nobody anonymous. */
export async function startMosquitto(opts: MosquittoOptions | MosquittoAuth = {}): Promise<Mosquitto> {
  if (!MOSQUITTO) throw new Error('mosquitto is not installed (apt-get install mosquitto)')
  const o: MosquittoOptions = 'passwordFile' in opts ? { auth: opts } : opts
  const dir = await mkdtemp(join(tmpdir(), 'tongxing-mosquitto-'))
  // Started as root, Mosquitto drops to its own user before reading the password and ACL files
  // and writing its persistence.
  if (o.auth) {
    await chmod(dirname(o.auth.passwordFile), 0o755)
    await chmod(o.auth.passwordFile, 0o644)
  }
  if (userInfo().uid === 0) await chownToMosquitto(dir)
  const bandPort = await freePort()
  const servicePort = o.config ? await freePort() : bandPort
  const conf = join(dir, 'mosquitto.conf')
  const access = o.auth
    ? `allow_anonymous false\npassword_file ${o.auth.passwordFile}\nacl_file ${o.auth.aclFile}\n`
    : 'allow_anonymous true\n'
  const plain = `listener ${bandPort} 127.0.0.1\n${access}persistence false\n${o.extra ?? ''}`
  await writeFile(conf, o.config ? o.config({ bandPort, servicePort, dataDir: dir }) : plain)
  const url = `mqtt://127.0.0.1:${bandPort}`
  let child: ChildProcess
  const start = async () => {
    child = spawn(MOSQUITTO, ['-c', conf], { stdio: process.env.MOSQUITTO_DEBUG ? 'inherit' : 'ignore' })
    // Up when it answers a CONNECT at all (with auth, an anonymous one is refused: that is an answer).
    await eventually(async () => {
      const answer = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 500 }).then(
        async (c) => {
          await c.endAsync()
          return true
        },
        (err: { code?: number }) => typeof err.code === 'number',
      )
      return answer
    })
  }
  const exit = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill(signal)
    })
  await start()
  return {
    url,
    serviceUrl: `mqtt://127.0.0.1:${servicePort}`,
    async reload() {
      child.kill('SIGHUP')
      await new Promise((r) => setTimeout(r, 300))
    },
    stop: () => exit('SIGTERM'),
    kill: () => exit('SIGKILL'),
    restart: start,
  }
}

async function chownToMosquitto(dir: string) {
  try {
    const uid = Number(execFileSync('id', ['-u', 'mosquitto']).toString())
    const gid = Number(execFileSync('id', ['-g', 'mosquitto']).toString())
    await chown(dir, uid, gid)
  } catch {
    /* no such user: Mosquitto then keeps running as root */
  }
}

const SHIPPED = new URL('../../infra/mosquitto/mosquitto.conf', import.meta.url)

/**
 * infra/mosquitto/mosquitto.conf as shipped, on these ports and files: the bands' plain
 * listener and the service's listener kept (on loopback), the TLS listener left out (no
 * certificate here), the password file, ACL and persistence directory replaced.
 */
export function shippedConfig(auth: MosquittoAuth) {
  return ({ bandPort, servicePort, dataDir }: { bandPort: number; servicePort: number; dataDir: string }): string => {
    const out: string[] = []
    let dropping = false
    for (const line of readFileSync(SHIPPED, 'utf8').split('\n')) {
      const [key, value] = line.trim().split(/\s+/)
      if (key === 'listener') {
        dropping = value === '8883'
        if (dropping) continue
        out.push(`listener ${value === '1883' ? bandPort : servicePort} 127.0.0.1`)
        continue
      }
      if (dropping && (key === 'certfile' || key === 'keyfile')) continue
      if (key === 'password_file') out.push(`password_file ${auth.passwordFile}`)
      else if (key === 'acl_file') out.push(`acl_file ${auth.aclFile}`)
      else if (key === 'persistence_location') out.push(`persistence_location ${dataDir}/`)
      else out.push(line)
    }
    return out.join('\n')
  }
}
