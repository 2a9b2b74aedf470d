// simulator/: synthetic fleets with ground truth, replay of recorded tracks, bad traffic and load.
// It knows nothing of the service's internals: it talks MQTT and HTTP like bands and clients.
export { createRng, type Rng } from './random.ts'
export { generateFleet, DISTRICTS, DANGER_CORRIDORS, type Fleet, type Resident, type CareCentre } from './zibo.ts'
export {
  simulateFleet,
  mergeByTime,
  SCENARIOS,
  type ScenarioName,
  type FleetSim,
  type FleetEvent,
} from './fleet-sim.ts'
export { planBand, bandEvents, DEFAULT_FAULTS, type BandPlan, type SimEvent } from './band.ts'
export { measure, DEFAULT_NOISE, type NoiseModel } from './noise.ts'
export { EPISODE_KINDS, type EpisodeKind } from './episodes.ts'
export { EXPECTED_ALERTS, MUST_ALERT, type Label } from './truth.ts'
export { score, formatScore, quantile } from './score.ts'
export { parseTrack, replayEvents, formatOf } from './replay.ts'
export { withBadTraffic, BAD_KINDS, EXPECTED_REASON, ROGUE_BAND } from './bad-traffic.ts'
export { loadEvents } from './load.ts'
export { importDoc, staffLogin } from './provisioning.ts'
export { runEvents } from './runner.mqtt.ts'
export { liveBand, type LiveBand } from './live-band.ts'
export { runLiveBands } from './live.mqtt.ts'
export { main as simulatorMain } from './cli.ts'
