// ingest/: the band protocol, the embedded broker, the external-broker client, and batching
// reports into the database. Knows nothing of zones, users or WebSocket.
export { BAND_ID, BandIdSchema, parseBandTopic } from './topics.ts'
export type { Fix, BandEvent, FixSource } from './fix.ts'
export { decodeTelemetry, MAX_PAYLOAD_BYTES } from './codec.ts'
export { generateSecret, verifySecret, MIN_SECRET_LENGTH } from './band-secret.ts'
export {
  assignBand,
  bandExists,
  bandProvisionedAt,
  findBandSecret,
  mosquittoPasswordFile,
  unassignBand,
  upsertBand,
} from './band-store.pg.ts'
export { pgPositionStore } from './position-store.pg.ts'
export { bandOwner, listBandStatus, setBandOnline, type BandStatus } from './band-status.pg.ts'
export { createPositionWriter, type PositionWriter } from './position-writer.ts'
export { createIngest, type Ingest } from './ingest.ts'
export { STAGES, type StoredStages } from './pipeline.ts'
export { ingestMetrics, type IngestMetrics } from './metrics.ts'
export { startEmbeddedBroker, type EmbeddedBroker } from './broker.aedes.ts'
export { connectExternalBroker, type TelemetrySource } from './telemetry-source.mqtt.ts'
export { createFloodGuard, DEFAULT_FLOOD_POLICY, type FloodGuard, type FloodPolicy } from './flood-guard.ts'
export { createRejectedRecord, type RejectedRecord, type RejectedEntry } from './rejected-record.ts'
export { CommandSchema, checkCommand, type Command } from './commands.ts'
export { listCommands, type BandCommand } from './commands.pg.ts'
export { createCommandChannel, type CommandChannel } from './command-channel.ts'
export { createStatusWriter, type StatusWriter } from './band-status-writer.ts'
export { statusUpdates, type StatusUpdate } from './band-status.ts'
