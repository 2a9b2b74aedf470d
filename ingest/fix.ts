// A decoded report from a band: a fix, or events without one (lat/lon undefined).
export const SOURCES = ['gps', 'wifi', 'lbs'] as const
export const EVENTS = ['sos', 'fall', 'removed', 'worn', 'power_off'] as const

export type FixSource = (typeof SOURCES)[number]
export type BandEvent = (typeof EVENTS)[number]

export interface Fix {
  bandId: string
  seq: number
  /** When the fix was taken, epoch milliseconds (not when it arrived). */
  ts: number
  lat?: number
  lon?: number
  /** Horizontal accuracy in metres (radius). */
  acc?: number
  src?: FixSource
  batt?: number
  chg?: boolean
  spd?: number
  hdg?: number
  evt: BandEvent[]
}
