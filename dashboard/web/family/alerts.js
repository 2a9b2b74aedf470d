// Alerts told as the SMS and push messages tell them (the server's words): what happened, what to
// do next, and who at the care centre is handling it — never escalation levels. When the wearer
// comes back, a "back home" card closes the alert visibly until it is dismissed.
import { api, el } from '../common.js'
import { ago, clock, language, t } from '../i18n.js'

/** Who acknowledged and who closed each alert (name and role), and whether a community responder
 *  accepted the search (never who: a responder's name is not the family's to see), from its timeline. */
const people = new Map()
const last = (events, kind) => {
  const e = events.filter((x) => x.kind === kind).at(-1)
  return e ? { who: e.username, role: e.role } : null
}

/** Reads an alert's timeline again (after it was acknowledged or closed) and redraws. */
export async function loadPeople(alertId, redraw) {
  try {
    const r = await api(`/api/alerts/${alertId}/timeline`)
    people.set(alertId, {
      acknowledged: last(r.events, 'acknowledged'),
      resolved: last(r.events, 'resolved'),
      responder: r.events.some((e) => e.kind === 'responder_accepted'),
    })
  } catch {
    return // shown without a name; the next change tries again
  }
  redraw()
}

function whoLine(a) {
  if (a.status === 'open') return t('waitingCentre')
  const h = people.get(a.id)?.acknowledged
  if (!h) return ''
  return t('handledBy', { who: h.who, role: t(`role_${h.role}`) })
}

/** An open or acknowledged alert: what happened, what to do, who is on it; "I'll handle it" while open. */
export function activeAlertCard(a, name, words, now, act) {
  const w = words[language()]
  const card = el('article', `alert${a.status === 'acknowledged' ? ' handled' : ''}`)
  card.dataset.testid = `alert-${a.id}`
  card.id = `alert-${a.id}`
  card.append(el('h2', '', `${name} ${w.event[a.kind] ?? a.kind}`))
  card.append(el('p', 'advice', w.advice[a.kind] ?? ''))
  card.append(el('p', 'when', t('alertOpenedAt', { ago: ago(a.fixTime, now) })))
  const who = el('p', 'who', whoLine(a))
  who.dataset.testid = 'who'
  card.append(who)
  if (people.get(a.id)?.responder) {
    const coming = el('p', 'who', t('responderComing'))
    coming.dataset.testid = 'responder-coming'
    card.append(coming)
  }
  if (a.status === 'open') {
    const b = el('button', 'primary', t('iHandle'))
    b.type = 'button'
    b.dataset.testid = 'acknowledge'
    b.addEventListener('click', () => act(a.id))
    card.append(b)
  }
  return card
}

/** A closed alert seen closing on this page: "back home" when the geofence saw it, else the carer's note. */
export function closedAlertCard(a, name, words, dismiss) {
  const w = words[language()]
  const back = a.resolvedBy === null && a.kind === 'left_safe_zone'
  const card = el('article', 'alert closed')
  card.dataset.testid = back ? `back-home-${a.id}` : `closed-${a.id}`
  card.append(el('h2', '', back ? t('backHomeTitle') : t('closedTitle')))
  const by = people.get(a.id)?.resolved
  const text = back ? `${name} ${w.backHome}` : t('closedByCarer', { who: by?.who ?? '', note: a.resolutionNote ?? '' })
  card.append(el('p', 'advice', text))
  card.append(el('p', 'when', clock(a.updatedAt)))
  const b = el('button', '', t('gotIt'))
  b.type = 'button'
  b.dataset.testid = 'dismiss'
  b.addEventListener('click', () => dismiss(a.id))
  card.append(b)
  return card
}
