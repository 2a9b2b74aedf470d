// The path of a band's report through the service, in order, each stage by name:
//
//   broker hook   the embedded broker's authorizePublish (broker.aedes.ts) or the external broker's
//                 client (telemetry-source.mqtt.ts) hands the message to ingest and holds the
//                 band's PUBACK until the last awaited stage is done
//   decode        bytes → reports (codec.ts: band protocol v1; owntracks.ts)
//   validate      each report on its own: range, far future, before the band was provisioned;
//                 a bad one is counted, recorded for operators and logged, the rest go on
//   judge         the geofence sees the good reports before they are written (alerts do not
//                 wait for a batch); its failure never loses a report
//   write         the reports become durable (position-writer.ts); then the band is acknowledged
//   status        band_status: last heard, newest position, battery, events
//   fan-out       whoever watches: the page's positions, the commands a report answers
//
// decode and validate are ingest's own (ingest.ts); the composition root (bin/parts/bands.ts)
// gives the stages after them, by these names. Pure: no database, no broker.
import type { Logger } from '../infra/index.ts'
import type { Fix } from './fix.ts'

export const STAGES = ['broker hook', 'decode', 'validate', 'judge', 'write', 'status', 'fan-out'] as const

/** The stages a message's good reports go through after validation, in this order. */
export interface StoredStages {
  judge(fixes: readonly Fix[]): void
  /** Resolves when the reports are committed. */
  write(fixes: readonly Fix[]): Promise<void>
  status(fixes: readonly Fix[]): void
  fanOut(fixes: readonly Fix[]): void
}

/** Runs judge, write, status and fan-out on one message's good reports. */
export async function afterValidation(
  stages: StoredStages,
  fixes: readonly Fix[],
  log: Logger,
  bandId: string,
): Promise<void> {
  try {
    stages.judge(fixes)
  } catch (err) {
    // A geofence bug must not lose positions: they are still written below.
    log.error({ err, bandId }, 'fix listener failed')
  }
  await stages.write(fixes)
  stages.status(fixes)
  stages.fanOut(fixes)
}
