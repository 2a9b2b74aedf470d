// The deployment files, checked without Docker (these machines cannot run it): the settings file
// documents every key the service reads with its default and nothing else; each process in the
// compose file starts from a configuration the service itself accepts; everything the files
// mount or copy exists; the Grafana dashboard plots metrics the service really exports.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { Service } from '../bin/service.ts'
import { CONFIG_KEYS, envFileText, loadConfig } from '../infra/index.ts'
import { childEnv, freePort } from './support/cli.ts'
import { startTestService } from './support/service.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const INFRA = join(ROOT, 'infra')
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8')
/** The parts that make up the service (what the image runs). */
const SERVICE_DIRS = ['bin', 'infra', 'ingest', 'geofence', 'dashboard']

const tsFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir)).flatMap((f) => {
    const p = join(dir, f)
    if (statSync(join(ROOT, p)).isDirectory()) return f === 'node_modules' || f === 'web' ? [] : tsFiles(p)
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : []
  })

/** KEY=value lines of infra/tongxing.env, each with the comment line above it. */
function envFile(): { key: string; value: string; comment: string }[] {
  const lines = read('infra/tongxing.env').split('\n')
  return lines.flatMap((l, i) => {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(l)
    return m ? [{ key: m[1]!, value: m[2]!, comment: lines[i - 1] ?? '' }] : []
  })
}
const envDefaults = () => Object.fromEntries(envFile().map((e) => [e.key, e.value]))

type ComposeService = {
  image?: string
  build?: { context: string; dockerfile: string }
  env_file?: string
  environment?: Record<string, string>
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test: string[] }
  volumes?: string[]
  profiles?: string[]
  command?: string[]
  secrets?: string[]
}
/** What the compose file's processes get as METRICS_TOKEN, in the test. */
const SCRAPE_TOKEN = 'scrape-token-for-the-test-000001'
const compose = parse(read('infra/compose.yaml'), { merge: true }) as {
  services: Record<string, ComposeService>
  volumes: Record<string, unknown>
}
/** Compose's ${VAR}, ${VAR:?message} and ${VAR:-default}, with a stand-in for what the operator sets. */
const interpolate = (v: string) =>
  String(v).replace(/\$\{(\w+)(?::[?-][^}]*)?\}/g, (_m, name: string) => `set-${name.toLowerCase()}`)
const tongxingServices = Object.entries(compose.services).filter(([, s]) => s.image === 'tongxing:latest')

