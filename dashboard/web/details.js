// The side panel (a bottom sheet on a phone): the selected resident — latest fix, battery, zones,
// history, commands — and, when an alert is selected, its evidence in words, links to navigate in
// Chinese map apps, and its handling timeline (who did what), with notes and actions.
import { act } from '/alerts.js'
import { $, api, bandOfResident, button, el, nameOf, offset, state } from '/common.js'
import { ago, clock, onLanguage, t } from '/i18n.js'
import { navLinks } from '/datum.js'
import { display, drawZones, labelMarker, placeMarker } from '/map.js'
import { renderResidents, revealResident, statusOf } from '/residents.js'
import { closeHistory, openHistory } from '/history.js'
import { editor } from '/zone-editor.js'
import { searchLinkActions } from '/search-link-panel.js'

/** The selection is drawn in SVG (the crowd's markers may use a canvas): its parts can be told apart. */
const svg = () => (state.svg ??= L.svg())

/** Selects a resident: highlighted on the map and in the list, their zones stand out, details open. */
export function selectBand(bandId, { fly = true } = {}) {
  const previous = state.selectedBand
  state.selectedBand = bandId
  for (const id of [previous, bandId]) {
    const b = id && state.bands.get(id)
    if (b) {
      placeMarker(b)
      labelMarker(b)
    }
  }
  const b = state.bands.get(bandId)
  if (!b) return
  const alertHere = state.alerts.get(state.selectedAlert)?.residentId === b.residentId
  if (state.selectedAlert && !alertHere) state.selectedAlert = null
  drawZones(state.zones)
  state.overlay?.clearLayers()
  if (state.map && b.position) {
    const at = display(b.position.lat, b.position.lon)
    L.circle(at, {
      radius: b.position.acc ?? 0,
      color: '#3b78c2',
      weight: 1,
      fillOpacity: 0.1,
      interactive: false,
      renderer: svg(),
      className: 'accuracy',
    }).addTo(state.overlay)
    if (fly) state.map.flyTo(at, Math.max(state.map.getZoom(), 17), { duration: 0.5 })
  }
  revealResident(bandId)
  $('admin').hidden = true
  $('details').hidden = false
  $('details-name').textContent = nameOf(b)
  renderPerson()
  renderAlertDetail()
  if (b.residentId !== null) openHistory(b)
  editor.open(b)
}

/** Selects an alert: its resident as above, then the alert's evidence, trail and zone. */
export function selectAlert(id) {
  const a = state.alerts.get(id)
  if (!a) return
  state.selectedAlert = id
  const b = bandOfResident(a.residentId)
  if (b) selectBand(b.bandId, { fly: !evidenceFixes(a).length })
  state.selectedAlert = id
  renderAlertDetail()
  void drawEvidence(a)
  window.dispatchEvent(new CustomEvent('alerts-changed'))
}

export function closeDetails() {
  const previous = state.selectedBand && state.bands.get(state.selectedBand)
  state.selectedBand = null
  state.selectedAlert = null
  state.overlay?.clearLayers()
  if (previous) {
    placeMarker(previous)
    labelMarker(previous)
    closeHistory(previous.residentId)
  }
  drawZones(state.zones)
  $('details').hidden = true
  renderResidents()
}

function renderPerson() {
  const b = state.bands.get(state.selectedBand)
  if (!b) return
  const s = statusOf(b)
  const lines = []
  if (b.position) {
    const src = b.position.src ? ` · ${t(b.position.src)}` : ''
    const acc = b.position.acc ? ` ±${Math.round(b.position.acc)} m` : ''
    lines.push(`${t('latestFix')}: ${ago(b.position.fixTime)} (${clock(b.position.fixTime)})${src}${acc}`)
  }
  if (b.battery) lines.push(`${s.lowBattery ? '▾ ' : ''}${t('battery')} ${b.battery.pct}%`)
  const presence = [s.offline ? `⨯ ${t('offline')}` : `● ${t('online')}`, s.removed ? `◌ ${t('notWorn')}` : '']
  lines.push(presence.filter(Boolean).join(' · '))
  const box = $('person')
  box.replaceChildren(...lines.map((l) => el('p', null, l)))
  const actions = el('div', 'actions')
  actions.append(
    button(t('locate'), 'locate', async (e) => {
      e.target.disabled = true
      const locate = { method: 'POST', body: JSON.stringify({ cmd: 'locate' }) }
      try {
        await api(`/api/bands/${encodeURIComponent(b.bandId)}/commands`, locate)
      } catch {
        box.append(el('p', 'error', t('refused')))
      }
      e.target.disabled = false
    }),
  )
  box.append(actions)
}

