// The resident list: searched, filtered and sorted by urgency, and virtualised: only the rows in
// view exist, each kept by band id and changed in place when its band changes, so a list of 1500
// costs what its 15 visible rows cost and a click or a half-typed word is never lost to a rebuild.
import { $, el, nameOf, state } from '/common.js'
import { ago, t } from '/i18n.js'

/** Row height in px (also in style.css): a 44 px touch target with room around it. */
export const ROW = 56
const OVERSCAN = 6
const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 }
const LOW_BATTERY_PCT = 20

const view = { order: [], rows: new Map(), query: '', filter: 'all', orderStale: true }

/** Per resident: their unresolved alerts' worst severity, and whether one says outside or not worn. */
let byResident = new Map()

/** Called whenever alerts change: what the list and markers show about alerts comes from here. */
export function indexAlerts() {
  byResident = new Map()
  for (const a of state.alerts.values()) {
    if (a.status === 'resolved') continue
    const r = byResident.get(a.residentId) ?? { severity: 4, outside: false, removed: false }
    r.severity = Math.min(r.severity, SEVERITY_RANK[a.severity] ?? 3)
    if (a.kind === 'left_safe_zone') r.outside = true
    if (a.kind === 'band_removed') r.removed = true
    byResident.set(a.residentId, r)
  }
  reorder()
}

/** What a band's state means for a care worker: each part shown by icon and text, not colour alone. */
export function statusOf(b) {
  const r = byResident.get(b.residentId)
  const severity = r?.severity ?? 4
  return {
    alert: severity < 4,
    severity,
    outside: r?.outside ?? false,
    removed: (r?.removed ?? false) || b.events?.evt === 'removed',
    offline: b.online === false,
    lowBattery: b.battery !== null && b.battery !== undefined && b.battery.pct <= LOW_BATTERY_PCT,
  }
}

const FILTERS = {
  all: () => true,
  alert: (s) => s.alert,
  outside: (s) => s.outside,
  offline: (s) => s.offline,
  battery: (s) => s.lowBattery,
  removed: (s) => s.removed,
}

/** Urgency: alerts by severity, then offline, then low battery, then by name. */
function urgency(s) {
  return s.severity * 4 + (s.offline ? 0 : 2) + (s.lowBattery ? 0 : 1)
}

function computeOrder() {
  const q = view.query.trim().toLowerCase()
  const keep = FILTERS[view.filter] ?? FILTERS.all
  const rows = []
  for (const b of state.bands.values()) {
    if (q && !nameOf(b).toLowerCase().includes(q) && !b.bandId.toLowerCase().includes(q)) continue
    const s = statusOf(b)
    if (!keep(s)) continue
    rows.push({ id: b.bandId, rank: urgency(s), name: nameOf(b) })
  }
  rows.sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name, 'zh-CN'))
  view.order = rows.map((r) => r.id)
  view.orderStale = false
  const count = `${view.order.length} / ${state.bands.size}`
  if ($('people-count').textContent !== count) $('people-count').textContent = count
}

/** The order may change (alerts, status, battery, the search): recomputed on the next draw. */
export const reorder = () => {
  view.orderStale = true
}

/** Draws the rows in view; rows already there are changed only where their text differs. */
export function renderResidents() {
  const box = $('residents')
  // Read the scroll position before writing anything: a read after a write forces a layout.
  const top = box.scrollTop
  const height = box.clientHeight || 600
  if (view.orderStale) computeOrder()
  let spacer = box.firstElementChild
  if (!spacer) {
    spacer = el('div', 'vspacer')
    box.append(spacer)
  }
  const full = `${view.order.length * ROW}px`
  if (spacer.style.height !== full) spacer.style.height = full
  const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN)
  const last = Math.min(view.order.length, Math.ceil((top + height) / ROW) + OVERSCAN)
  const wanted = new Set(view.order.slice(first, last))
  for (const [id, row] of view.rows) {
    if (!wanted.has(id)) {
      row.remove()
      view.rows.delete(id)
    }
  }
  const now = Date.now()
  for (let i = first; i < last; i++) {
    const b = state.bands.get(view.order[i])
    let row = view.rows.get(b.bandId)
    if (!row) {
      row = makeRow(b)
      view.rows.set(b.bandId, row)
      box.append(row)
    }
    if (row.dataset.top !== String(i)) {
      row.style.transform = `translateY(${i * ROW}px)`
      row.dataset.top = String(i)
    }
    fillRow(row, b, now)
  }
}

function makeRow(b) {
  const row = el('div', 'resident')
  row.setAttribute('role', 'listitem')
  row.dataset.testid = `resident-${b.bandId}`
  row.dataset.band = b.bandId
  const main = el('button', 'row-main')
  main.type = 'button'
  main.append(el('span', 'name'), el('span', 'badges'), el('span', 'meta'))
  row.append(main)
  return row
}

const setText = (node, text) => {
  if (node.textContent !== text) node.textContent = text
}

function fillRow(row, b, now) {
  const s = statusOf(b)
  const main = row.firstChild
  setText(main.children[0], nameOf(b))
  const badges = []
  if (s.alert) badges.push(`⚠ ${t('inAlert')}`)
  if (s.outside) badges.push(`↗ ${t('outside')}`)
  if (s.offline) badges.push(`⨯ ${t('offline')}`)
  if (s.removed) badges.push(`◌ ${t('notWorn')}`)
  if (b.battery) badges.push(`${s.lowBattery ? '▾ ' : ''}${t('battery')} ${b.battery.pct}%`)
  setText(main.children[1], badges.join(' · '))
  const seen = b.position?.fixTime ?? b.lastSeenAt
  const acc = b.position?.acc ? ` · ${t('accuracy')} ±${Math.round(b.position.acc)} m` : ''
  setText(main.children[2], `${t('lastSeen')} ${ago(seen, now)}${acc}`)
  const selected = state.selectedBand === b.bandId
  const flags = [s.alert && 'alerting', s.offline && 'offline', s.lowBattery && 'low', selected && 'selected']
  const cls = ['resident', ...flags.filter(Boolean)].join(' ')
  if (row.className !== cls) row.className = cls
  main.setAttribute('aria-pressed', String(state.selectedBand === b.bandId))
}

/** Scrolls the list so that a band's row is in view. */
export function revealResident(bandId) {
  const i = view.order.indexOf(bandId)
  const box = $('residents')
  if (i < 0) return
  const inView = i * ROW >= box.scrollTop && (i + 1) * ROW <= box.scrollTop + box.clientHeight
  if (!inView) box.scrollTop = Math.max(0, i * ROW - ROW)
  renderResidents()
}

export function setUpResidents(onSelect) {
  const box = $('residents')
  box.addEventListener('scroll', () => requestAnimationFrame(renderResidents), { passive: true })
  box.addEventListener('click', (e) => {
    const row = e.target.closest('.resident')
    if (row) onSelect(row.dataset.band)
  })
  const refilter = () => {
    reorder()
    box.scrollTop = 0
    renderResidents()
  }
  $('search').addEventListener('input', (e) => {
    view.query = e.target.value
    refilter()
  })
  $('filter').addEventListener('change', (e) => {
    view.filter = e.target.value
    refilter()
  })
  window.addEventListener('resize', () => renderResidents())
}
