// The geofence's figures for the operations dashboard, beside ingest's own (ingest/metrics.ts,
// infra/grafana/tongxing.json): how long alerts take to become durable, and how many are open.
import { Gauge, Histogram, type Registry } from 'prom-client'
import { within, type Queryable } from '../infra/index.ts'

export function geofenceMetrics(registry: Registry, db: Queryable) {
  const registers = [registry]
  return {
    raisedSeconds: new Histogram({
      name: 'tongxing_alert_raise_seconds',
      help: 'From the report that raised an alert arriving to the alert being durable',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 2, 10],
      registers,
    }),
    open: new Gauge({
      name: 'tongxing_alerts_open',
      help: 'Alerts not yet resolved, by kind',
      labelNames: ['kind'],
      registers,
      // A scrape must answer while the database is away (that is when it matters most): the last
      // figures stay until the count comes back within a second.
      async collect() {
        try {
          const r = await within(
            1000,
            db.query<{ kind: string; n: number }>(
              `SELECT kind, count(*)::int AS n FROM alerts WHERE status <> 'resolved' GROUP BY kind`,
            ),
          )
          this.reset()
          for (const row of r.rows) this.set({ kind: row.kind }, row.n)
        } catch {
          /* keep the last figures */
        }
      },
    }),
  }
}
