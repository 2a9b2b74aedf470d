// The simulator's command line: `run` a fleet (with provisioning, truth file, faults, bad
// traffic), `score` it, `replay` a recorded track, `load` the service. It talks to the service
// only as bands (MQTT) and clients (HTTP) do.
import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { EXPECTED_REASON, ROGUE_BAND, withBadTraffic } from './bad-traffic.ts'
import { loadBandId, loadEvents, loadSecret } from './load.ts'
import { importDoc, loadImportDocs } from './provisioning.ts'
import { createRng } from './random.ts'
import { formatOf, parseTrack, replayEvents } from './replay.ts'
import { liveFleet, runLiveBands } from './live.mqtt.ts'
import { runEvents, type Progress, type RunEvent, type RunStats } from './runner.mqtt.ts'
import { playFinder } from './finder.http.ts'
import { formatScore, quantile, score } from './score.ts'
import { fetchAlerts, latestAlertId, login, metricSum, readMetrics, type ServiceClient } from './service-client.http.ts'
import { SCENARIOS, simulateFleet, type ScenarioName } from './fleet-sim.ts'
import type { Label } from './truth.ts'
import { generateFleet } from './zibo.ts'
import { UsageError } from '../infra/usage-error.ts'

export const USAGE = `usage: npm run sim -- <command> [options]
  run      --bands 1500 --seed 1 --interval 30 --speed 1 --duration 1h --scenario day|jitter|wander|episodes
           [--truth FILE] [--truth-positions] [--storm-at 30m] [--bad 0.05] [--score] [--no-provision] [--families 10]
           [--start 2026-11-27T16:00:00Z] [--obey]  (--obey: bands obey the service's commands — locate,
           search mode's fast reports — and send fixes only: no faults, bad traffic or presses)
  score    --truth FILE
  replay   FILE.gpx|.geojson|.csv --band ID --secret SECRET [--speed 1]
  finder   --band ID [--note TEXT] [--seed 1]  (a stranger scans the band's found-me QR code and shares a position
           beside it: needs --admin and --password to read the card's link, as a centre prints it)
  load     --bands 10000 --rate 1000 --duration 60s [--seed 1] [--no-provision] [--acked FILE]  (bands load-… with secrets
           from the seed, each with a safe zone around its home, the city's danger corridors shared; --no-provision: against a broker that needs no provisioning, e.g. to measure a bare peer;
           --acked: writes "BAND SEQ" for each report that got its PUBACK, for bench:kill to count against the database)
common:    --url http://127.0.0.1:8080 --broker mqtt://127.0.0.1:1883 --admin USER --password PASSWORD`

const OPTIONS = {
  url: { type: 'string', default: 'http://127.0.0.1:8080' },
  broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
  admin: { type: 'string' },
  password: { type: 'string' },
  bands: { type: 'string' },
  seed: { type: 'string', default: '1' },
  interval: { type: 'string', default: '30' },
  speed: { type: 'string', default: '1' },
  duration: { type: 'string' },
  scenario: { type: 'string', default: 'day' },
  truth: { type: 'string' },
  'truth-positions': { type: 'boolean' },
  'storm-at': { type: 'string' },
  bad: { type: 'string' },
  score: { type: 'boolean' },
  'no-provision': { type: 'boolean' },
  families: { type: 'string', default: '10' },
  band: { type: 'string' },
  secret: { type: 'string' },
  rate: { type: 'string' },
  acked: { type: 'string' },
  quiet: { type: 'boolean' },
  start: { type: 'string' },
  obey: { type: 'boolean' },
  note: { type: 'string', default: '我在这位老人身边，他好像迷路了' },
} as const

export { UsageError }

const parseOptions = (args: string[]) => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true })

