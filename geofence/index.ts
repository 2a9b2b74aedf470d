// geofence/: zones, the per-band state machine, alert rules and the alert lifecycle.
// Knows nothing of MQTT or HTTP.
export {
  step,
  tick,
  initialState,
  DEFAULT_POLICY,
  type BandState,
  type Policy,
  type EngineEvent,
  type SearchCommand,
} from './engine.ts'
export {
  ScheduleSchema,
  ZoneInputSchema,
  ZoneKindSchema,
  ZonePolicySchema,
  ZoneShapeSchema,
  ZoneViewSchema,
} from './zone-schema.ts'
export {
  checkShape,
  checkZonePolicy,
  distanceBeyond,
  insideShape,
  nearBox,
  type Zone,
  type ZoneShape,
  type ZoneKind,
} from './zone.ts'
export type { Alert, AlertChange, AlertKind, AlertStatus, Severity } from './alert.ts'
export { AlertChangeKindSchema, AlertKindSchema, AlertSchema, AlertStatusSchema, SeveritySchema } from './alert.ts'
export {
  listAlerts,
  raiseAlert,
  resolveAlert,
  acknowledgeAlert,
  resolveAlertByPerson,
  findAlert,
  type NewAlert,
} from './alert-store.pg.ts'
export { ESCALATION_LEVELS, OUTCOME_KINDS, SEVERITY } from './alert.ts'
export {
  deleteZone,
  findZone,
  insertZone,
  listZones,
  updateZone,
  type NewZone,
  type ZoneView,
} from './zone-store.pg.ts'
export { createGeofence, type Geofence, type GeofenceFix } from './geofence.ts'
export { createTopologyCache, type TopologyCache } from './topology-cache.ts'
export { startShardOwner, type ShardOwner } from './shard-owner.ts'
export { shardOf } from './shards.ts'
export { geofenceMetrics } from './metrics.ts'
export type { Wearer } from './topology.pg.ts'
export { checkSchedule, isActive, type Schedule } from './schedule.ts'