describe('deployment files', () => {
  it('when the settings file is read, then it lists every key the service reads, once, with its default and its meaning', () => {
    expect(read('infra/tongxing.env')).toBe(envFileText()) // regenerate with `npm run tongxing -- env-file > infra/tongxing.env`
    const entries = envFile()
    expect(entries.map((e) => e.key).sort()).toEqual(Object.keys(CONFIG_KEYS).sort())
    for (const e of entries) {
      const key = CONFIG_KEYS[e.key as keyof typeof CONFIG_KEYS]
      expect(e.value, e.key).toBe(key.default)
      expect(e.comment, e.key).toBe(`# ${key.doc}`)
    }
  })

  it("when the service's code is searched, then only the command line reads the environment, and only through the configuration loader", () => {
    const readers = SERVICE_DIRS.flatMap(tsFiles).flatMap((f) =>
      read(f)
        .split('\n')
        .filter((l) => l.includes('process.env') && !l.trim().startsWith('//'))
        .map((l) => `${f}: ${l.trim()}`),
    )
    expect(readers).toEqual([
      "bin/demo.ts: const loaded = loadConfig({ DATA_DIR: './data-demo', ...process.env })",
      'bin/tongxing.ts: const loaded = loadConfig(process.env)',
    ])
  })

  it('when each Tongxing process of the compose file is configured, then the service accepts its configuration and every key it sets is one it reads', () => {
    expect(tongxingServices.map(([name]) => name).sort()).toEqual([
      'dashboard',
      'migrate',
      'tongxing',
      'worker-1',
      'worker-2',
    ])
    for (const [name, s] of tongxingServices) {
      expect(s.env_file, name).toBe('tongxing.env')
      for (const key of Object.keys(s.environment ?? {}))
        expect(Object.keys(CONFIG_KEYS), `${name} sets ${key}`).toContain(key)
      const env = {
        ...envDefaults(),
        ...Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(v)])),
      }
      const loaded = loadConfig(env)
      expect(loaded.ok ? [] : loaded.errors, name).toEqual([])
    }
    const ids = ['worker-1', 'worker-2'].map((w) => compose.services[w]!.environment!.MQTT_CLIENT_ID)
    expect(new Set(ids).size).toBe(2) // each worker keeps its own session on the broker
    expect(['worker-1', 'worker-2', 'dashboard'].map((w) => compose.services[w]!.environment!.ROLE)).toEqual([
      'worker',
      'worker',
      'dashboard',
    ])
  })

  it('when the compose file is read, then what it depends on, builds, mounts and stores exists, and every long-running service has a health check', () => {
    const services = compose.services
    for (const [name, s] of Object.entries(services)) {
      for (const dep of Object.keys(s.depends_on ?? {}))
        expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep)
      if (s.build) expect(existsSync(resolve(INFRA, s.build.context, s.build.dockerfile)), name).toBe(true)
      if (s.build) expect(resolve(INFRA, s.build.context), name).toBe(resolve(ROOT))
      for (const v of s.volumes ?? []) {
        const [source] = v.split(':')
        if (source!.startsWith('.')) {
          const file = relative(ROOT, resolve(INFRA, source!))
          // The Mosquitto password file is written by `tongxing mosquitto-passwd`, never committed.
          if (file === 'infra/mosquitto/tongxing.passwd') expect(read('.gitignore')).toContain(file)
          else expect(existsSync(join(ROOT, file)), `${name} mounts ${file}`).toBe(true)
        } else expect(Object.keys(compose.volumes), `${name} uses volume ${source}`).toContain(source)
      }
      if (name !== 'migrate' && name !== 'grafana') expect(s.healthcheck?.test, `${name} health check`).toBeDefined()
    }
    expect(services.timescaledb!.image).toMatch(/^timescale\/timescaledb:/)
    for (const name of ['tongxing', 'worker-1', 'worker-2', 'dashboard'])
      expect(services[name]!.healthcheck!.test.join(' '), name).toContain('/readyz')
    expect(services.migrate!.command).toEqual(['migrate'])
  })

  it('when the Dockerfile is read, then it compiles on Node 20 every part the service imports, runs the compiled command line and checks readiness', () => {
    const docker = read('infra/Dockerfile')
    expect(docker).toMatch(/^FROM node:20\S* AS build$/m)
    const copied = [...docker.matchAll(/^COPY (\S+) \.\/\S*$/gm)].map((m) => m[1]!)
    for (const c of [...docker.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' ')))
      expect(existsSync(join(ROOT, c)), c).toBe(true)
    // Every relative import of the shipped code lands in a copied folder.
    const shipped = copied.filter((c) => !c.includes('.'))
    for (const f of shipped.flatMap(tsFiles)) {
      for (const m of read(f).matchAll(/from '(\.[^']+)'/g)) {
        const target = relative(ROOT, resolve(ROOT, dirname(f), m[1]!)).split('/')[0]!
        expect(shipped, `${f} imports ${m[1]}`).toContain(target)
      }
    }
    for (const part of SERVICE_DIRS) expect(shipped).toContain(part)
    const build = JSON.parse(read('tsconfig.build.json')) as { include: string[] }
    for (const part of shipped) expect(build.include, `tsconfig.build.json compiles ${part}`).toContain(part)
    expect(docker).toMatch(/^RUN npm run build$/m)
    expect(docker).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m)
    expect(docker).toMatch(/^ENTRYPOINT \["node", "dist\/bin\/tongxing\.js"\]$/m)
    expect(docker).toMatch(/^HEALTHCHECK[\s\S]*\/readyz/m)
    expect(docker).toMatch(/^EXPOSE 8080 1883 8883$/m)
  })
})

