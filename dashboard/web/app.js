// The dashboard page: sign in, then a map of the residents the viewer may see, the alert queue
// (acknowledge, resolve with a note) and the resident list, kept live by the socket. Everything
// shown comes from the API and the socket, which are scoped on the server.
import { ago, language, setLanguage, t } from '/i18n.js'

const $ = (id) => document.getElementById(id)
const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 }
let gcoord = null // loaded only when the tiles are in GCJ-02
const state = { me: null, config: null, bands: new Map(), alerts: new Map(), map: null, markers: new Map(), socket: null, seenAlerts: new Set() }

async function api(path, options = {}) {
  const res = await fetch(path, { credentials: 'same-origin', ...options, headers: { 'content-type': 'application/json', ...(options.headers ?? {}) } })
  if (res.status === 401) throw Object.assign(new Error('not signed in'), { status: 401 })
  if (!res.ok && res.status !== 204) throw Object.assign(new Error(`${path}: ${res.status}`), { status: res.status })
  return res.status === 204 ? null : res.json()
}

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
    $('login-error').textContent = t('badLogin')
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

// ── map ──────────────────────────────────────────────────────────────────────
/** Where to draw a WGS-84 point: shifted into GCJ-02 when the tiles use it (display only). */
function display(lat, lon) {
  if (!state.config?.gcj02 || !gcoord) return [lat, lon]
  const [x, y] = gcoord.transform([lon, lat], gcoord.WGS84, gcoord.GCJ02)
  return [y, x]
}

function setUpMap(zones) {
  if (!window.L || state.map) return // without Leaflet the lists still work
  const map = L.map('map', { zoomControl: true }).setView([36.81, 118.05], 12)
  if (state.config.tileUrl) L.tileLayer(state.config.tileUrl, { attribution: state.config.attribution, maxZoom: 19 }).addTo(map)
  state.map = map
  state.zoneLayer = L.layerGroup().addTo(map)
  map.on('click', (e) => editor.mapClick(e.latlng))
  drawZones(zones)
}

function drawZones(zones) {
  state.zones = zones
  if (!state.map) return
  state.zoneLayer.clearLayers()
  for (const z of zones) {
    const style = z.kind === 'danger' ? { color: '#b3261e', fillOpacity: 0.15 } : { color: '#2f7d4a', fillOpacity: 0.05, dashArray: z.schedule ? '6 4' : null }
    if (z.shape.type === 'circle') L.circle(display(z.shape.center[1], z.shape.center[0]), { radius: z.shape.radiusM, ...style, interactive: false }).bindTooltip(z.name).addTo(state.zoneLayer)
    else {
      const rings = z.shape.type === 'Polygon' ? [z.shape.coordinates] : z.shape.coordinates
      L.polygon(rings.map((poly) => poly.map((ring) => ring.map(([lon, lat]) => display(lat, lon)))), { ...style, interactive: false }).bindTooltip(z.name).addTo(state.zoneLayer)
    }
  }
}

/** A map position (display datum) back to WGS-84 [lon, lat] for storing. */
function stored(latlng) {
  if (!state.config?.gcj02 || !gcoord) return [latlng.lng, latlng.lat]
  return gcoord.transform([latlng.lng, latlng.lat], gcoord.GCJ02, gcoord.WGS84)
}

