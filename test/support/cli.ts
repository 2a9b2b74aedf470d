// Runs the real command line (`tongxing …`) as a child process, as a user would.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CONFIG_KEYS } from '../../infra/index.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The environment without any Tongxing key, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env }
  for (const key of Object.keys(CONFIG_KEYS)) delete base[key]
  return { ...base, ...env }
}

export interface Child {
  process: ChildProcess
  output(): string
  exited: Promise<number | null>
}

export interface SpawnOptions {
  umask?: number
  /** Written to the command's standard input (closed after); without it, stdin is empty. */
  input?: string
}

export function spawnCli(args: string[], env: Record<string, string>, o: SpawnOptions = {}): Child {
  const argv = [process.execPath, '--import', 'tsx', 'bin/tongxing.ts', ...args]
  // A umask is set by a shell that then becomes the process.
  const umask = o.umask?.toString(8).padStart(3, '0')
  const [cmd, ...rest] = umask === undefined ? argv : ['sh', '-c', `umask ${umask} && exec "$@"`, 'sh', ...argv]
  const stdin = o.input === undefined ? 'ignore' : 'pipe'
  const child = spawn(cmd!, rest, { cwd: ROOT, env: childEnv(env), stdio: [stdin, 'pipe', 'pipe'] })
  if (o.input !== undefined) child.stdin!.end(o.input)
  let out = ''
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { process: child, output: () => out, exited }
}

/** Runs a command to completion; its JSON output line parsed. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  o: SpawnOptions = {},
): Promise<Record<string, unknown>> {
  const c = spawnCli(args, env, o)
  const code = await c.exited
  if (code !== 0) throw new Error(`tongxing ${args.join(' ')} exited ${code}: ${c.output()}`)
  return JSON.parse(c.output().trim().split('\n').pop()!) as Record<string, unknown>
}

/**
 * Node's flags in `npm start` (package.json), the newcomer's command: a young generation of 4 MB
 * semi-spaces instead of 16 keeps ~25 MB less resident (docs/benchmarks.md, "the embedded default's memory").
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
  return pkg.scripts.start.split(' ').filter((a) => a.startsWith('--'))
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}