describe('operations dashboard and scraping', () => {
  let service: Service
  let exported: Set<string>
  beforeAll(async () => {
    service = await startTestService({ METRICS_TOKEN: SCRAPE_TOKEN })
    const text = await (
      await fetch(`http://127.0.0.1:${service.httpPort}/metrics`, {
        headers: { authorization: `Bearer ${SCRAPE_TOKEN}` },
      })
    ).text()
    exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!))
  })
  afterAll(() => service?.stop())

  it('when the Grafana dashboard is loaded, then it shows the main figures, each from a metric the service exports', () => {
    const dash = JSON.parse(read('infra/grafana/tongxing.json')) as {
      uid: string
      panels: { title: string; targets: { expr: string }[] }[]
    }
    const titles = dash.panels.map((p) => p.title).join(' | ')
    for (const figure of [/accepted per second/, /Rejections/, /queue depth/, /Alert latency/, /Open alerts/])
      expect(titles).toMatch(figure)
    const used = dash.panels.flatMap((p) =>
      p.targets.flatMap((t) =>
        [...t.expr.matchAll(/\b(tongxing_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, '')),
      ),
    )
    expect(used.length).toBeGreaterThan(8)
    for (const metric of used) expect([...exported], metric).toContain(metric)
  })

  it('when readiness is asked, then the service says ready with the database checked', async () => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}/readyz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: true } })
  })

  it("when Prometheus scrapes, then its targets are the compose file's Tongxing processes on their HTTP port, with the token they ask for", () => {
    const prom = parse(read('infra/prometheus.yml')) as {
      scrape_configs: { authorization?: { credentials_file?: string }; static_configs: { targets: string[] }[] }[]
    }
    const targets = prom.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets))
    const serving = tongxingServices.filter(([n]) => n !== 'migrate')
    expect(targets.sort()).toEqual(serving.map(([n]) => `${n}:8080`).sort())
    // /metrics is for operators: each process gets METRICS_TOKEN, Prometheus the same as a secret file.
    for (const [name, s] of serving)
      expect(s.environment?.METRICS_TOKEN, name).toBe('$' + '{METRICS_TOKEN:?set METRICS_TOKEN}') // compose's syntax, not a template
    const file = prom.scrape_configs[0]!.authorization?.credentials_file
    const secrets = (compose as unknown as { secrets: Record<string, { environment: string }> }).secrets
    expect(file).toBe('/run/secrets/metrics_token')
    expect(compose.services.prometheus!.secrets).toEqual(['metrics_token'])
    expect(secrets.metrics_token).toEqual({ environment: 'METRICS_TOKEN' })
  })
})

describe('the compiled service (what the image runs)', () => {
  const out = join(ROOT, `.build-test-${process.pid}`)
  let service: ChildProcess | undefined
  afterAll(async () => {
    if (service && service.exitCode === null) {
      service.kill('SIGTERM')
      await new Promise((r) => service!.once('exit', r))
    }
    rmSync(out, { recursive: true, force: true })
  })

  it('when it is built and started with plain node, then it migrates its database, serves the page and the API, and is ready', async () => {
    execFileSync(process.execPath, [join(ROOT, 'infra/build.mjs'), out], { stdio: 'pipe' })
    const [httpPort, mqttPort] = [await freePort(), await freePort()]
    const dataDir = mkdtempSync(join(tmpdir(), 'tongxing-built-'))
    service = spawn(process.execPath, [join(out, 'bin/tongxing.js'), 'serve'], {
      cwd: ROOT,
      env: childEnv({
        DATA_DIR: dataDir,
        PORT: String(httpPort),
        MQTT_PORT: String(mqttPort),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      }),
      stdio: 'ignore',
    })
    const base = `http://127.0.0.1:${httpPort}`
    let ready: Response | undefined
    for (let i = 0; i < 300 && service.exitCode === null && !ready?.ok; i++) {
      ready = await fetch(`${base}/readyz`).catch(() => undefined)
      if (!ready?.ok) await new Promise((r) => setTimeout(r, 200))
    }
    expect(service.exitCode).toBeNull()
    expect(ready?.status).toBe(200)
    expect(await (await fetch(`${base}/`)).text()).toContain('<!doctype html>')
    expect((await fetch(`${base}/vendor/leaflet/leaflet.js`)).status).toBe(200)
    // Signing in reads the users table: the migrations were found beside the compiled code.
    const signIn = await fetch(`${base}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody', password: 'not-a-password' }),
    })
    expect(signIn.status).toBe(401)
  }, 120_000)
})
