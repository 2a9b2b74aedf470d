// The alert queue: by severity, newest first; each entry kept by id and changed in place, so a
// half-typed note survives new alerts. Acknowledge, resolve with a note; a tone and a screen-reader
// announcement for new ones. Actions that cannot reach the service are queued and retried.
import { $, api, bandOfResident, button, el, nameOf, state } from '/common.js'
import { ago, t } from '/i18n.js'

const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 }
const items = new Map() // alert id -> li
/** Actions taken while the service could not be reached, sent again when the connection is back. */
const queued = []

function residentName(residentId) {
  const b = bandOfResident(residentId)
  return b ? nameOf(b) : `#${residentId}`
}

export function renderAlerts() {
  const list = $('alerts')
  const alerts = [...state.alerts.values()]
    .filter((a) => a.status !== 'resolved')
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.openedAt - a.openedAt)
  $('alert-count').textContent = String(alerts.length)
  $('no-alerts').hidden = alerts.length > 0
  document.title = alerts.length ? `(${alerts.length}) 同行 Tongxing` : '同行 Tongxing'
  const keep = new Set(alerts.map((a) => a.id))
  for (const [id, li] of items) {
    if (!keep.has(id)) {
      li.remove()
      items.delete(id)
    }
  }
  let ref = list.firstElementChild
  for (const a of alerts) {
    let li = items.get(a.id)
    if (!li) {
      li = makeItem(a)
      items.set(a.id, li)
    }
    fillItem(li, a)
    // Moved only when out of place: a node that stays keeps its focus and its typed text.
    if (li === ref) ref = ref.nextElementSibling
    else list.insertBefore(li, ref)
  }
  for (const a of alerts) state.seenAlerts.add(a.id)
}

function makeItem(a) {
  const li = el('li', 'alert')
  li.dataset.testid = `alert-${a.id}`
  const main = el('button', 'alert-main')
  main.type = 'button'
  main.dataset.testid = 'alert-open'
  main.append(el('span', 'title'), el('span', 'meta'))
  main.addEventListener('click', () => window.dispatchEvent(new CustomEvent('select-alert', { detail: a.id })))
  li.append(main, el('div', 'actions'), el('p', 'error'))
  li.lastChild.setAttribute('role', 'status')
  return li
}

const setText = (node, text) => {
  if (node.textContent !== text) node.textContent = text
}

function fillItem(li, a) {
  const seen = state.seenAlerts.has(a.id)
  const cls = `alert ${a.severity}${seen ? '' : ' new'}${state.selectedAlert === a.id ? ' selected' : ''}`
  if (li.className !== cls) li.className = cls
  li.dataset.status = a.status
  const escalation = a.escalationLevel > 0 ? ` · ${t('escalated')} (${t('level')} ${a.escalationLevel})` : ''
  setText(li.querySelector('.title'), `${t(a.kind)} — ${residentName(a.residentId)}`)
  // An alarm from a band's backlog (its wearer then, not now): the time shown is when it happened.
  const late = a.evidence?.late ? ` · ${t('lateReport')}` : ''
  setText(li.querySelector('.meta'), `${t(a.severity)} · ${t(a.status)}${escalation}${late} · ${ago(a.fixTime)}`)
  const actions = li.querySelector('.actions')
  // A note being typed stays as it is; otherwise the buttons follow the alert's state and language.
  if (actions.querySelector('input')) return
  const sig = `${a.status}|${t('resolve')}`
  if (actions.dataset.sig === sig) return
  actions.dataset.sig = sig
  actions.replaceChildren()
  if (a.status === 'open') {
    actions.append(button(t('acknowledge'), 'acknowledge', () => act(li, a.id, 'acknowledge'), true))
  }
  actions.append(button(t('resolve'), 'resolve', () => askNote(li, a.id)))
}

/** Kinds whose resolution may say who found the person (geofence/alert.ts OUTCOME_KINDS). */
const OUTCOME_KINDS = new Set(['left_safe_zone', 'entered_danger_zone', 'found_report'])
const FOUND_BY = ['family', 'staff', 'responder', 'stranger', 'police']

/** For a wander or a finder's report: who found the person (optional; minutes are counted by the service). */
function foundBySelect() {
  const select = document.createElement('select')
  select.dataset.testid = 'resolve-found-by'
  select.setAttribute('aria-label', t('foundBy'))
  select.append(new Option(t('foundBy'), ''), ...FOUND_BY.map((f) => new Option(t(`foundBy_${f}`), f)))
  return select
}

function askNote(li, id) {
  const actions = li.querySelector('.actions')
  const input = document.createElement('input')
  input.placeholder = t('resolveNote')
  input.setAttribute('aria-label', t('resolveNote'))
  input.maxLength = 1000
  input.dataset.testid = 'resolve-note'
  const foundBy = OUTCOME_KINDS.has(state.alerts.get(id)?.kind) ? foundBySelect() : null
  actions.dataset.sig = ''
  actions.replaceChildren(
    input,
    ...(foundBy ? [foundBy] : []),
    button(
      t('save'),
      'resolve-save',
      () => {
        const note = input.value || '—'
        const outcome = foundBy?.value ? { outcome: { foundBy: foundBy.value } } : {}
        actions.replaceChildren()
        void act(li, id, 'resolve', { note, ...outcome })
      },
      true,
    ),
  )
  input.focus()
}

/**
 * Sends an action. Refused (409: someone else was first): said so. The service unreachable: queued
 * and said so, sent again when the live connection is back.
 */
export async function act(li, id, what, body = {}) {
  const say = (key) => {
    if (li) li.querySelector('.error').textContent = key ? t(key) : ''
  }
  try {
    const r = await api(`/api/alerts/${id}/${what}`, { method: 'POST', body: JSON.stringify(body) })
    say(null)
    state.alerts.set(r.alert.id, r.alert)
    window.dispatchEvent(new CustomEvent('alerts-changed', { detail: r.alert.id }))
    return true
  } catch (err) {
    if (err.status === 401) return location.reload()
    if (err.status === undefined || err.status >= 500) {
      queued.push({ li, id, what, body })
      say('queued')
      $('banner').textContent = `${t('connLost')}`
    } else {
      say('refused')
      if (li) li.querySelector('.actions').dataset.sig = ''
      renderAlerts()
    }
    return false
  }
}

/** The connection is back: queued actions go now, in order. */
export async function retryQueued() {
  for (const q of queued.splice(0)) await act(q.li, q.id, q.what, q.body)
}

/** New alerts: a tone, and a sentence for screen readers. */
export function announce(a) {
  // A low alert (a battery) does not talk over a serious one said in the last few seconds.
  if (a.severity === 'low' && Date.now() - seriousAt < SERIOUS_HOLD_MS) return
  $('announce').textContent = `${t('newAlert')}: ${t(a.kind)} — ${residentName(a.residentId)}`
  if (a.severity === 'low') return
  seriousAt = Date.now()
  chime()
}
const SERIOUS_HOLD_MS = 10_000
let seriousAt = 0

/** At most one tone this often, however many alerts come together. */
const CHIME_GAP_MS = 2000
let audio = null
let chimedAt = 0

/** A short tone for a new alert (browsers allow it once the page has been used). */
export function chime() {
  if (Date.now() - chimedAt < CHIME_GAP_MS) return
  chimedAt = Date.now()
  try {
    audio ??= new AudioContext()
    const ctx = audio
    const osc = ctx.createOscillator()
    osc.frequency.value = 880
    osc.connect(ctx.destination)
    osc.start()
    osc.stop(ctx.currentTime + 0.25)
  } catch {
    /* no sound available */
  }
}