/** "90m", "2h", "30s", "1500ms" or plain seconds → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (!m) throw new UsageError(`not a duration: ${text} (use e.g. 30s, 90m, 2h)`)
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] as 'ms' | 's' | 'm' | 'h') ?? 's']
}

const num = (text: string | undefined, name: string, min = 0) => {
  const n = Number(text)
  if (text === undefined || !Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number ≥ ${min}`)
  return n
}

export async function main(
  argv: string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  const [command, ...rest] = argv
  let parsed: ReturnType<typeof parseOptions>
  try {
    parsed = parseOptions(rest)
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`)
    return 2
  }
  const v = parsed.values
  const admin = async (): Promise<ServiceClient> => {
    if (!v.admin || !v.password)
      throw new UsageError('--admin and --password (a programme admin of the service) are required')
    return login(v.url, v.admin, v.password)
  }
  // A person watching a terminal gets a line every 2 s; a log file every 10 s.
  const progressEveryMs = process.stderr.isTTY ? 2000 : 10_000
  const progress = (p: Progress) => {
    if (v.quiet) return
    const sim = new Date(p.simTime).toISOString().slice(0, 19).replace('T', ' ')
    err(
      `sim ${sim} | bands ${p.connected}/${p.bands} connected | ${p.perSecond.toFixed(0)} msg/s | sent ${p.published} acked ${p.acked} errors ${p.failed}`,
    )
  }
  try {
    switch (command) {
      case 'run':
        return await run()
      case 'score':
        return await scoreCommand()
      case 'replay':
        return await replay()
      case 'load':
        return await load()
      case 'finder': {
        if (!v.band) throw new UsageError('--band is required')
        const found = await playFinder(await admin(), v.band, createRng(num(v.seed, 'seed')), v.note)
        out(JSON.stringify(found))
        return found.status === 202 ? 0 : 1
      }
      default:
        err(USAGE)
        return 2
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    err(`${e.message}\n${USAGE}`)
    return 2
  }

  async function run(): Promise<number> {
    const scenario = v.scenario as ScenarioName
    if (!(scenario in SCENARIOS)) throw new UsageError(`--scenario must be one of ${Object.keys(SCENARIOS).join(', ')}`)
    const bands = num(v.bands ?? '1500', 'bands', 1)
    const seed = num(v.seed, 'seed')
    const speed = num(v.speed, 'speed', 0.001)
    const durationMs = parseDuration(v.duration ?? '1h')
    const badFraction = v.bad ? num(v.bad, 'bad') : 0
    const fleet = generateFleet({ bands, seed })
    // Fix times never run ahead of the wall clock, however fast the run: start far enough back.
    // A fixed --start (in the past) makes the whole run, routines included, reproducible.
    const start = v.start ? Date.parse(v.start) : Math.round(Date.now() - durationMs * (1 - 1 / speed))
    const client = v['no-provision'] && !v.score && !badFraction ? undefined : await admin()
    if (client && !v['no-provision']) {
      const doc = importDoc(fleet, num(v.families, 'families'), start) // in service since the run's start
      if (badFraction > 0)
        doc.residents.push({
          key: 'rogue',
          name: 'Rogue band',
          centreKey: fleet.centres[0]!.key,
          band: ROGUE_BAND,
          zones: [],
        })
      await client.post('/api/admin/import', doc)
      err(
        `provisioned ${fleet.centres.length} care centres, ${fleet.residents.length} residents and bands, ${doc.users.length} users`,
      )
    }
    if (Number.isNaN(start)) throw new UsageError('--start must be an ISO 8601 time, e.g. 2026-11-27T16:00:00Z')
    if (start + durationMs * (1 - 1 / speed) > Date.now())
      throw new UsageError('--start is too late: the fixes would run ahead of the clock')
    const sim = simulateFleet(fleet, {
      start,
      durationMs,
      intervalMs: num(v.interval, 'interval', 1) * 1000,
      scenario,
      stormAtMs: v['storm-at'] ? parseDuration(v['storm-at']) : undefined,
      truth: v['truth-positions'] ?? false,
    })
    // Alerts of earlier runs over the same simulated time must not be scored as this run's.
    const afterAlertId = client ? await latestAlertId(client) : 0
    const truth = v.truth ? createWriteStream(v.truth) : undefined
    truth?.write(
      `${JSON.stringify({ type: 'run', seed, bands, start, durationMs, scenario, intervalMs: num(v.interval, 'interval', 1) * 1000, afterAlertId })}\n`,
    )
    for (const l of sim.labels) truth?.write(`${JSON.stringify({ type: 'label', ...l })}\n`)
    const credentials = new Map(fleet.residents.map((r) => [r.bandId, r.secret]))
    if (badFraction > 0) credentials.set(ROGUE_BAND.id, ROGUE_BAND.secret)
    if (v.obey) {
      if (badFraction > 0 || v['storm-at'])
        throw new UsageError('--obey runs bands closed loop: no --bad or --storm-at')
      const intervalMs = num(v.interval, 'interval', 1) * 1000
      const live = await runLiveBands(liveFleet(sim.plans, { start, intervalMs, seed }), {
        brokerUrl: v.broker,
        secrets: credentials,
        simStart: start,
        simEnd: start + durationMs,
        speed,
      })
      out(
        `published ${live.published}, commands obeyed ${live.commands}, bands that could not connect ${live.connectFailures}`,
      )
      await scoreRun(sim.labels)
      return live.connectFailures > 0 ? 1 : 0
    }
    const before = client ? await readMetrics(v.url) : undefined
    let events: Iterable<RunEvent> = sim.events()
    if (badFraction > 0) events = withBadTraffic(events, badFraction, createRng(seed).fork('bad'))
    const stats = await runEvents(events, {
      brokerUrl: v.broker,
      bands: credentials,
      simStart: start,
      speed,
      onProgress: progress,
      progressEveryMs,
      onTruth: (e) =>
        truth?.write(
          `${JSON.stringify({ type: 'position', bandId: e.bandId, t: Math.round(e.t), lat: e.lat, lon: e.lon })}\n`,
        ),
    })
    truth?.end()
    out(summary(stats))
    if (before && badFraction > 0) {
      await new Promise((r) => setTimeout(r, 500))
      const after = await readMetrics(v.url)
      const delta = (name: string) => metricSum(after, name) - metricSum(before, name)
      out(`good fixes sent ${stats.goodFixes}, accepted by the service ${delta('tongxing_fixes_accepted_total')}`)
      for (const [kind, n] of Object.entries(stats.bad)) {
        const reason = EXPECTED_REASON[kind as keyof typeof EXPECTED_REASON]
        out(`bad ${kind}: sent ${n}, rejected as ${reason} ${delta(`tongxing_rejected_total{reason="${reason}"}`)}`)
      }
    }
    await scoreRun(sim.labels)
    return stats.connectFailures > 0 || stats.failed > 0 ? 1 : 0

    async function scoreRun(labels: Label[]) {
      if (!v.score || !client) return
      await new Promise((r) => setTimeout(r, 1000))
      out(formatScore(score(labels, await fetchAlerts(client, start, afterAlertId), (bands * durationMs) / 3_600_000)))
    }
  }

  async function scoreCommand(): Promise<number> {
    if (!v.truth) throw new UsageError('--truth FILE is required')
    const lines = (await readFile(v.truth, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string } & Record<string, unknown>)
    const header = lines.find((l) => l.type === 'run') as unknown as
      | { bands: number; durationMs: number; start: number; afterAlertId?: number }
      | undefined
    if (!header) throw new UsageError(`${v.truth} is not a truth file (no run line)`)
    const labels = lines.filter((l) => l.type === 'label') as unknown as Label[]
    const alerts = await fetchAlerts(await admin(), header.start, header.afterAlertId)
    out(formatScore(score(labels, alerts, (header.bands * header.durationMs) / 3_600_000)))
    return 0
  }

  async function replay(): Promise<number> {
    const file = parsed.positionals[0]
    if (!file || !v.band || !v.secret) throw new UsageError('replay needs a FILE, --band and --secret')
    const format = formatOf(file)
    if (!format) throw new UsageError('the track must be .gpx, .geojson/.json or .csv')
    const track = parseTrack(await readFile(file, 'utf8'), format)
    if (!track.ok) throw new UsageError(track.error)
    const speed = num(v.speed, 'speed', 0.001)
    const span = track.points[track.points.length - 1]!.t - track.points[0]!.t
    const start = Math.round(Date.now() - span * (1 - 1 / speed))
    err(
      `replaying ${track.points.length} points (${track.skipped} skipped) over ${(span / 60_000).toFixed(1)} min at ${speed}×`,
    )
    const stats = await runEvents(replayEvents(track.points, v.band, start), {
      brokerUrl: v.broker,
      bands: new Map([[v.band, v.secret]]),
      simStart: start,
      speed,
      onProgress: progress,
      progressEveryMs,
    })
    out(summary(stats))
    return stats.failed > 0 || stats.connectFailures > 0 ? 1 : 0
  }

  async function load(): Promise<number> {
    const bands = num(v.bands ?? '1000', 'bands', 1)
    const rate = num(v.rate ?? String(bands / 10), 'rate', 0.001)
    const seed = num(v.seed, 'seed')
    const durationMs = parseDuration(v.duration ?? '60s')
    const ids = Array.from({ length: bands }, (_, i) => i)
    const service = !v['no-provision']
    if (service) {
      const client = await admin()
      for (const doc of loadImportDocs(bands, seed)) await client.post('/api/admin/import', doc)
    }
    const before = service ? await readMetrics(v.url) : new Map<string, number>()
    const start = Date.now()
    const acked = v.acked ? ackedFile(v.acked) : undefined
    const stats = await runEvents(loadEvents({ bands, rate, durationMs, start, seed }), {
      brokerUrl: v.broker,
      bands: new Map(ids.map((k) => [loadBandId(k), loadSecret(seed, k)])),
      simStart: start,
      speed: 1,
      onProgress: progress,
      progressEveryMs,
      onAck: acked?.add,
    })
    await acked?.close()
    const after = service ? await readMetrics(v.url) : new Map<string, number>()
    out(summary(stats))
    out(
      `offered ${rate} fixes/s; acknowledged ${(stats.acked / (durationMs / 1000)).toFixed(0)} fixes/s` +
        (service
          ? `; service accepted ${metricSum(after, 'tongxing_fixes_accepted_total') - metricSum(before, 'tongxing_fixes_accepted_total')}`
          : ''),
    )
    return stats.failed > 0 ? 1 : 0
  }
}

/** `--acked FILE`: one line "BAND SEQ" per acknowledged report, written in blocks (10,000 a second at the top loads). */
function ackedFile(path: string) {
  const file = createWriteStream(path)
  let lines: string[] = []
  const flush = () => {
    if (lines.length > 0) file.write(`${lines.join('\n')}\n`)
    lines = []
  }
  return {
    add(e: Extract<RunEvent, { type: 'publish' }>) {
      lines.push(`${e.bandId} ${/"seq":(\d+)/.exec(e.payload)?.[1] ?? '-'}`)
      if (lines.length >= 4096) flush()
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        flush()
        file.end((err?: Error | null) => (err ? reject(err) : resolve()))
      }),
  }
}

function summary(s: RunStats): string {
  const ms = (x: number | null) => (x === null ? '-' : `${x.toFixed(1)} ms`)
  return (
    `published ${s.published}, acknowledged ${s.acked}, failed ${s.failed}, bands that could not connect ${s.connectFailures}, ` +
    `PUBACK p50 ${ms(quantile(s.ackMs, 0.5))} p99 ${ms(quantile(s.ackMs, 0.99))}, ${(s.wallMs / 1000).toFixed(1)} s; good fixes ${s.goodFixes}`
  )
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e)
      process.exit(1)
    },
  )
}