// ── zone editor (care staff and admins) ──────────────────────────────────────
const editor = {
  residentId: null, zone: null, mode: null, centre: null, corners: [], preview: null,
  open(b) {
    if (state.me.role === 'family' || b.residentId === null) return
    this.residentId = b.residentId
    $('zone-editor').hidden = false
    $('invite-link').textContent = ''
    $('zones-name').textContent = b.residentName ?? b.bandId
    this.cancel()
  },
  list() {
    const mine = (state.zones ?? []).filter((z) => z.residentId === this.residentId)
    $('zone-list').replaceChildren(...mine.map((z) => {
      const li = document.createElement('li')
      const when = z.schedule ? `${z.schedule.from}–${z.schedule.to}` : t('always')
      li.append(`${z.name} · ${t(z.kind)} · ${z.shape.type === 'circle' ? `${z.shape.radiusM} m` : 'polygon'} · ${when}`)
      li.append(button(t('edit'), `zone-edit-${z.id}`, () => this.start(z.shape.type === 'circle' ? 'circle' : 'polygon', z)))
      return li
    }))
  },
  start(mode, zone = null) {
    this.mode = mode
    this.zone = zone
    this.centre = zone?.shape.type === 'circle' ? zone.shape.center : null
    this.corners = zone && zone.shape.type === 'Polygon' ? zone.shape.coordinates[0].slice(0, -1) : []
    const f = $('zone-form')
    f.hidden = false
    $('zone-new').hidden = true
    f.name.value = zone?.name ?? ''
    f.kind.value = zone?.kind ?? 'safe'
    f.radius.value = zone?.shape.radiusM ?? 300
    f.from.value = zone?.schedule?.from ?? ''
    f.to.value = zone?.schedule?.to ?? ''
    f.querySelector('[data-circle]').hidden = mode !== 'circle'
    $('zone-delete').hidden = !zone
    $('zone-hint').textContent = mode === 'circle' ? t('clickCentre') : t('clickCorners')
    $('zone-error').textContent = ''
    this.draw()
  },
  mapClick(latlng) {
    if (!this.mode) return
    if (this.mode === 'circle') this.centre = stored(latlng)
    else this.corners.push(stored(latlng))
    this.draw()
  },
  shape() {
    if (this.mode === 'circle') return this.centre && { type: 'circle', center: this.centre, radiusM: Number($('zone-form').radius.value) }
    return this.corners.length >= 3 ? { type: 'Polygon', coordinates: [[...this.corners, this.corners[0]]] } : null
  },
  draw() {
    this.preview?.remove()
    this.preview = null
    const s = this.shape()
    if (!state.map || !s) return
    this.preview = s.type === 'circle'
      ? L.circle(display(s.center[1], s.center[0]), { radius: s.radiusM, color: '#23436b', dashArray: '4 4' }).addTo(state.map)
      : L.polygon(s.coordinates[0].map(([lon, lat]) => display(lat, lon)), { color: '#23436b', dashArray: '4 4' }).addTo(state.map)
  },
  cancel() {
    this.mode = null
    this.zone = null
    this.preview?.remove()
    this.preview = null
    $('zone-form').hidden = true
    $('zone-new').hidden = false
    this.list()
  },
  async save() {
    const f = $('zone-form')
    const shape = this.shape()
    if (!shape) return ($('zone-error').textContent = this.mode === 'circle' ? t('clickCentre') : t('clickCorners'))
    const body = { name: f.name.value, kind: f.kind.value, shape, schedule: f.from.value && f.to.value ? { from: f.from.value, to: f.to.value } : null }
    const res = await fetch(this.zone ? `/api/zones/${this.zone.id}` : `/api/residents/${this.residentId}/zones`,
      { method: this.zone ? 'PUT' : 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const answer = await res.json()
    if (!res.ok) return ($('zone-error').textContent = answer.error?.message ?? res.status)
    await this.reload()
  },
  async remove() {
    await api(`/api/zones/${this.zone.id}`, { method: 'DELETE' })
    await this.reload()
  },
  async reload() {
    drawZones((await api('/api/zones')).zones)
    this.cancel()
  },
}
$('zone-form').addEventListener('submit', (e) => { e.preventDefault(); void editor.save() })
$('zone-form').radius.addEventListener('input', () => editor.draw())
$('zone-cancel').addEventListener('click', () => editor.cancel())
$('zone-delete').addEventListener('click', () => void editor.remove())
$('zone-new-circle').addEventListener('click', () => editor.start('circle'))
$('invite').addEventListener('click', async () => {
  const made = await api(`/api/residents/${editor.residentId}/invitations`, { method: 'POST', body: '{}' })
  $('invite-link').textContent = `${t('inviteMade')} ${location.origin}/?invite=${made.code}`
})
$('zone-new-polygon').addEventListener('click', () => editor.start('polygon'))

function placeMarker(b) {
  if (!state.map || !b.position) return
  const at = display(b.position.lat, b.position.lon)
  let m = state.markers.get(b.bandId)
  if (!m) {
    m = {
      dot: L.circleMarker(at, { radius: 7, color: '#23436b', fillColor: '#3b78c2', fillOpacity: 1 }).addTo(state.map),
      halo: L.circle(at, { radius: b.position.acc ?? 0, color: '#3b78c2', weight: 1, fillOpacity: 0.1 }).addTo(state.map),
    }
    m.dot.bindTooltip(b.residentName ?? b.bandId, { permanent: true, direction: 'right', className: 'marker-label' })
    m.dot.getElement()?.setAttribute('data-testid', `marker-${b.bandId}`)
    state.markers.set(b.bandId, m)
  }
  m.dot.setLatLng(at)
  m.halo.setLatLng(at).setRadius(b.position.acc ?? 0)
}

function fitToMarkers() {
  const points = [...state.bands.values()].filter((b) => b.position).map((b) => display(b.position.lat, b.position.lon))
  if (state.map && points.length > 0) state.map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 16 })
}

// ── alerts ───────────────────────────────────────────────────────────────────
function residentName(residentId) {
  for (const b of state.bands.values()) if (b.residentId === residentId) return b.residentName ?? b.bandId
  return `#${residentId}`
}

function renderAlerts() {
  const list = $('alerts')
  const alerts = [...state.alerts.values()].filter((a) => a.status !== 'resolved')
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.openedAt - a.openedAt)
  $('alert-count').textContent = String(alerts.length)
  $('no-alerts').hidden = alerts.length > 0
  document.title = alerts.length ? `(${alerts.length}) 同行 Tongxing` : '同行 Tongxing'
  list.replaceChildren(...alerts.map((a) => {
    const li = document.createElement('li')
    li.className = `alert ${a.severity}${state.seenAlerts.has(a.id) ? '' : ' new'}`
    li.dataset.testid = `alert-${a.id}`
    li.dataset.status = a.status
    const escalation = a.escalationLevel > 0 ? ` · ${t('escalated')} (${t('level')} ${a.escalationLevel})` : ''
    li.innerHTML = `<div class="title"></div><div class="meta"></div><div class="actions"></div>`
    li.querySelector('.title').textContent = `${t(a.kind)} — ${residentName(a.residentId)}`
    li.querySelector('.meta').textContent = `${t(a.severity)} · ${t(a.status)}${escalation} · ${ago(a.fixTime)}`
    const actions = li.querySelector('.actions')
    if (a.status === 'open') actions.append(button(t('acknowledge'), 'acknowledge', () => act(a.id, 'acknowledge'), true))
    actions.append(button(t('resolve'), 'resolve', () => askNote(actions, a.id)))
    return li
  }))
  for (const a of alerts) state.seenAlerts.add(a.id)
}

