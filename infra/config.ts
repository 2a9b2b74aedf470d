// Configuration: read once at start-up from the environment, validated as a whole,
// frozen, and passed down as an argument. Only the composition root calls loadConfig.
import { Type, type Static, type TSchema } from 'typebox'
import { Value } from 'typebox/value'

const Port = Type.Integer({ minimum: 0, maximum: 65535 })

/**
 * Every key: its type, default and meaning, written once. The Config type and its validation, the
 * README's table (`tongxing config-table`) and infra/tongxing.env (`tongxing env-file`) come from it.
 */
export const CONFIG_KEYS = {
  ROLE: {
    type: Type.Union([Type.Literal('all'), Type.Literal('worker'), Type.Literal('dashboard')]),
    default: 'all',
    doc: '`all`: one process does everything. `worker`: ingest and geofence only (needs MQTT_URL and DATABASE_URL; serves /healthz, /readyz and /metrics on PORT). `dashboard`: the web page, API and sockets only. See infra/SCALE-OUT.md.',
  },
  PORT: { type: Port, default: '8080', doc: 'HTTP and WebSocket port of the dashboard (0 picks a free port).' },
  HOST: {
    type: Type.String({ minLength: 1 }),
    default: '0.0.0.0',
    doc: 'Address the dashboard and the embedded broker listen on.',
  },
  MQTT_PORT: { type: Port, default: '1883', doc: 'Port of the embedded MQTT broker (0 picks a free port).' },
  MQTT_TLS_PORT: {
    type: Port,
    default: '8883',
    doc: "Port of the embedded broker's MQTT over TLS listener, when MQTT_TLS_CERT and MQTT_TLS_KEY are set (0 picks a free port).",
  },
  MQTT_TLS_CERT: {
    type: Type.String(),
    default: '',
    doc: 'PEM certificate (chain) file for MQTT over TLS. Empty: no TLS listener.',
  },
  MQTT_TLS_KEY: { type: Type.String(), default: '', doc: 'PEM private key file for MQTT over TLS.' },
  MQTT_PLAIN: {
    type: Type.Union([Type.Literal('on'), Type.Literal('off')]),
    default: 'on',
    doc: '`off`: the embedded broker listens only with TLS (needs MQTT_TLS_CERT and MQTT_TLS_KEY).',
  },
  MQTT_URL: {
    type: Type.Union([Type.Literal(''), Type.String({ pattern: '^(mqtts?|tcp|ssl|wss?)://' })]),
    default: '',
    doc: "Use this external broker instead of the embedded one (e.g. mqtt://127.0.0.1:1884, the service's own listener in infra/mosquitto/mosquitto.conf).",
  },
  MQTT_CLIENT_ID: {
    type: Type.String({ minLength: 1, maxLength: 64 }),
    default: 'tongxing-ingest',
    doc: 'Client id on the external broker; its session keeps reports while the service is down. Each worker needs its own.',
  },
  MQTT_SHARED_CONNECTIONS: {
    type: Type.Integer({ minimum: 1, maximum: 64 }),
    default: '16',
    doc: 'ROLE=worker: connections each worker opens in the shared subscription (client ids MQTT_CLIENT_ID-0, -1, …); each takes up to 1000 messages in flight and acknowledges each once it is durable.',
  },
  MQTT_USERNAME: { type: Type.String(), default: '', doc: 'Username the service uses on the external broker.' },
  MQTT_PASSWORD: { type: Type.String(), default: '', doc: 'Password the service uses on the external broker.' },
  DATABASE_URL: {
    type: Type.Union([Type.Literal(''), Type.String({ pattern: '^postgres(ql)?://' })]),
    default: '',
    doc: 'PostgreSQL or TimescaleDB server. Empty: embedded PGlite under DATA_DIR.',
  },
  DB_POOL_SIZE: {
    type: Type.Integer({ minimum: 1, maximum: 100 }),
    default: '4',
    doc: 'Connections to a DATABASE_URL server (the embedded database always uses one).',
  },
  DATA_DIR: {
    type: Type.String({ minLength: 1 }),
    default: './data',
    doc: 'Where the embedded database keeps its files.',
  },
  RETENTION_DAYS: {
    type: Type.Integer({ minimum: 0, maximum: 36500 }),
    default: '180',
    doc: 'Positions older than this many days are deleted (TimescaleDB retention policy, or dropped day partitions on plain PostgreSQL); hourly summaries follow them. 0 keeps them forever.',
  },
  COMPRESS_AFTER_DAYS: {
    type: Type.Integer({ minimum: 1, maximum: 36500 }),
    default: '7',
    doc: 'TimescaleDB compresses positions older than this many days (segmented by band).',
  },
  LOG_LEVEL: {
    type: Type.Union(['trace', 'debug', 'info', 'warn', 'error', 'silent'].map((l) => Type.Literal(l))),
    default: 'info',
    doc: 'pino level: trace, debug, info, warn, error. Coordinates are logged only at debug.',
  },
  BATCH_MAX_ROWS: {
    type: Type.Integer({ minimum: 1, maximum: 50000 }),
    default: '2000',
    doc: 'Most positions written in one database statement.',
  },
  WRITE_LINGER_MS: {
    type: Type.Integer({ minimum: 0, maximum: 1000 }),
    default: '20',
    doc: 'Position batches start at least this far apart (a full batch goes at once): a report arriving sooner after the last start waits the rest, so the database sees at most 1000/N statements a second at any rate (adds up to as much to PUBACK latency; alerts do not wait for it). 0: no pacing.',
  },
  WRITE_QUEUE_MAX_ROWS: {
    type: Type.Integer({ minimum: 1 }),
    default: '100000',
    doc: 'Reports held in memory while the database is slow or away; beyond this, bands are paused (backpressure) until it drains.',
  },
  ZONE_REFRESH_MS: {
    type: Type.Integer({ minimum: 100 }),
    default: '2000',
    doc: 'How often the geofence checks for changed zones and bands.',
  },
  GEOFENCE_TICK_MS: {
    type: Type.Integer({ minimum: 50 }),
    default: '5000',
    doc: 'How often the time-based rules run (left then silent, offline).',
  },
  ESCALATION_SECONDS: {
    type: Type.Number({ exclusiveMinimum: 0 }),
    default: '300',
    doc: 'An alert nobody acknowledges climbs one escalation level per this long.',
  },
  SEARCH_LINK_MINUTES: {
    type: Type.Integer({ minimum: 1, maximum: 1440 }),
    default: '180',
    doc: 'How long a search link for a wandering resident works when its maker does not say (docs/responders.md).',
  },
  SEARCH_LINK_MAX_MINUTES: {
    type: Type.Integer({ minimum: 1, maximum: 1440 }),
    default: '1440',
    doc: 'The longest a search link may be made to work; it stops anyway when the alert is resolved.',
  },
  SHUTDOWN_GRACE_SECONDS: {
    type: Type.Number({ minimum: 0 }),
    default: '10',
    doc: 'On stop, writes still failing after this long are abandoned unacknowledged (bands resend them).',
  },
  SESSION_TTL_HOURS: {
    type: Type.Number({ exclusiveMinimum: 0 }),
    default: '12',
    doc: 'How long a dashboard login lasts.',
  },
  PUBLIC_ORIGIN: {
    type: Type.String({ pattern: '^(|https?://[^/,\\s]+(,https?://[^/,\\s]+)*)$' }),
    default: '',
    doc: 'Where people open the page, e.g. https://tongxing.example.cn (several: comma-separated). Requests that change something and live sockets from a page of any other origin are refused. The first is also where the found-me QR codes point (docs/finding.md). Empty: the origin each request was addressed to.',
  },
  HTTP_TLS_CERT: {
    type: Type.String(),
    default: '',
    doc: 'PEM certificate (chain) file: the dashboard serves HTTPS and WSS on PORT. Empty: plain HTTP (put a reverse proxy with TLS in front; see TRUST_PROXY).',
  },
  HTTP_TLS_KEY: { type: Type.String(), default: '', doc: 'PEM private key file for HTTP_TLS_CERT.' },
  TRUST_PROXY: {
    type: Type.String({ pattern: '^[0-9A-Za-z.:/,_-]*$' }),
    default: '',
    doc: 'Addresses of reverse proxies in front of the dashboard (comma-separated IPs or CIDRs; `loopback` for one on this machine): their X-Forwarded-For and X-Forwarded-Proto are believed, so sign-in limits see the real client and the cookie is Secure behind HTTPS. Empty: none.',
  },
  METRICS_TOKEN: {
    type: Type.String(),
    default: '',
    doc: 'Bearer token Prometheus sends for /metrics. Empty: /metrics answers only direct connections from this machine.',
  },
  TILE_URL: {
    type: Type.String(),
    default: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
    doc: 'Map tiles for the page: a Leaflet URL template, or a preset: `osm`, `tianditu` (needs TILE_KEY), `amap` (GCJ-02). Empty: no base map.',
  },
  TILE_ATTRIBUTION: {
    type: Type.String(),
    default: '© OpenStreetMap contributors',
    doc: 'Attribution shown with the tiles.',
  },
  TILE_KEY: { type: Type.String(), default: '', doc: 'The key for TILE_URL=tianditu (Tianditu, 天地图).' },
  TILE_ARCHIVE: {
    type: Type.String(),
    default: '',
    doc: 'A PMTiles file of raster tiles served by the service at /tiles/{z}/{x}/{y} and used as the base map (no internet needed). Empty: none.',
  },
  TILE_GCJ02: {
    type: Type.Union([Type.Literal('on'), Type.Literal('off')]),
    default: 'off',
    doc: "`on` for tiles in China's GCJ-02 datum (AMap/Gaode): positions are offset on the map, for display only.",
  },
  MAX_FUTURE_SECONDS: {
    type: Type.Number({ minimum: 0 }),
    default: '300',
    doc: 'A fix time-stamped further ahead than this is rejected.',
  },
  NOTIFY_TIME_ZONE: {
    type: Type.String({ minLength: 1 }),
    default: 'Asia/Shanghai',
    doc: 'Time zone of quiet hours and duty rosters.',
  },
  NOTIFY_POLL_MS: {
    type: Type.Integer({ minimum: 10 }),
    default: '5000',
    doc: 'The longest the notifier sleeps with nothing due (an alert changed in this process wakes it at once, a retry or the end of quiet hours when it falls due; this bounds how late it sees a change another process left unplanned).',
  },
  NOTIFY_CONCURRENCY: {
    type: Type.Integer({ minimum: 1, maximum: 256 }),
    default: '16',
    doc: 'Notifications each process hands to providers side by side.',
  },
  NOTIFY_MAX_ATTEMPTS: {
    type: Type.Integer({ minimum: 1, maximum: 100 }),
    default: '12',
    doc: "Attempts before a notification is given up and shown as failed on its alert's timeline.",
  },
  NOTIFY_RETRY_SECONDS: {
    type: Type.Number({ exclusiveMinimum: 0 }),
    default: '2',
    doc: 'First wait before retrying a notification a provider did not take; doubles each time up to NOTIFY_RETRY_MAX_SECONDS.',
  },
  NOTIFY_RETRY_MAX_SECONDS: {
    type: Type.Number({ exclusiveMinimum: 0 }),
    default: '60',
    doc: 'Longest wait between two attempts of one notification.',
  },
  NOTIFY_TIMEOUT_MS: {
    type: Type.Integer({ minimum: 100 }),
    default: '5000',
    doc: 'How long a provider may take to answer one notification.',
  },
  NOTIFY_RETENTION_DAYS: {
    type: Type.Integer({ minimum: 0 }),
    default: '90',
    doc: 'Finished notifications (each message, its attempts and the phone number it went to) older than this many days are deleted, hourly; unsent ones never. 0 keeps them forever.',
  },
  SMS_ACCESS_KEY_ID: { type: Type.String(), default: '', doc: 'Aliyun SMS (dysmsapi) AccessKey id. Empty: no SMS.' },
  SMS_ACCESS_KEY_SECRET: { type: Type.String(), default: '', doc: 'Aliyun SMS AccessKey secret (never logged).' },
  SMS_ENDPOINT: {
    type: Type.String({ minLength: 1 }),
    default: 'dysmsapi.aliyuncs.com',
    doc: 'Aliyun SMS endpoint (host[:port]).',
  },
  SMS_PROTOCOL: {
    type: Type.Union([Type.Literal('https'), Type.Literal('http')]),
    default: 'https',
    doc: '`https`, or `http` for a local stand-in only.',
  },
  SMS_SIGN_NAME: { type: Type.String(), default: '', doc: 'Approved SMS signature (签名), e.g. 同行.' },
  SMS_TEMPLATE_ALERT: {
    type: Type.String(),
    default: '',
    doc: 'Approved template code for a new alert; variables ${name} ${event} ${detail} (docs/notifications.md).',
  },
  SMS_TEMPLATE_REMINDER: {
    type: Type.String(),
    default: '',
    doc: 'Template code for "still nobody has acknowledged"; same variables.',
  },
  SMS_TEMPLATE_HANDLING: {
    type: Type.String(),
    default: '',
    doc: 'Template code for "someone is handling it"; same variables.',
  },
  SMS_TEMPLATE_CLOSED: {
    type: Type.String(),
    default: '',
    doc: 'Template code for "back home / alert closed"; variables ${name} ${detail}.',
  },
  VOICE_ACCESS_KEY_ID: {
    type: Type.String(),
    default: '',
    doc: 'Aliyun voice service (dyvmsapi) AccessKey id: critical alerts nobody acknowledges ring phones. Empty: no voice calls.',
  },
  VOICE_ACCESS_KEY_SECRET: { type: Type.String(), default: '', doc: 'Aliyun voice AccessKey secret (never logged).' },
  VOICE_ENDPOINT: {
    type: Type.String({ minLength: 1 }),
    default: 'dyvmsapi.aliyuncs.com',
    doc: 'Aliyun voice endpoint (host[:port]).',
  },
  VOICE_PROTOCOL: {
    type: Type.Union([Type.Literal('https'), Type.Literal('http')]),
    default: 'https',
    doc: '`https`, or `http` for a local stand-in only.',
  },
  VOICE_TTS_CODE: {
    type: Type.String(),
    default: '',
    doc: 'Approved text-to-speech template (TTS_…) read in the call; variables ${name} ${event} ${detail}.',
  },
  VOICE_SHOW_NUMBER: {
    type: Type.String(),
    default: '',
    doc: 'The number the called phone shows (bought in the Aliyun console). Empty: the public number pool.',
  },
  VOICE_FROM_LEVEL: {
    type: Type.Integer({ minimum: 1, maximum: 2 }),
    default: '1',
    doc: 'Escalation level at which a critical alert still unacknowledged rings the phones its SMS reached (and each later level again).',
  },
  WEBPUSH_PUBLIC_KEY: {
    type: Type.String(),
    default: '',
    doc: 'VAPID public key for Web Push (`tongxing vapid-keys` makes a pair). Empty: no Web Push.',
  },
  WEBPUSH_PRIVATE_KEY: { type: Type.String(), default: '', doc: 'VAPID private key (never logged).' },
  WEBPUSH_SUBJECT: {
    type: Type.String({ pattern: '^(mailto:|https://)' }),
    default: 'mailto:ops@example.cn',
    doc: 'VAPID subject: a mailto: or https: address push services may contact.',
  },
  CITY_WEBHOOK_URL: {
    type: Type.Union([Type.Literal(''), Type.String({ pattern: '^https?://' })]),
    default: '',
    doc: "The city's system that hears of every alert (a signed JSON POST). Empty: none.",
  },
  CITY_WEBHOOK_SECRET: {
    type: Type.String(),
    default: '',
    doc: "Shared secret for the city webhook's HMAC-SHA256 signature (at least 16 characters).",
  },
} satisfies Record<string, { type: TSchema; default: string; doc: string }>

