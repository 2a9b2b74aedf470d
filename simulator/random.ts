// A small seeded generator (mulberry32) and the draws the simulator needs. The same seed gives
// the same sequence on every machine, which is what makes runs reproducible byte for byte.
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  uniform(min: number, max: number): number
  int(min: number, maxInclusive: number): number
  /** Normal with mean 0 and standard deviation `sd` (Box–Muller). */
  normal(sd?: number): number
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
  /** A Poisson count with the given mean (Knuth; fine for the small means used here). */
  poisson(mean: number): number
  /** An independent generator derived from this one and a label, so that adding draws in one
   *  part of the simulation does not shift another's. */
  fork(label: string): Rng
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const rng: Rng = {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    normal: (sd = 1) => sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    poisson: (mean) => {
      const limit = Math.exp(-mean)
      let k = 0
      for (let p = next(); p > limit; p *= next()) k++
      return k
    },
    fork: (label) => createRng(hash(`${seed}:${label}`)),
  }
  return rng
}

/** FNV-1a, for deriving seeds from labels. */
export function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}
