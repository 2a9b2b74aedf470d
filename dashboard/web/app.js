// The dashboard page: sign in, then a map of the residents the viewer may see, the alert queue
// (acknowledge, resolve with a note) and the resident list, kept live by the socket. Everything
// shown comes from the API and the socket, which are scoped on the server.
import { chime, renderAlerts } from '/alerts.js'
import { $, api, state } from '/common.js'
import { closeHistory, openHistory } from '/history.js'
import { display, drawZones, fitToMarkers, loadDatum, placeMarker, setUpMap } from '/map.js'
import { ago, language, setLanguage, t } from '/i18n.js'
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
  const form = new FormData(e.target)
  const res = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: form.get('username'), password: form.get('password') }) })
  if (res.status !== 204) {
    $('login-error').textContent = res.status === 429 ? t('tooManyTries') : t('badLogin')
    return
  }
  $('login-error').textContent = ''
  await start()
})

$('logout').addEventListener('click', async () => {
  state.socket?.close()
  await fetch('/api/logout', { method: 'POST' })
  location.reload()
})

$('lang').addEventListener('click', () => {
  setLanguage(language() === 'zh' ? 'en' : 'zh')
  renderAll()
})

// ── residents ────────────────────────────────────────────────────────────────
function renderResidents() {
  const now = Date.now()
  $('residents').replaceChildren(...[...state.bands.values()].map((b) => {
    const li = document.createElement('li')
    li.className = 'resident'
    li.dataset.testid = `resident-${b.bandId}`
    const online = b.online === null ? 'unknown' : b.online ? 'online' : 'offline'
    li.innerHTML = `<span class="dot"></span><span class="name"></span><span class="batt"></span><span class="meta"></span>`
    if (b.online !== null) li.querySelector('.dot').classList.add(b.online ? 'on' : 'off')
    li.querySelector('.dot').title = t(online)
    li.querySelector('.name').textContent = b.residentName ?? b.bandId
    li.querySelector('.batt').textContent = b.battery ? `${t('battery')} ${b.battery.pct}%` : ''
    const seen = b.position?.fixTime ?? b.lastSeenAt
    li.querySelector('.meta').textContent = `${t('lastSeen')} ${ago(seen, now)}${b.position?.acc ? ` · ${t('accuracy')} ±${Math.round(b.position.acc)} m` : ''}`
    li.addEventListener('click', () => {
      if (state.map && b.position) state.map.setView(display(b.position.lat, b.position.lon), 17)
      if (b.residentId !== null) openHistory(b)
      editor.open(b)
    })
    return li
  }))
}

function renderAll() {
  $('who').textContent = state.me ? `${state.me.username} · ${t(`role_${state.me.role}`)}` : ''
  $('logout').textContent = t('logout')
  $('lang').textContent = language() === 'zh' ? 'English' : '中文'
  renderAlerts()
  renderResidents()
}

// ── live socket ──────────────────────────────────────────────────────────────
function connect() {
  // Resuming: the snapshot then also carries every alert changed since the last one seen here.
  const since = state.lastAlertChange ? `?since=${state.lastAlertChange}` : ''
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${since}`)
  state.socket = socket
  socket.addEventListener('open', () => { $('connection').className = 'dot on'; state.heardAt = Date.now() })
  socket.addEventListener('close', (e) => {
    $('connection').className = 'dot off'
    if (state.socket !== socket) return
    // The session is over (signed out elsewhere, expired, account deleted): back to the sign-in form.
    if (e.code === 4401) return location.reload()
    setTimeout(connect, 2000) // the snapshot on reconnect brings the page up to date
  })
  socket.addEventListener('message', (e) => {
    state.heardAt = Date.now()
    const m = JSON.parse(e.data)
    if (m.type === 'snapshot') {
      state.bands = new Map(m.bands.map((b) => [b.bandId, b]))
      for (const a of m.alerts) {
        const isNew = !state.alerts.has(a.id) && state.lastAlertChange && a.status === 'open'
        state.alerts.set(a.id, a)
        if (!isNew) state.seenAlerts.add(a.id)
        state.lastAlertChange = Math.max(state.lastAlertChange ?? 0, a.updatedAt)
      }
      for (const b of state.bands.values()) placeMarker(b)
      fitToMarkers()
      renderAll()
    } else if (m.type === 'alert') {
      // An acknowledged SOS or fall opened again by a new press is new too (same id, later fix).
      const before = state.alerts.get(m.alert.id)
      const isNew = m.change === 'opened' && (before?.status !== 'open' || before.fixTime !== m.alert.fixTime)
      state.alerts.set(m.alert.id, m.alert)
      state.lastAlertChange = Math.max(state.lastAlertChange ?? 0, m.alert.updatedAt)
      if (isNew) chime()
      renderAlerts()
    } else if (m.type === 'status') {
      const b = state.bands.get(m.status.bandId)
      if (b) {
        b.online = m.status.online
        renderResidents()
      }
    } else if (m.type === 'session' || m.type === 'scope') {
      // Signed out, or allowed to see other residents now: start again from what the server gives.
      state.socket = null
      location.reload()
    } else if (m.type === 'resident' && m.change === 'erased') {
      dropResident(m.residentId)
    } else if (m.type === 'position') {
      const p = m.position
      const b = state.bands.get(p.bandId) ?? { bandId: p.bandId, residentId: p.residentId, residentName: null, online: true, battery: null, lastSeenAt: Date.now() }
      b.position = { fixTime: p.fixTime, lat: p.lat, lon: p.lon, acc: p.acc, src: null }
      if (p.batt !== null) b.battery = { time: p.fixTime, pct: p.batt, charging: null }
      b.lastSeenAt = Date.now()
      state.bands.set(p.bandId, b)
      placeMarker(b)
      renderResidents()
    }
  })
}

/** A resident erased: nothing of them stays on the page (marker, list entry, alerts, zones). */
function dropResident(residentId) {
  for (const [bandId, b] of state.bands) {
    if (b.residentId !== residentId) continue
    const m = state.markers.get(bandId)
    m?.dot.remove()
    m?.halo.remove()
    state.markers.delete(bandId)
    state.bands.delete(bandId)
  }
  for (const [id, a] of state.alerts) if (a.residentId === residentId) state.alerts.delete(id)
  drawZones(state.zones.filter((z) => z.residentId !== residentId))
  closeHistory(residentId)
  renderAll()
}

// ── accepting an invitation (/?invite=CODE) ─────────────────────────────────
$('accept-form').addEventListener('submit', async (e) => {
  e.preventDefault()
  const form = new FormData(e.target)
  const code = new URLSearchParams(location.search).get('invite')
  const res = await fetch('/api/invitations/accept', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, username: form.get('username'), password: form.get('password') }) })
  const refused = res.ok ? null : (await res.json().catch(() => ({}))).error?.code
  const why = { username_taken: 'taken', weak_password: 'weakPassword' }[refused] ?? 'badInvite'
  if (!res.ok) {
    $('accept-error').textContent = t(why)
    return
  }
  await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: form.get('username'), password: form.get('password') }) })
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
  renderAll()
  connect()
  setInterval(renderResidents, 30_000) // "last seen" ages
  // The server sends a keep-alive every 30 s: silence for 80 s means the connection is dead.
  setInterval(() => {
    if (state.socket?.readyState === WebSocket.OPEN && Date.now() - (state.heardAt ?? Date.now()) > 80_000) state.socket.close()
  }, 10_000)
}

setLanguage(language())
window.addEventListener('load', () => void start())