function button(label, testid, onClick, primary = false) {
  const b = document.createElement('button')
  b.type = 'button'
  b.textContent = label
  b.dataset.testid = testid
  if (primary) b.className = 'primary'
  b.addEventListener('click', onClick)
  return b
}

function askNote(actions, id) {
  const input = document.createElement('input')
  input.placeholder = t('resolveNote')
  input.dataset.testid = 'resolve-note'
  actions.replaceChildren(input, button(t('save'), 'resolve-save', () => act(id, 'resolve', { note: input.value || '—' }), true))
  input.focus()
}

async function act(id, what, body = {}) {
  const r = await api(`/api/alerts/${id}/${what}`, { method: 'POST', body: JSON.stringify(body) })
  state.alerts.set(r.alert.id, r.alert)
  renderAlerts()
}

/** A short tone for a new alert (browsers allow it once the page has been used). */
function chime() {
  try {
    const ctx = new AudioContext()
    const osc = ctx.createOscillator()
    osc.frequency.value = 880
    osc.connect(ctx.destination)
    osc.start()
    osc.stop(ctx.currentTime + 0.25)
  } catch { /* no sound available */ }
}

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

// ── history replay ───────────────────────────────────────────────────────────
const history = { residentId: null, points: [], line: null, marker: null }

function openHistory(b) {
  history.residentId = b.residentId
  $('history').hidden = false
  $('history-name').textContent = b.residentName ?? b.bandId
  if (!$('history-day').value) $('history-day').value = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 10)
}

$('history-load').addEventListener('click', async () => {
  const from = new Date(`${$('history-day').value}T00:00:00`).getTime()
  const r = await api(`/api/residents/${history.residentId}/history?from=${from}&to=${from + 86_400_000}&maxPoints=2000`)
  history.points = r.points
  history.line?.remove()
  history.marker?.remove()
  const slider = $('history-slider')
  slider.max = String(Math.max(0, r.points.length - 1))
  slider.value = slider.max
  slider.disabled = r.points.length === 0
  if (r.points.length === 0) {
    $('history-time').textContent = t('noHistory')
    return
  }
  if (state.map) {
    history.line = L.polyline(r.points.map((p) => display(p.lat, p.lon)), { color: '#7b3fa0', weight: 3 }).addTo(state.map)
    history.marker = L.circleMarker(display(r.points.at(-1).lat, r.points.at(-1).lon), { radius: 6, color: '#7b3fa0', fillOpacity: 1 }).addTo(state.map)
    state.map.fitBounds(history.line.getBounds().pad(0.2))
  }
  showHistoryPoint(r.points.length - 1)
})

$('history-slider').addEventListener('input', (e) => showHistoryPoint(Number(e.target.value)))

function showHistoryPoint(i) {
  const p = history.points[i]
  if (!p) return
  history.marker?.setLatLng(display(p.lat, p.lon))
  $('history-time').textContent = `${new Date(p.fixTime).toLocaleString(language() === 'zh' ? 'zh-CN' : 'en-GB')} · ${i + 1} / ${history.points.length} ${t('points')}`
}

// ── live socket ──────────────────────────────────────────────────────────────
function connect() {
  // Resuming: the snapshot then also carries every alert changed since the last one seen here.
  const since = state.lastAlertChange ? `?since=${state.lastAlertChange}` : ''
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${since}`)
  state.socket = socket
  socket.addEventListener('open', () => { $('connection').className = 'dot on'; state.heardAt = Date.now() })
  socket.addEventListener('close', () => {
    $('connection').className = 'dot off'
    if (state.socket === socket) setTimeout(connect, 2000) // the snapshot on reconnect brings the page up to date
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
      const isNew = m.change === 'opened' && !state.alerts.has(m.alert.id)
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

// ── accepting an invitation (/?invite=CODE) ─────────────────────────────────
$('accept-form').addEventListener('submit', async (e) => {
  e.preventDefault()
  const form = new FormData(e.target)
  const code = new URLSearchParams(location.search).get('invite')
  const res = await fetch('/api/invitations/accept', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, username: form.get('username'), password: form.get('password') }) })
  if (!res.ok) return ($('accept-error').textContent = res.status === 409 ? t('taken') : t('badInvite'))
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
  if (state.config.gcj02) gcoord = (await import('/vendor/gcoord/dist/gcoord.esm-browser.prod.js')).default
  setUpMap((await api('/api/zones')).zones)
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
