// The dashboard page: sign in, then the alert queue, the resident list and a map of the residents
// the viewer may see, kept live by the socket. Socket messages are applied to the state at once and
// drawn at most once a frame, only what changed. Everything shown comes from the API and the
// socket, which are scoped on the server.
import { setUpAdmin } from '/admin.js'
import { announce, renderAlerts, retryQueued } from '/alerts.js'
import { $, api, signIn, state } from '/common.js'
import { closeDetails, renderAlertDetail, setUpDetails } from '/details.js'
import { closeHistory } from '/history.js'
import { drawZones, fitToMarkers, labelMarker, loadDatum, placeMarker, removeMarker, setUpMap } from '/map.js'
import { language, onLanguage, setLanguage, t } from '/i18n.js'
import { indexAlerts, renderResidents, reorder, setUpResidents } from '/residents.js'
import { editor } from '/zone-editor.js'

// ── sign in / out ────────────────────────────────────────────────────────────
function showLogin() {
  $('app').hidden = true
  $('logout').hidden = true
  $('login').hidden = false
  $('who').textContent = ''
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault()
  const refused = await signIn(e.target)
  $('login-error').textContent = refused ? t(refused) : ''
  if (!refused) await start()
})

$('logout').addEventListener('click', async () => {
  state.socket?.close()
  await fetch('/api/logout', { method: 'POST' })
  location.reload()
})

$('lang').addEventListener('click', () => setLanguage(language() === 'zh' ? 'en' : 'zh'))
onLanguage(() => {
  if (!state.me) return
  $('connection').title = t(state.connected ? 'online' : 'offline')
  if (!$('banner').hidden) $('banner').textContent = t(state.connected ? 'connBack' : 'connLost')
  renderAll()
})

function renderAll() {
  $('who').textContent = state.me ? `${state.me.username} · ${t(`role_${state.me.role}`)}` : ''
  $('logout').textContent = t('logout')
  $('lang').textContent = language() === 'zh' ? 'English' : '中文'
  renderAlerts()
  renderResidents()
  renderAlertDetail()
}

// ── drawing, at most once a frame ───────────────────────────────────────────
/** What changed since the last draw: bands, alerts, and whether the alert being looked at did. */
const dirty = { bands: new Set(), alerts: false, selected: false }
/** Positions alone are drawn at most this often (a band reports every 10 s or so); anything else at the next frame. */
const POSITION_DRAW_MS = 250
let frame = 0
let drawTimer = 0
function schedule(urgent = true) {
  if (frame) return
  if (urgent) frame = requestAnimationFrame(flush)
  else if (!drawTimer)
    drawTimer = setTimeout(() => {
      drawTimer = 0
      frame ||= requestAnimationFrame(flush)
    }, POSITION_DRAW_MS)
}
function flush() {
  frame = 0
  if (dirty.alerts) {
    indexAlerts()
    renderAlerts()
    // Markers show alert state: redraw those of residents whose alerts changed.
    for (const b of state.bands.values()) placeMarker(b)
    if (dirty.selected) renderAlertDetail()
  }
  for (const id of dirty.bands) {
    const b = state.bands.get(id)
    if (b) placeMarker(b)
  }
  dirty.alerts = false
  dirty.selected = false
  dirty.bands.clear()
  renderResidents()
}
window.addEventListener('alerts-changed', (e) => {
  dirty.alerts = true
  dirty.selected ||= e.detail === undefined || e.detail === state.selectedAlert
  schedule()
})

// ── connection state ─────────────────────────────────────────────────────────
function connectionShown(up) {
  const was = state.connected
  state.connected = up
  $('connection').className = `dot ${up ? 'on' : 'off'}`
  $('connection').title = t(up ? 'online' : 'offline')
  document.body.classList.toggle('disconnected', !up)
  const banner = $('banner')
  if (!up && (was || banner.hidden)) {
    banner.textContent = t('connLost')
    banner.className = 'banner lost'
    banner.hidden = false
  } else if (up && !was && !banner.hidden) {
    banner.textContent = t('connBack')
    banner.className = 'banner back'
    setTimeout(() => {
      if (state.connected) banner.hidden = true
    }, 4000)
  }
}

/** A community responder accepted the search for a resident's wander alert: say someone is coming. */
function onTheWay(m) {
  const banner = $('banner')
  banner.textContent = t('responderOnTheWay')
  banner.className = 'banner back'
  banner.hidden = false
  setTimeout(() => {
    if (state.connected) banner.hidden = true
  }, 8000)
  dirty.selected ||= m.alertId === state.selectedAlert
}

