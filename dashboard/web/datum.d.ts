// Types for node's tests of datum.js (the page itself loads the plain module).
export function loadDatum(lib?: unknown): Promise<void>
export function datumLoaded(): boolean
export function inDatum(lat: number, lon: number, datum: 'GCJ02' | 'BD09'): [number, number]
export function navLinks(lat: number, lon: number, label: string): { amap: string; baidu: string }
export function gcj02ToWgs84(lat: number, lon: number): [number, number]