/** A finder's reports (found me), oldest first. */
const finderReports = (a) => (Array.isArray(a.evidence?.reports) ? a.evidence.reports : [])

/** The fixes that raised the alert; for a finder's report, the newest position a finder's phone gave. */
function evidenceFixes(a) {
  if (Array.isArray(a.evidence?.fixes)) return a.evidence.fixes
  const r = finderReports(a).findLast((x) => x.position)
  return r ? [{ ...r.position, ts: r.reportedAt, src: 'finder' }] : []
}

/** What finders wrote and the numbers they left (the newest of each). */
function finderWords(a) {
  const reports = finderReports(a)
  const note = reports.findLast((x) => x.note)?.note
  const phone = reports.findLast((x) => x.phone)?.phone
  return [...(note ? [t('finderNote', { note })] : []), ...(phone ? [t('finderPhone', { phone })] : [])]
}

/** "312 m beyond "home", north-east · 4 min ago · GPS ±12 m", from the alert's newest fix. */
export function evidenceText(a) {
  const fix = evidenceFixes(a).at(-1) ?? (typeof a.evidence?.lat === 'number' ? { ...a.evidence, ts: a.fixTime } : null)
  if (!fix) return [`${t(a.kind)} · ${ago(a.fixTime)}`, ...finderWords(a)].join(' · ')
  const zone = state.zones.find((z) => z.id === a.zoneId)
  const parts = []
  if (zone) {
    const [clon, clat] = zone.shape.type === 'circle' ? zone.shape.center : centroid(zone.shape)
    const o = offset(clat, clon, fix.lat, fix.lon)
    parts.push(t('beyond', { m: Math.round(fix.distanceBeyondM ?? o.metres), zone: zone.name, dir: t(`dir_${o.dir}`) }))
  }
  parts.push(`${ago(fix.ts ?? a.fixTime)} (${clock(fix.ts ?? a.fixTime)})`)
  const acc = fix.accuracyM ?? fix.acc
  parts.push(`${t(fix.src ?? 'gps')}${acc ? ` ±${Math.round(acc)} m` : ''}`)
  return [...parts, ...finderWords(a)].join(' · ')
}

function centroid(shape) {
  const ring = shape.type === 'Polygon' ? shape.coordinates[0] : shape.coordinates[0][0]
  const n = ring.length - 1 || 1
  return [ring.slice(0, n).reduce((s, p) => s + p[0], 0) / n, ring.slice(0, n).reduce((s, p) => s + p[1], 0) / n]
}

