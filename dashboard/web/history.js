// History replay: a resident's positions for a chosen day, drawn as a line (coarse fixes — cell or
// Wi-Fi, poor accuracy — as circles, not joined), a slider with times, and play/pause at a speed.
import { $, api, nameOf, offset, state } from '/common.js'
import { clock, language, onLanguage, t } from '/i18n.js'
import { display } from '/map.js'

/** Fixes less precise than this are drawn as their circle and left out of the line. */
const COARSE_M = 100
const STEP_MS = 250
/** A stop: fixes staying within this many metres for at least this long. */
const STOP_M = 50
const STOP_MS = 5 * 60_000

/** Where the resident stayed a while: { lat, lon, from, to } for each stop, in order. */
export function stops(points) {
  const out = []
  let start = 0
  for (let i = 1; i <= points.length; i++) {
    const p = points[i]
    const far = !p || offset(points[start].lat, points[start].lon, p.lat, p.lon).metres > STOP_M
    if (!far) continue
    const run = points.slice(start, i)
    if (run.at(-1).fixTime - run[0].fixTime >= STOP_MS) {
      out.push({
        lat: run.reduce((s, q) => s + q.lat, 0) / run.length,
        lon: run.reduce((s, q) => s + q.lon, 0) / run.length,
        from: run[0].fixTime,
        to: run.at(-1).fixTime,
      })
    }
    start = i
  }
  return out
}
const history = { residentId: null, points: [], layer: null, marker: null, timer: null }

export function openHistory(b) {
  if (history.residentId !== b.residentId) clearTrail()
  history.residentId = b.residentId
  $('history').hidden = false
  $('history-name').textContent = nameOf(b)
  if (!$('history-day').value)
    $('history-day').value = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 10)
}

function clearTrail() {
  stop()
  history.layer?.remove()
  history.marker?.remove()
  Object.assign(history, { points: [], layer: null, marker: null })
  $('history-slider').disabled = true
  $('history-play').disabled = true
  $('history-time').textContent = ''
}

/** The resident is deselected or gone (erased): their replay leaves the page. */
export function closeHistory(residentId) {
  if (history.residentId !== residentId) return
  clearTrail()
  history.residentId = null
  $('history').hidden = true
}

$('history-load').addEventListener('click', async () => {
  const from = new Date(`${$('history-day').value}T00:00:00`).getTime()
  const r = await api(
    `/api/residents/${history.residentId}/history?from=${from}&to=${from + 86_400_000}&maxPoints=2000`,
  )
  clearTrail()
  history.points = r.points
  const slider = $('history-slider')
  slider.max = String(Math.max(0, r.points.length - 1))
  slider.value = slider.max
  slider.disabled = r.points.length === 0
  $('history-play').disabled = r.points.length < 2
  if (r.points.length === 0) {
    $('history-time').textContent = t('noHistory')
    return
  }
  if (state.map) {
    history.layer = L.featureGroup().addTo(state.map)
    const fine = r.points.filter((p) => (p.acc ?? 0) <= COARSE_M)
    const line = fine.map((p) => display(p.lat, p.lon))
    if (fine.length > 1) L.polyline(line, { color: '#7b3fa0', weight: 3 }).addTo(history.layer)
    const coarse = { color: '#7b3fa0', weight: 1, dashArray: '3 3', fillOpacity: 0.04 }
    for (const p of r.points) {
      if ((p.acc ?? 0) > COARSE_M) L.circle(display(p.lat, p.lon), { ...coarse, radius: p.acc }).addTo(history.layer)
    }
    for (const s of stops(fine)) {
      const minutes = Math.round((s.to - s.from) / 60_000)
      L.circleMarker(display(s.lat, s.lon), {
        radius: 9,
        color: '#7b3fa0',
        weight: 2,
        fillColor: '#fff',
        fillOpacity: 1,
      })
        .bindTooltip(`${t('stop')} ${minutes} ${t('minutes')} (${clock(s.from)}–${clock(s.to)})`)
        .addTo(history.layer)
    }
    const last = r.points.at(-1)
    history.marker = L.circleMarker(display(last.lat, last.lon), { radius: 7, color: '#7b3fa0', fillOpacity: 1 }).addTo(
      state.map,
    )
    const bounds = history.layer.getBounds()
    if (bounds.isValid()) state.map.fitBounds(bounds.pad(0.2))
  }
  showHistoryPoint(r.points.length - 1)
})

$('history-slider').addEventListener('input', (e) => showHistoryPoint(Number(e.target.value)))

function stop() {
  clearInterval(history.timer)
  history.timer = null
  $('history-play').textContent = t('play')
}

$('history-play').addEventListener('click', () => {
  if (history.timer) return stop()
  const slider = $('history-slider')
  if (Number(slider.value) >= history.points.length - 1) slider.value = '0'
  $('history-play').textContent = t('pause')
  history.timer = setInterval(() => {
    const i = Number(slider.value) + Number($('history-speed').value)
    slider.value = String(Math.min(i, history.points.length - 1))
    showHistoryPoint(Number(slider.value))
    if (i >= history.points.length - 1) stop()
  }, STEP_MS)
})

function showHistoryPoint(i) {
  const p = history.points[i]
  if (!p) return
  history.marker?.setLatLng(display(p.lat, p.lon))
  const day = new Date(p.fixTime).toLocaleDateString(language() === 'zh' ? 'zh-CN' : 'en-GB')
  $('history-time').textContent = `${day} ${clock(p.fixTime)} · ${i + 1} / ${history.points.length} ${t('points')}`
}

onLanguage(() => {
  $('history-play').textContent = t(history.timer ? 'pause' : 'play')
  const i = Number($('history-slider').value)
  if (history.points.length) showHistoryPoint(i)
})
