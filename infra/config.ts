// Configuration: read once at start-up from the environment, validated as a whole,
// frozen, and passed down as an argument. Only the composition root calls loadConfig.
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'

const Port = Type.Integer({ minimum: 0, maximum: 65535 })

/** Every key, its default and what it means. The README's table is generated from this list. */
export const CONFIG_KEYS = {
  ROLE: { default: 'all', doc: '`all`: one process does everything. `worker`: ingest and geofence only (needs MQTT_URL and DATABASE_URL; serves /healthz, /readyz and /metrics on PORT). `dashboard`: the web page, API and sockets only. See infra/SCALE-OUT.md.' },
  PORT: { default: '8080', doc: 'HTTP and WebSocket port of the dashboard (0 picks a free port).' },
  HOST: { default: '0.0.0.0', doc: 'Address the dashboard and the embedded broker listen on.' },
  MQTT_PORT: { default: '1883', doc: 'Port of the embedded MQTT broker (0 picks a free port).' },
  MQTT_TLS_PORT: { default: '8883', doc: 'Port of the embedded broker\'s MQTT over TLS listener, when MQTT_TLS_CERT and MQTT_TLS_KEY are set (0 picks a free port).' },
  MQTT_TLS_CERT: { default: '', doc: 'PEM certificate (chain) file for MQTT over TLS. Empty: no TLS listener.' },
  MQTT_TLS_KEY: { default: '', doc: 'PEM private key file for MQTT over TLS.' },
  MQTT_PLAIN: { default: 'on', doc: '`off`: the embedded broker listens only with TLS (needs MQTT_TLS_CERT and MQTT_TLS_KEY).' },
  MQTT_URL: { default: '', doc: 'Use this external broker instead of the embedded one (e.g. mqtt://127.0.0.1:1884, the service\'s own listener in infra/mosquitto/mosquitto.conf).' },
  MQTT_CLIENT_ID: { default: 'tongxing-ingest', doc: 'Client id on the external broker; its session keeps reports while the service is down. Each worker needs its own.' },
  MQTT_SHARED_CONNECTIONS: { default: '16', doc: 'ROLE=worker: connections each worker opens in the shared subscription (client ids MQTT_CLIENT_ID-0, -1, …); each takes up to 1000 messages in flight and acknowledges each once it is durable.' },
  MQTT_USERNAME: { default: '', doc: 'Username the service uses on the external broker.' },
  MQTT_PASSWORD: { default: '', doc: 'Password the service uses on the external broker.' },
  DATABASE_URL: { default: '', doc: 'PostgreSQL or TimescaleDB server. Empty: embedded PGlite under DATA_DIR.' },
  DB_POOL_SIZE: { default: '4', doc: 'Connections to a DATABASE_URL server (the embedded database always uses one).' },
  DATA_DIR: { default: './data', doc: 'Where the embedded database keeps its files.' },
  RETENTION_DAYS: { default: '180', doc: 'Positions older than this many days are deleted (TimescaleDB retention policy, or dropped day partitions on plain PostgreSQL); hourly summaries follow them. 0 keeps them forever.' },
  COMPRESS_AFTER_DAYS: { default: '7', doc: 'TimescaleDB compresses positions older than this many days (segmented by band).' },
  LOG_LEVEL: { default: 'info', doc: 'pino level: trace, debug, info, warn, error. Coordinates are logged only at debug.' },
  BATCH_MAX_ROWS: { default: '2000', doc: 'Most positions written in one database statement.' },
  WRITE_LINGER_MS: { default: '20', doc: 'An idle position writer waits this long for more reports before writing, so a quiet system writes a few reports per statement instead of one (adds as much to PUBACK latency; alerts do not wait for it). 0: write at once.' },
  WRITE_QUEUE_MAX_ROWS: { default: '100000', doc: 'Reports held in memory while the database is slow or away; beyond this, bands are paused (backpressure) until it drains.' },
  ZONE_REFRESH_MS: { default: '2000', doc: 'How often the geofence checks for changed zones and bands.' },
  GEOFENCE_TICK_MS: { default: '5000', doc: 'How often the time-based rules run (left then silent, offline).' },
  ESCALATION_SECONDS: { default: '300', doc: 'An alert nobody acknowledges climbs one escalation level per this long.' },
  SESSION_TTL_HOURS: { default: '12', doc: 'How long a dashboard login lasts.' },
  PUBLIC_ORIGIN: { default: '', doc: 'Where people open the page, e.g. https://tongxing.example.cn (several: comma-separated). Requests that change something and live sockets from a page of any other origin are refused. Empty: the origin each request was addressed to.' },
  HTTP_TLS_CERT: { default: '', doc: 'PEM certificate (chain) file: the dashboard serves HTTPS and WSS on PORT. Empty: plain HTTP (put a reverse proxy with TLS in front; see TRUST_PROXY).' },
  HTTP_TLS_KEY: { default: '', doc: 'PEM private key file for HTTP_TLS_CERT.' },
  TRUST_PROXY: { default: '', doc: 'Addresses of reverse proxies in front of the dashboard (comma-separated IPs or CIDRs; `loopback` for one on this machine): their X-Forwarded-For and X-Forwarded-Proto are believed, so sign-in limits see the real client and the cookie is Secure behind HTTPS. Empty: none.' },
  METRICS_TOKEN: { default: '', doc: 'Bearer token Prometheus sends for /metrics. Empty: /metrics answers only direct connections from this machine.' },
  TILE_URL: { default: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', doc: 'Map tiles for the page (Leaflet URL template). Empty: no base map.' },
  TILE_ATTRIBUTION: { default: '© OpenStreetMap contributors', doc: 'Attribution shown with the tiles.' },
  TILE_GCJ02: { default: 'off', doc: '`on` for tiles in China\'s GCJ-02 datum (AMap/Gaode): positions are offset on the map, for display only.' },
  MAX_FUTURE_SECONDS: { default: '300', doc: 'A fix time-stamped further ahead than this is rejected.' },
  NOTIFY_TIME_ZONE: { default: 'Asia/Shanghai', doc: 'Time zone of quiet hours and duty rosters.' },
  NOTIFY_POLL_MS: { default: '500', doc: 'How often the notifier looks for messages due (an alert changed in this process wakes it at once).' },
  NOTIFY_CONCURRENCY: { default: '16', doc: 'Notifications each process hands to providers side by side.' },
  NOTIFY_MAX_ATTEMPTS: { default: '12', doc: 'Attempts before a notification is given up and shown as failed on its alert\'s timeline.' },
  NOTIFY_RETRY_SECONDS: { default: '2', doc: 'First wait before retrying a notification a provider did not take; doubles each time up to NOTIFY_RETRY_MAX_SECONDS.' },
  NOTIFY_RETRY_MAX_SECONDS: { default: '60', doc: 'Longest wait between two attempts of one notification.' },
  NOTIFY_TIMEOUT_MS: { default: '5000', doc: 'How long a provider may take to answer one notification.' },
  SMS_ACCESS_KEY_ID: { default: '', doc: 'Aliyun SMS (dysmsapi) AccessKey id. Empty: no SMS.' },
  SMS_ACCESS_KEY_SECRET: { default: '', doc: 'Aliyun SMS AccessKey secret (never logged).' },
  SMS_ENDPOINT: { default: 'dysmsapi.aliyuncs.com', doc: 'Aliyun SMS endpoint (host[:port]).' },
  SMS_PROTOCOL: { default: 'https', doc: '`https`, or `http` for a local stand-in only.' },
  SMS_SIGN_NAME: { default: '', doc: 'Approved SMS signature (签名), e.g. 同行.' },
  SMS_TEMPLATE_ALERT: { default: '', doc: 'Approved template code for a new alert; variables ${name} ${event} ${detail} (docs/notifications.md).' },
  SMS_TEMPLATE_REMINDER: { default: '', doc: 'Template code for "still nobody has acknowledged"; same variables.' },
  SMS_TEMPLATE_HANDLING: { default: '', doc: 'Template code for "someone is handling it"; same variables.' },
  SMS_TEMPLATE_CLOSED: { default: '', doc: 'Template code for "back home / alert closed"; variables ${name} ${detail}.' },
  WEBPUSH_PUBLIC_KEY: { default: '', doc: 'VAPID public key for Web Push (`tongxing vapid-keys` makes a pair). Empty: no Web Push.' },
  WEBPUSH_PRIVATE_KEY: { default: '', doc: 'VAPID private key (never logged).' },
  WEBPUSH_SUBJECT: { default: 'mailto:ops@example.cn', doc: 'VAPID subject: a mailto: or https: address push services may contact.' },
  CITY_WEBHOOK_URL: { default: '', doc: 'The city\'s system that hears of every alert (a signed JSON POST). Empty: none.' },
  CITY_WEBHOOK_SECRET: { default: '', doc: 'Shared secret for the city webhook\'s HMAC-SHA256 signature (at least 16 characters).' },
} as const

export type ConfigKey = keyof typeof CONFIG_KEYS

const ConfigSchema = Type.Object({
  role: Type.Union([Type.Literal('all'), Type.Literal('worker'), Type.Literal('dashboard')]),
  port: Port,
  host: Type.String({ minLength: 1 }),
  mqttPort: Port,
  mqttTlsPort: Port,
  mqttTlsCert: Type.String(),
  mqttTlsKey: Type.String(),
  mqttPlain: Type.Union([Type.Literal('on'), Type.Literal('off')]),
  mqttUrl: Type.Union([Type.Literal(''), Type.String({ pattern: '^(mqtts?|tcp|ssl|wss?)://' })]),
  mqttClientId: Type.String({ minLength: 1, maxLength: 64 }),
  mqttSharedConnections: Type.Integer({ minimum: 1, maximum: 64 }),
  mqttUsername: Type.String(),
  mqttPassword: Type.String(),
  databaseUrl: Type.Union([Type.Literal(''), Type.String({ pattern: '^postgres(ql)?://' })]),
  dbPoolSize: Type.Integer({ minimum: 1, maximum: 100 }),
  dataDir: Type.String({ minLength: 1 }),
  retentionDays: Type.Integer({ minimum: 0, maximum: 36500 }),
  compressAfterDays: Type.Integer({ minimum: 1, maximum: 36500 }),
  logLevel: Type.Union(['trace', 'debug', 'info', 'warn', 'error', 'silent'].map((l) => Type.Literal(l))),
  batchMaxRows: Type.Integer({ minimum: 1, maximum: 50000 }),
  writeLingerMs: Type.Integer({ minimum: 0, maximum: 1000 }),
  writeQueueMaxRows: Type.Integer({ minimum: 1 }),
  zoneRefreshMs: Type.Integer({ minimum: 100 }),
  geofenceTickMs: Type.Integer({ minimum: 50 }),
  escalationSeconds: Type.Number({ exclusiveMinimum: 0 }),
  sessionTtlHours: Type.Number({ exclusiveMinimum: 0 }),
  publicOrigin: Type.String({ pattern: '^(|https?://[^/,\\s]+(,https?://[^/,\\s]+)*)$' }),
  httpTlsCert: Type.String(),
  httpTlsKey: Type.String(),
  trustProxy: Type.String({ pattern: '^[0-9A-Za-z.:/,_-]*$' }),
  metricsToken: Type.String(),
  maxFutureSeconds: Type.Number({ minimum: 0 }),
  tileUrl: Type.String(),
  tileAttribution: Type.String(),
  tileGcj02: Type.Union([Type.Literal('on'), Type.Literal('off')]),
  notifyTimeZone: Type.String({ minLength: 1 }),
  notifyPollMs: Type.Integer({ minimum: 10 }),
  notifyConcurrency: Type.Integer({ minimum: 1, maximum: 256 }),
  notifyMaxAttempts: Type.Integer({ minimum: 1, maximum: 100 }),
  notifyRetrySeconds: Type.Number({ exclusiveMinimum: 0 }),
  notifyRetryMaxSeconds: Type.Number({ exclusiveMinimum: 0 }),
  notifyTimeoutMs: Type.Integer({ minimum: 100 }),
  smsAccessKeyId: Type.String(),
  smsAccessKeySecret: Type.String(),
  smsEndpoint: Type.String({ minLength: 1 }),
  smsProtocol: Type.Union([Type.Literal('https'), Type.Literal('http')]),
  smsSignName: Type.String(),
  smsTemplateAlert: Type.String(),
  smsTemplateReminder: Type.String(),
  smsTemplateHandling: Type.String(),
  smsTemplateClosed: Type.String(),
  webpushPublicKey: Type.String(),
  webpushPrivateKey: Type.String(),
  webpushSubject: Type.String({ pattern: '^(mailto:|https://)' }),
  cityWebhookUrl: Type.Union([Type.Literal(''), Type.String({ pattern: '^https?://' })]),
  cityWebhookSecret: Type.String(),
})

export type Config = Readonly<Static<typeof ConfigSchema>>

const FIELD: Record<ConfigKey, keyof Config> = {
  ROLE: 'role',
  MQTT_CLIENT_ID: 'mqttClientId',
  MQTT_SHARED_CONNECTIONS: 'mqttSharedConnections',
  PORT: 'port',
  HOST: 'host',
  MQTT_PORT: 'mqttPort',
  MQTT_TLS_PORT: 'mqttTlsPort',
  MQTT_TLS_CERT: 'mqttTlsCert',
  MQTT_TLS_KEY: 'mqttTlsKey',
  MQTT_PLAIN: 'mqttPlain',
  MQTT_URL: 'mqttUrl',
  MQTT_USERNAME: 'mqttUsername',
  MQTT_PASSWORD: 'mqttPassword',
  DATABASE_URL: 'databaseUrl',
  DB_POOL_SIZE: 'dbPoolSize',
  DATA_DIR: 'dataDir',
  RETENTION_DAYS: 'retentionDays',
  COMPRESS_AFTER_DAYS: 'compressAfterDays',
  LOG_LEVEL: 'logLevel',
  BATCH_MAX_ROWS: 'batchMaxRows',
  WRITE_LINGER_MS: 'writeLingerMs',
  WRITE_QUEUE_MAX_ROWS: 'writeQueueMaxRows',
  ZONE_REFRESH_MS: 'zoneRefreshMs',
  GEOFENCE_TICK_MS: 'geofenceTickMs',
  ESCALATION_SECONDS: 'escalationSeconds',
  SESSION_TTL_HOURS: 'sessionTtlHours',
  PUBLIC_ORIGIN: 'publicOrigin',
  HTTP_TLS_CERT: 'httpTlsCert',
  HTTP_TLS_KEY: 'httpTlsKey',
  TRUST_PROXY: 'trustProxy',
  METRICS_TOKEN: 'metricsToken',
  MAX_FUTURE_SECONDS: 'maxFutureSeconds',
  TILE_URL: 'tileUrl',
  TILE_ATTRIBUTION: 'tileAttribution',
  TILE_GCJ02: 'tileGcj02',
  NOTIFY_TIME_ZONE: 'notifyTimeZone',
  NOTIFY_POLL_MS: 'notifyPollMs',
  NOTIFY_CONCURRENCY: 'notifyConcurrency',
  NOTIFY_MAX_ATTEMPTS: 'notifyMaxAttempts',
  NOTIFY_RETRY_SECONDS: 'notifyRetrySeconds',
  NOTIFY_RETRY_MAX_SECONDS: 'notifyRetryMaxSeconds',
  NOTIFY_TIMEOUT_MS: 'notifyTimeoutMs',
  SMS_ACCESS_KEY_ID: 'smsAccessKeyId',
  SMS_ACCESS_KEY_SECRET: 'smsAccessKeySecret',
  SMS_ENDPOINT: 'smsEndpoint',
  SMS_PROTOCOL: 'smsProtocol',
  SMS_SIGN_NAME: 'smsSignName',
  SMS_TEMPLATE_ALERT: 'smsTemplateAlert',
  SMS_TEMPLATE_REMINDER: 'smsTemplateReminder',
  SMS_TEMPLATE_HANDLING: 'smsTemplateHandling',
  SMS_TEMPLATE_CLOSED: 'smsTemplateClosed',
  WEBPUSH_PUBLIC_KEY: 'webpushPublicKey',
  WEBPUSH_PRIVATE_KEY: 'webpushPrivateKey',
  WEBPUSH_SUBJECT: 'webpushSubject',
  CITY_WEBHOOK_URL: 'cityWebhookUrl',
  CITY_WEBHOOK_SECRET: 'cityWebhookSecret',
}

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
  if ((c.mqttTlsCert === '') !== (c.mqttTlsKey === '')) errors.push('MQTT_TLS_CERT and MQTT_TLS_KEY: set both or neither')
  if ((c.httpTlsCert === '') !== (c.httpTlsKey === '')) errors.push('HTTP_TLS_CERT and HTTP_TLS_KEY: set both or neither')
  if (c.metricsToken !== '' && c.metricsToken.length < 16) errors.push('METRICS_TOKEN: at least 16 characters (or empty)')
  if (c.mqttPlain === 'off' && c.mqttTlsCert === '') errors.push('MQTT_PLAIN=off: the broker would not listen at all without MQTT_TLS_CERT and MQTT_TLS_KEY')
  // The hourly summaries are refreshed over the last 7 days: they must not be dropped before.
  if (c.retentionDays > 0 && c.retentionDays < 8) errors.push('RETENTION_DAYS: at least 8 (or 0 to keep positions forever)')
  if (c.retentionDays > 0 && c.compressAfterDays >= c.retentionDays) errors.push('COMPRESS_AFTER_DAYS must be less than RETENTION_DAYS')
  if (c.smsAccessKeyId !== '' && [c.smsAccessKeySecret, c.smsSignName, c.smsTemplateAlert, c.smsTemplateReminder, c.smsTemplateHandling, c.smsTemplateClosed].includes('')) {
    errors.push('SMS_ACCESS_KEY_ID: set SMS_ACCESS_KEY_SECRET, SMS_SIGN_NAME and the four SMS_TEMPLATE_* codes too')
  }
  if ((c.webpushPublicKey === '') !== (c.webpushPrivateKey === '')) errors.push('WEBPUSH_PUBLIC_KEY and WEBPUSH_PRIVATE_KEY: set both or neither')
  if (c.cityWebhookUrl !== '' && c.cityWebhookSecret.length < 16) errors.push('CITY_WEBHOOK_SECRET: at least 16 characters when CITY_WEBHOOK_URL is set')
  if (!validTimeZone(c.notifyTimeZone)) errors.push(`NOTIFY_TIME_ZONE=${JSON.stringify(c.notifyTimeZone)}: not a known time zone`)
  if (c.role !== 'all' && (!c.databaseUrl || !c.mqttUrl)) errors.push(`ROLE=${c.role}: processes sharing the work meet on a DATABASE_URL server and an external MQTT_URL broker; set both`)
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