/** The trail since the resident left (from their history), the fixes that proved it, and the zone left. */
async function drawEvidence(a) {
  if (!state.map) return
  const fixes = evidenceFixes(a)
  const zone = state.zones.find((z) => z.id === a.zoneId)
  const from = a.evidence?.outsideSince ?? fixes[0]?.ts ?? a.fixTime - 600_000
  let trail = []
  try {
    const range = `from=${Math.floor(from)}&to=${Date.now()}&maxPoints=2000`
    const r = await api(`/api/residents/${a.residentId}/history?${range}`)
    trail = r.points
  } catch {
    /* the evidence's own fixes still show */
  }
  if (state.selectedAlert !== a.id) return
  const points = (trail.length ? trail : fixes).map((p) => display(p.lat, p.lon))
  const drawn = { interactive: false, renderer: svg() }
  const line = { color: '#7b3fa0', weight: 4, ...drawn, className: 'trail' }
  if (points.length > 1) L.polyline(points, line).addTo(state.overlay)
  for (const f of fixes) {
    const fix = { radius: 5, color: '#b3261e', fillOpacity: 1, ...drawn, className: 'evidence-fix' }
    L.circleMarker(display(f.lat, f.lon), fix).addTo(state.overlay)
  }
  const bounds = L.latLngBounds(points.length ? points : [])
  if (zone?.shape.type === 'circle') {
    const left = {
      radius: zone.shape.radiusM,
      color: '#2f7d4a',
      weight: 4,
      fillOpacity: 0.1,
      ...drawn,
      className: 'zone-left',
    }
    const c = L.circle(display(zone.shape.center[1], zone.shape.center[0]), left).addTo(state.overlay)
    bounds.extend(c.getBounds())
  }
  const b = bandOfResident(a.residentId)
  if (b?.position) bounds.extend(display(b.position.lat, b.position.lon))
  if (bounds.isValid()) state.map.flyToBounds(bounds.pad(0.3), { maxZoom: 18, duration: 0.5 })
}

export function renderAlertDetail() {
  const a = state.alerts.get(state.selectedAlert)
  $('alert-detail').hidden = !a
  if (!a) return
  $('alert-detail-title').textContent = `${t(a.kind)} · ${t(a.severity)} · ${t(a.status)}`
  $('evidence').textContent = evidenceText(a)
  const b = bandOfResident(a.residentId)
  const fix = evidenceFixes(a).at(-1) ?? b?.position
  const nav = fix ? navLinks(fix.lat, fix.lon, b ? nameOf(b) : '') : null
  for (const id of ['nav-amap', 'nav-baidu']) $(id).hidden = !nav
  if (nav) {
    $('nav-amap').href = nav.amap
    $('nav-baidu').href = nav.baidu
  }
  const actions = $('alert-detail-actions')
  actions.replaceChildren()
  if (a.status === 'open') {
    actions.append(button(t('acknowledge'), 'detail-acknowledge', () => act(null, a.id, 'acknowledge'), true))
  }
  if (a.status === 'resolved' && state.me.role !== 'family') {
    actions.append(button(t('reopen'), 'reopen', () => act(null, a.id, 'reopen')))
  }
  searchLinkActions(a, actions)
  void loadTimeline(a.id)
}

async function loadTimeline(id) {
  let r
  try {
    r = await api(`/api/alerts/${id}/timeline`)
  } catch {
    return
  }
  if (state.selectedAlert !== id) return
  $('timeline').replaceChildren(
    ...r.events.map((e) => {
      const li = el('li', `ev ${e.kind}`)
      li.dataset.testid = `event-${e.kind}`
      const who = e.username ? ` · ${t('by')} ${e.username} (${t(`role_${e.role}`)})` : ''
      li.append(el('span', 'when', clock(e.at)), el('span', 'what', `${t(`ev_${e.kind}`)}${who}`))
      if (e.note) li.append(el('span', 'note', e.note))
      return li
    }),
  )
}

export function setUpDetails() {
  $('details-close').addEventListener('click', closeDetails)
  $('note-form').addEventListener('submit', async (e) => {
    e.preventDefault()
    const input = e.target.note
    if (await act(null, state.selectedAlert, 'notes', { note: input.value })) input.value = ''
    renderAlertDetail()
  })
  // Everything drawn in code is drawn again in the new language.
  onLanguage(() => {
    if ($('details').hidden) return
    renderPerson()
    renderAlertDetail()
    if (!editor.mode) editor.list()
  })
  window.addEventListener('select-band', (e) => {
    state.selectedAlert = null
    selectBand(e.detail)
  })
  window.addEventListener('select-alert', (e) => selectAlert(e.detail))
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !$('details').hidden) closeDetails()
  })
}
