// Ingest's Prometheus metrics, registered on the process registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

export type IngestMetrics = ReturnType<typeof ingestMetrics>

export function ingestMetrics(registry: Registry, sources: { queuedRows: () => number }) {
  const registers = [registry]
  return {
    received: new Counter({ name: 'tongxing_messages_received_total', help: 'Telemetry messages received', registers }),
    accepted: new Counter({
      name: 'tongxing_fixes_accepted_total',
      help: 'Reports (fixes or events) accepted',
      registers,
    }),
    rejected: new Counter({
      name: 'tongxing_rejected_total',
      help: 'Messages or fixes rejected, by reason',
      labelNames: ['reason'],
      registers,
    }),
    connectRefused: new Counter({
      name: 'tongxing_connect_refused_total',
      help: 'MQTT connections refused, by reason',
      labelNames: ['reason'],
      registers,
    }),
    duplicates: new Counter({
      name: 'tongxing_duplicates_total',
      help: 'Reports already stored (QoS 1 redelivery, repeated backlog)',
      registers,
    }),
    batchRows: new Histogram({
      name: 'tongxing_write_batch_rows',
      help: 'Reports per database write',
      buckets: [1, 10, 50, 200, 1000, 5000],
      registers,
    }),
    writeSeconds: new Histogram({
      name: 'tongxing_write_seconds',
      help: 'Database write latency',
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2],
      registers,
    }),
    queued: new Gauge({
      name: 'tongxing_write_queue_rows',
      help: 'Reports waiting to be written',
      registers,
      collect() {
        this.set(sources.queuedRows())
      },
    }),
    bandsConnected: new Gauge({
      name: 'tongxing_bands_connected',
      help: 'Bands connected to the embedded broker',
      registers,
    }),
    throttled: new Counter({
      name: 'tongxing_bands_throttled_total',
      help: 'Bands disconnected for flooding bad messages',
      registers,
    }),
    pauses: new Counter({
      name: 'tongxing_band_pauses_total',
      help: 'Times a band was paused because the write queue was full',
      registers,
    }),
    bandsPaused: new Gauge({
      name: 'tongxing_bands_paused',
      help: 'Bands not read from while the write queue is full (backpressure)',
      registers,
    }),
    databaseUp: new Gauge({
      name: 'tongxing_database_up',
      help: '1 while position writes succeed, 0 while they fail and are retried',
      registers,
    }),
  }
}
