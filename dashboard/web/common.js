// What the page's modules share: the state, an element lookup, the API call, a button.
export const $ = (id) => document.getElementById(id)

export const state = { me: null, config: null, bands: new Map(), alerts: new Map(), map: null, markers: new Map(), socket: null, seenAlerts: new Set(), zones: [] }

export async function api(path, options = {}) {
  // A JSON content type only with a body: an empty one announced as JSON is refused.
  const json = options.body === undefined ? {} : { 'content-type': 'application/json' }
  const res = await fetch(path, { credentials: 'same-origin', ...options, headers: { ...json, ...(options.headers ?? {}) } })
  if (res.status === 401) throw Object.assign(new Error('not signed in'), { status: 401 })
  if (!res.ok && res.status !== 204) throw Object.assign(new Error(`${path}: ${res.status}`), { status: res.status })
  return res.status === 204 ? null : res.json()
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
