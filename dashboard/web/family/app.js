// The family app (/family/): a home card per relative and their alerts in plain words, kept live by
// the scoped socket (/ws), installable (manifest, /sw.js) and able to notify with the page closed.
// Everything shown comes from the API and the socket, which are scoped on the server.
import { $, api, signIn } from '../common.js'
import { loadDatum } from '../datum.js'
import { language, onLanguage, setLanguage, t } from '../i18n.js'
import { activeAlertCard, closedAlertCard, loadPeople } from './alerts.js'
import { residentCard } from './cards.js'
import { registerWorker, setUpPush } from './push.js'
import { homeOf } from './status.js'
import './text.js'

const app = {
  residents: [],
  words: null,
  bands: new Map(), // by band id
  alerts: new Map(), // unresolved, by id
  closed: new Map(), // closed while this page watched, until dismissed
  homes: new Map(), // resident id → home circle
  socket: null,
  connected: false,
  /** The newest alert change seen (epoch ms): a reconnect asks for every change since. */
  lastChange: 0,
  /** The alert a tapped notification opened: marked on every redraw, scrolled to once. */
  focus: Number(new URLSearchParams(location.search).get('alert')) || null,
  scrolled: false,
}

function render() {
  if (!app.words) return
  const now = Date.now()
  const nameOf = (residentId) => app.residents.find((r) => r.id === residentId)?.name ?? ''
  const alerts = $('alerts')
  alerts.replaceChildren()
  for (const a of app.closed.values()) alerts.append(closedAlertCard(a, nameOf(a.residentId), app.words, dismiss))
  const active = [...app.alerts.values()].sort((x, y) => y.openedAt - x.openedAt)
  for (const a of active) {
    const card = activeAlertCard(a, nameOf(a.residentId), app.words, now, acknowledge)
    if (a.id === app.focus) card.classList.add('focused')
    alerts.append(card)
  }
  const cards = $('cards')
  cards.replaceChildren()
  for (const r of app.residents) {
    const band = r.bandId ? app.bands.get(r.bandId) : undefined
    const mine = active.filter((a) => a.residentId === r.id)
    cards.append(residentCard(r, band, mine, app.homes.get(r.id) ?? null, now))
  }
  $('no-one').hidden = app.residents.length > 0
  const focused = !app.scrolled && app.focus && document.getElementById(`alert-${app.focus}`)
  if (focused) {
    focused.scrollIntoView({ block: 'start' })
    app.scrolled = true // once: later redraws leave the view alone
  }
}

function dismiss(id) {
  app.closed.delete(id)
  render()
}

async function acknowledge(id) {
  try {
    await api(`/api/alerts/${id}/acknowledge`, { method: 'POST' })
  } catch {
    // the socket brings the alert's real state either way
  }
}

function onAlert(change, a) {
  app.lastChange = Math.max(app.lastChange, a.updatedAt)
  if (a.status === 'resolved') {
    if (app.alerts.delete(a.id) || change === 'resolved') {
      app.closed.set(a.id, a)
      void loadPeople(a.id, render)
    }
  } else {
    app.alerts.set(a.id, a)
    // Who handles it, and whether a community worker is coming (accepted before this page opened).
    if (a.status === 'acknowledged' || change === 'snapshot') void loadPeople(a.id, render)
  }
}

function onPosition(p) {
  const b = app.bands.get(p.bandId)
  if (!b) return
  b.position = { fixTime: p.fixTime, lat: p.lat, lon: p.lon, acc: p.acc, src: b.position?.src ?? null }
  if (p.batt !== null) b.battery = { time: p.fixTime, pct: p.batt, charging: null }
  b.lastSeenAt = Date.now()
  b.online = true
}

function connectionShown(up) {
  app.connected = up
  $('connection').className = `dot ${up ? 'on' : 'off'}`
  $('connection').setAttribute('aria-label', t(up ? 'online' : 'offline'))
  $('banner').hidden = up
  $('banner').textContent = up ? '' : t('connLost')
}

function connect() {
  const since = app.lastChange ? `?since=${app.lastChange}` : ''
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${since}`)
  app.socket = socket
  socket.addEventListener('close', (e) => {
    if (app.socket !== socket) return
    connectionShown(false)
    if (e.code === 4401) return location.reload()
    setTimeout(connect, 2000)
  })
  socket.addEventListener('message', (e) => {
    const m = JSON.parse(e.data)
    if (m.type === 'snapshot') {
      app.bands = new Map(m.bands.map((b) => [b.bandId, b]))
      // Resuming: an alert closed while the connection was away still gets its closing card.
      const was = app.alerts
      app.alerts = new Map()
      for (const a of m.alerts) onAlert(was.has(a.id) && a.status === 'resolved' ? 'resolved' : 'snapshot', a)
      connectionShown(true)
    } else if (m.type === 'alert') onAlert(m.change, m.alert)
    else if (m.type === 'position') onPosition(m.position)
    else if (m.type === 'responder' && m.change === 'accepted') return void loadPeople(m.alertId, render)
    else if (m.type === 'status') {
      const b = app.bands.get(m.status.bandId)
      if (b) b.online = m.status.online
    } else if (m.type === 'session' || m.type === 'scope' || m.type === 'resident') {
      app.socket = null
      return location.reload() // signed out, or what may be seen changed: start again
    } else return
    render()
  })
}

async function start() {
  try {
    await api('/api/me')
  } catch (err) {
    if (err.status === 401) {
      $('login').hidden = false
      return
    }
    // No network (the app opened from the home screen offline): say so, and try again.
    connectionShown(false)
    setTimeout(() => void start(), 5000)
    return
  }
  $('login').hidden = true
  $('home').hidden = false
  $('logout').hidden = false
  const [home, zones] = await Promise.all([api('/api/family/home'), api('/api/zones'), loadDatum()])
  app.residents = home.residents
  app.words = home.words
  for (const r of app.residents) app.homes.set(r.id, homeOf(zones.zones, r.id))
  render()
  connect()
  setInterval(render, 30_000) // "3 minutes ago" ages; a silent band turns "not heard from"
  void setUpPush().catch(() => undefined)
}

$('login').addEventListener('submit', async (e) => {
  e.preventDefault()
  const refused = await signIn(e.target)
  $('login-error').textContent = refused ? t(refused) : ''
  if (!refused) await start()
})
$('logout').addEventListener('click', async () => {
  app.socket?.close()
  await fetch('/api/logout', { method: 'POST' })
  location.reload()
})
$('lang').addEventListener('click', () => setLanguage(language() === 'zh' ? 'en' : 'zh'))
onLanguage(() => {
  $('lang').textContent = language() === 'zh' ? 'English' : '中文'
  document.title = t('famTitle')
  render()
})

setLanguage(language())
void registerWorker()
window.addEventListener('load', () => void start())
