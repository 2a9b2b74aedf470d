// The alert queue: by severity, newest first; acknowledge, resolve with a note; a tone for new ones.
import { $, api, button, state } from '/common.js'
import { ago, t } from '/i18n.js'

const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 }

function residentName(residentId) {
  for (const b of state.bands.values()) if (b.residentId === residentId) return b.residentName ?? b.bandId
  return `#${residentId}`
}

export function renderAlerts() {
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
    // An alarm from a band's backlog (its wearer then, not now): the time shown is when it happened.
    const late = a.evidence?.late ? ` · ${t('lateReport')}` : ''
    li.querySelector('.meta').textContent = `${t(a.severity)} · ${t(a.status)}${escalation}${late} · ${ago(a.fixTime)}`
    const actions = li.querySelector('.actions')
    if (a.status === 'open') actions.append(button(t('acknowledge'), 'acknowledge', () => act(a.id, 'acknowledge'), true))
    actions.append(button(t('resolve'), 'resolve', () => askNote(actions, a.id)))
    return li
  }))
  for (const a of alerts) state.seenAlerts.add(a.id)
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
export function chime() {
  try {
    const ctx = new AudioContext()
    const osc = ctx.createOscillator()
    osc.frequency.value = 880
    osc.connect(ctx.destination)
    osc.start()
    osc.stop(ctx.currentTime + 0.25)
  } catch { /* no sound available */ }
}