export type ConfigKey = keyof typeof CONFIG_KEYS

/** The field a key becomes in Config: ZONE_REFRESH_MS -> zoneRefreshMs. */
type Rest<S extends string> = S extends `${infer H}_${infer T}`
  ? `${Capitalize<Lowercase<H>>}${Rest<T>}`
  : Capitalize<Lowercase<S>>
type Field<S extends string> = S extends `${infer H}_${infer T}` ? `${Lowercase<H>}${Rest<T>}` : Lowercase<S>
const field = <K extends ConfigKey>(key: K) =>
  key.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) as Field<K>

type Properties = { [K in ConfigKey as Field<K>]: (typeof CONFIG_KEYS)[K]['type'] }
const ConfigSchema = Type.Object(
  Object.fromEntries(
    (Object.keys(CONFIG_KEYS) as ConfigKey[]).map((k) => [field(k), CONFIG_KEYS[k].type]),
  ) as Properties,
)

export type Config = Readonly<Static<typeof ConfigSchema>>

const FIELD = Object.fromEntries((Object.keys(CONFIG_KEYS) as ConfigKey[]).map((k) => [k, field(k)])) as Record<
  ConfigKey,
  keyof Config
>

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] }

/** Reads every key from `env` (falling back to its default) and reports all problems at once. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    const text = env[key] ?? CONFIG_KEYS[key].default
    const field = FIELD[key]
    const type = (ConfigSchema.properties[field] as { type?: string }).type
    const numeric = type === 'integer' || type === 'number'
    raw[field] = numeric && text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text
  }
  const errors = [...Value.Errors(ConfigSchema, raw)].map((e) => {
    const field = e.instancePath.replace(/^\//, '') as keyof Config
    const key = (Object.keys(FIELD) as ConfigKey[]).find((k) => FIELD[k] === field) ?? field
    return `${key}=${JSON.stringify(raw[field])}: ${e.message}`
  })
  if (errors.length === 0) errors.push(...crossChecks(raw as Config))
  if (errors.length > 0) return { ok: false, errors: [...new Set(errors)] }
  return { ok: true, config: Object.freeze(raw as Config) }
}

/** Settings that only make sense together. */
function crossChecks(c: Config): string[] {
  const errors: string[] = []
  if ((c.mqttTlsCert === '') !== (c.mqttTlsKey === ''))
    errors.push('MQTT_TLS_CERT and MQTT_TLS_KEY: set both or neither')
  if ((c.httpTlsCert === '') !== (c.httpTlsKey === ''))
    errors.push('HTTP_TLS_CERT and HTTP_TLS_KEY: set both or neither')
  if (c.tileUrl === 'tianditu' && c.tileKey === '' && c.tileArchive === '')
    errors.push('TILE_URL=tianditu needs TILE_KEY (a Tianditu key)')
  if (c.metricsToken !== '' && c.metricsToken.length < 16)
    errors.push('METRICS_TOKEN: at least 16 characters (or empty)')
  if (c.mqttPlain === 'off' && c.mqttTlsCert === '')
    errors.push('MQTT_PLAIN=off: the broker would not listen at all without MQTT_TLS_CERT and MQTT_TLS_KEY')
  // The hourly summaries are refreshed over the last 7 days: they must not be dropped before.
  if (c.retentionDays > 0 && c.retentionDays < 8)
    errors.push('RETENTION_DAYS: at least 8 (or 0 to keep positions forever)')
  if (c.retentionDays > 0 && c.compressAfterDays >= c.retentionDays)
    errors.push('COMPRESS_AFTER_DAYS must be less than RETENTION_DAYS')
  if (
    c.smsAccessKeyId !== '' &&
    [
      c.smsAccessKeySecret,
      c.smsSignName,
      c.smsTemplateAlert,
      c.smsTemplateReminder,
      c.smsTemplateHandling,
      c.smsTemplateClosed,
    ].includes('')
  ) {
    errors.push('SMS_ACCESS_KEY_ID: set SMS_ACCESS_KEY_SECRET, SMS_SIGN_NAME and the four SMS_TEMPLATE_* codes too')
  }
  if (c.voiceAccessKeyId !== '' && (c.voiceAccessKeySecret === '' || c.voiceTtsCode === ''))
    errors.push('VOICE_ACCESS_KEY_ID: set VOICE_ACCESS_KEY_SECRET and VOICE_TTS_CODE too')
  if ((c.webpushPublicKey === '') !== (c.webpushPrivateKey === ''))
    errors.push('WEBPUSH_PUBLIC_KEY and WEBPUSH_PRIVATE_KEY: set both or neither')
  if (c.cityWebhookUrl !== '' && c.cityWebhookSecret.length < 16)
    errors.push('CITY_WEBHOOK_SECRET: at least 16 characters when CITY_WEBHOOK_URL is set')
  if (!validTimeZone(c.notifyTimeZone))
    errors.push(`NOTIFY_TIME_ZONE=${JSON.stringify(c.notifyTimeZone)}: not a known time zone`)
  if (c.role !== 'all' && (!c.databaseUrl || !c.mqttUrl))
    errors.push(
      `ROLE=${c.role}: processes sharing the work meet on a DATABASE_URL server and an external MQTT_URL broker; set both`,
    )
  return errors
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

/** Every key with its default and meaning, as the README's Markdown table (`tongxing config-table`). */
export function configTableText(): string {
  const cell = (t: string) => t.replaceAll('|', '\\|')
  const rows = Object.entries(CONFIG_KEYS).map(
    ([key, k]) => `| \`${key}\` | ${k.default === '' ? '(empty)' : `\`${k.default}\``} | ${cell(k.doc)} |`,
  )
  return ['| key | default | meaning |', '|---|---|---|', ...rows, ''].join('\n')
}

/** Every key with its meaning and default, as an env file (infra/tongxing.env is this text). */
export function envFileText(): string {
  const lines = [
    "# Every setting Tongxing reads, with its default (the README's configuration table says the same).",
    '# Used by infra/compose.yaml as env_file; compose.yaml overrides DATABASE_URL, DATA_DIR and the',
    '# per-process keys (ROLE, MQTT_URL, MQTT_CLIENT_ID) for each service. Values are literal: no quotes.',
    '# Written by `tongxing env-file`.',
    '',
  ]
  for (const [key, k] of Object.entries(CONFIG_KEYS)) lines.push(`# ${k.doc}`, `${key}=${k.default}`, '')
  return lines.join('\n')
}
