// Types for node's tests of status.js (the page itself loads the plain module).
export const SILENT_AFTER_MS: number
type Zone = { residentId: number | null; kind: string; name: string; shape: unknown }
type Home = { lat: number; lon: number; radiusM: number }
type Band = { online: boolean | null; lastSeenAt: number | null; position: { lat: number; lon: number } | null }
export function homeOf(zones: Zone[], residentId: number): Home | null
export function familyStatus(
  band: Band | undefined,
  activeAlerts: { kind: string; status: string }[],
  home: Home | null,
  now: number,
): 'outside' | 'silent' | 'home' | 'out'
export function roundedDistance(metres: number): { value: number; unit: 'm' | 'km' }
export function fromHome(
  home: Home | null,
  p: { lat: number; lon: number } | null,
): { value: number; unit: 'm' | 'km'; dir: string } | null
