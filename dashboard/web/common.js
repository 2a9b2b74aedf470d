// What the page's modules share: the state, an element lookup, the API call, a button.
export const $ = (id) => document.getElementById(id)

export const state = {
  me: null,
  config: null,
  bands: new Map(),
  alerts: new Map(),
  map: null,
  markers: new Map(),
  socket: null,
  seenAlerts: new Set(),
  zones: [],
  /** The resident (band id) and alert (id) being looked at; the live connection's state. */
  selectedBand: null,
  selectedAlert: null,
  connected: false,
}

export async function api(path, options = {}) {
  // A JSON content type only with a body: an empty one announced as JSON is refused.
  const json = options.body === undefined ? {} : { 'content-type': 'application/json' }
  const res = await fetch(path, {
    credentials: 'same-origin',
    ...options,
    headers: { ...json, ...(options.headers ?? {}) },
  })
  if (res.status === 401) throw Object.assign(new Error('not signed in'), { status: 401 })
  if (!res.ok && res.status !== 204) throw Object.assign(new Error(`${path}: ${res.status}`), { status: res.status })
  return res.status === 204 ? null : res.json()
}

/** Signs in with a form's username and password: null when signed in, else the word for why not. */
export async function signIn(form) {
  const data = new FormData(form)
  const res = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: data.get('username'), password: data.get('password') }),
  })
  if (res.status === 204) return null
  return res.status === 429 ? 'tooManyTries' : 'badLogin'
}

export function button(label, testid, onClick, primary = false) {
  const b = document.createElement('button')
  b.type = 'button'
  b.textContent = label
  b.dataset.testid = testid
  if (primary) b.className = 'primary'
  b.addEventListener('click', onClick)
  return b
}

/** An element with a class and text (text only: names come from users). */
export function el(tag, className, text) {
  const e = document.createElement(tag)
  if (className) e.className = className
  if (text !== undefined) e.textContent = text
  return e
}

/** Whose name to show for a band: the resident's, else the band id. */
export const nameOf = (b) => b.residentName ?? b.bandId

/** The band worn by a resident, if it is on the page. */
export function bandOfResident(residentId) {
  for (const b of state.bands.values()) if (b.residentId === residentId) return b
  return undefined
}

/** Metres and compass direction (8 points) from one WGS-84 point to another. */
export function offset(fromLat, fromLon, toLat, toLon) {
  const R = 6371008.8
  const rad = Math.PI / 180
  const dy = (toLat - fromLat) * rad * R
  const dx = (toLon - fromLon) * rad * R * Math.cos(((fromLat + toLat) / 2) * rad)
  const bearing = (Math.atan2(dx, dy) / rad + 360) % 360
  return { metres: Math.hypot(dx, dy), dir: ['n', 'ne', 'e', 'se', 's', 'sw', 'w', 'nw'][Math.round(bearing / 45) % 8] }
}
