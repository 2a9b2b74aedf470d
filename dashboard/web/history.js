// History replay: a resident's positions for a chosen day, a line on the map and a slider.
import { $, api, state } from '/common.js'
import { language, t } from '/i18n.js'
import { display } from '/map.js'

const history = { residentId: null, points: [], line: null, marker: null }

export function openHistory(b) {
  history.residentId = b.residentId
  $('history').hidden = false
  $('history-name').textContent = b.residentName ?? b.bandId
  if (!$('history-day').value) $('history-day').value = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 10)
}

/** The resident is gone (erased): their replay leaves the page. */
export function closeHistory(residentId) {
  if (history.residentId !== residentId) return
  history.line?.remove()
  history.marker?.remove()
  Object.assign(history, { residentId: null, points: [], line: null, marker: null })
  $('history').hidden = true
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

