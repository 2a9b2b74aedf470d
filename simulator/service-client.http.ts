// The service as a client sees it over HTTP: log in, import a fleet, read alerts and metrics.
export interface ServiceClient {
  baseUrl: string
  post(path: string, body: unknown): Promise<unknown>
  get(path: string): Promise<unknown>
}

export async function login(baseUrl: string, username: string, password: string): Promise<ServiceClient> {
  const res = await fetch(`${baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (res.status !== 204) throw new Error(`login as ${username} failed: HTTP ${res.status}`)
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = (await r.json()) as unknown
    if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${JSON.stringify(json)}`)
    return json
  }
  return { baseUrl, post: (p, b) => call('POST', p, b), get: (p) => call('GET', p) }
}

export interface ServiceAlert {
  id: number
  bandId: string
  kind: string
  fixTime: number
  openedAt: number
}

/** Every alert raised by fixes taken at or after `since` and newer than alert `afterId`, following the pages. */
export async function fetchAlerts(client: ServiceClient, since: number, afterId = 0): Promise<ServiceAlert[]> {
  const all: ServiceAlert[] = []
  let beforeId: number | undefined
  for (;;) {
    const page = (await client.get(
      `/api/alerts?limit=1000&since=${since}${beforeId ? `&beforeId=${beforeId}` : ''}`,
    )) as { alerts: ServiceAlert[] }
    all.push(...page.alerts.filter((a) => a.id > afterId))
    if (page.alerts.length < 1000 || page.alerts.at(-1)!.id <= afterId) return all
    beforeId = page.alerts[page.alerts.length - 1]!.id
  }
}

/** The newest alert's id: alerts after it belong to a run that starts now. */
export async function latestAlertId(client: ServiceClient): Promise<number> {
  const page = (await client.get('/api/alerts?limit=1')) as { alerts: ServiceAlert[] }
  return page.alerts[0]?.id ?? 0
}

/** Prometheus text from /metrics as a map of series (`name{labels}`) to value. */
export async function readMetrics(baseUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text()
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const i = line.lastIndexOf(' ')
    out.set(line.slice(0, i), Number(line.slice(i + 1)))
  }
  return out
}

/** Sum of every series of a metric, e.g. all reasons of tongxing_rejected_total. */
export function metricSum(m: Map<string, number>, name: string): number {
  let sum = 0
  for (const [k, v] of m) if (k === name || k.startsWith(`${name}{`)) sum += v
  return sum
}