// ── live socket ──────────────────────────────────────────────────────────────
function connect() {
  // Resuming: the snapshot then also carries every alert changed since the last one seen here.
  const since = state.lastAlertChange ? `?since=${state.lastAlertChange}` : ''
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${since}`)
  state.socket = socket
  socket.addEventListener('open', () => {
    state.heardAt = Date.now()
  })
  socket.addEventListener('close', (e) => {
    if (state.socket !== socket) return
    connectionShown(false)
    // The session is over (signed out elsewhere, expired, account deleted): back to the sign-in form.
    if (e.code === 4401) return location.reload()
    setTimeout(connect, 2000) // the snapshot on reconnect brings the page up to date
  })
  socket.addEventListener('message', (e) => {
    state.heardAt = Date.now()
    const m = JSON.parse(e.data)
    if (m.type === 'snapshot') onSnapshot(m)
    else if (m.type === 'alert') {
      // An acknowledged SOS or fall opened again by a new press is new too (same id, later fix).
      const before = state.alerts.get(m.alert.id)
      const isNew = m.change === 'opened' && (before?.status !== 'open' || before.fixTime !== m.alert.fixTime)
      state.alerts.set(m.alert.id, m.alert)
      state.lastAlertChange = Math.max(state.lastAlertChange ?? 0, m.alert.updatedAt)
      if (isNew) announce(m.alert)
      dirty.alerts = true
      dirty.selected ||= m.alert.id === state.selectedAlert
    } else if (m.type === 'status') {
      const b = state.bands.get(m.status.bandId)
      if (b) {
        b.online = m.status.online
        dirty.bands.add(b.bandId)
        reorder()
      }
    } else if (m.type === 'session' || m.type === 'scope') {
      // Signed out, or allowed to see other residents now: start again from what the server gives.
      state.socket = null
      location.reload()
    } else if (m.type === 'resident' && m.change === 'erased') {
      dropResident(m.residentId)
    } else if (m.type === 'responder' && m.change === 'accepted') {
      onTheWay(m)
    } else if (m.type === 'position') {
      onPosition(m.position)
      return schedule(false)
    } else if (m.type === 'keepalive') return
    schedule()
  })
}

function onSnapshot(m) {
  const first = !state.snapshotSeen
  state.snapshotSeen = true
  const fresh = new Map(m.bands.map((b) => [b.bandId, b]))
  for (const id of state.bands.keys()) if (!fresh.has(id)) removeMarker(id)
  state.bands = fresh
  for (const a of m.alerts) {
    const isNew = !state.alerts.has(a.id) && state.lastAlertChange && a.status === 'open'
    state.alerts.set(a.id, a)
    if (!isNew) state.seenAlerts.add(a.id)
    else announce(a)
    state.lastAlertChange = Math.max(state.lastAlertChange ?? 0, a.updatedAt)
  }
  indexAlerts()
  for (const b of state.bands.values()) placeMarker(b)
  if (first) for (const b of state.bands.values()) labelMarker(b)
  fitToMarkers()
  reorder()
  renderAll()
  connectionShown(true)
  void retryQueued()
}

function onPosition(p) {
  // Before the first snapshot a position has nobody's name yet; the snapshot brings it.
  if (!state.snapshotSeen) return
  const b = state.bands.get(p.bandId) ?? {
    bandId: p.bandId,
    residentId: p.residentId,
    residentName: null,
    online: true,
    battery: null,
    lastSeenAt: Date.now(),
  }
  const wasLow = b.battery && b.battery.pct <= 20
  b.position = { fixTime: p.fixTime, lat: p.lat, lon: p.lon, acc: p.acc, src: null }
  if (p.batt !== null) b.battery = { time: p.fixTime, pct: p.batt, charging: null }
  b.lastSeenAt = Date.now()
  if (!state.bands.has(p.bandId) || wasLow !== (b.battery && b.battery.pct <= 20)) reorder()
  state.bands.set(p.bandId, b)
  dirty.bands.add(p.bandId)
}

/** A resident erased: nothing of them stays on the page (marker, list entry, alerts, zones). */
function dropResident(residentId) {
  for (const [bandId, b] of state.bands) {
    if (b.residentId !== residentId) continue
    if (state.selectedBand === bandId) closeDetails()
    removeMarker(bandId)
    state.bands.delete(bandId)
  }
  for (const [id, a] of state.alerts) if (a.residentId === residentId) state.alerts.delete(id)
  drawZones(state.zones.filter((z) => z.residentId !== residentId))
  closeHistory(residentId)
  indexAlerts()
  renderAll()
}

// ── accepting an invitation (/?invite=CODE) ─────────────────────────────────
$('accept-form').addEventListener('submit', async (e) => {
  e.preventDefault()
  const form = new FormData(e.target)
  const code = new URLSearchParams(location.search).get('invite')
  const res = await fetch('/api/invitations/accept', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, username: form.get('username'), password: form.get('password') }),
  })
  const refused = res.ok ? null : (await res.json().catch(() => ({}))).error?.code
  const why = { username_taken: 'taken', weak_password: 'weakPassword' }[refused] ?? 'badInvite'
  if (!res.ok) {
    $('accept-error').textContent = t(why)
    return
  }
  await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
  })
  window.history.replaceState(null, '', '/')
  $('accept').hidden = true
  await start()
})

// ── start ────────────────────────────────────────────────────────────────────
async function start() {
  if (new URLSearchParams(location.search).has('invite')) {
    $('accept').hidden = false
    return
  }
  try {
    state.me = (await api('/api/me')).user
  } catch (err) {
    if (err.status === 401) return showLogin()
    throw err
  }
  $('login').hidden = true
  $('app').hidden = false
  $('logout').hidden = false
  state.config = await api('/api/config')
  await loadDatum()
  setUpMap((await api('/api/zones')).zones, (latlng) => editor.mapClick(latlng))
  setUpResidents((bandId) => window.dispatchEvent(new CustomEvent('select-band', { detail: bandId })))
  setUpDetails()
  setUpAdmin()
  renderAll()
  connect()
  setInterval(renderAll, 30_000) // "last seen" ages
  // The server sends a keep-alive every 30 s: silence for 80 s means the connection is dead.
  setInterval(() => {
    if (state.socket?.readyState === WebSocket.OPEN && Date.now() - (state.heardAt ?? Date.now()) > 80_000)
      state.socket.close()
  }, 10_000)
}

setLanguage(language())
window.addEventListener('load', () => void start())
