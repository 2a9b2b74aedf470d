// One home card per relative: the status in large plain words, the last fix in words relative to
// home, the battery, and one-tap actions (locate now, call the centre and the other contacts,
// navigate in a Chinese map app in its own datum). Text only from data: names come from users.
import { api, el } from '../common.js'
import { navLinks } from '../datum.js'
import { ago, t } from '../i18n.js'
import { familyStatus, fromHome } from './status.js'

/** A tel: link (the number stripped to digits and +) shown as a large button. */
function callLink(label, phone, testid) {
  const a = el('a', 'action call', label)
  a.href = `tel:${phone.replace(/[^0-9+]/g, '')}`
  a.dataset.testid = testid
  return a
}

function fixWords(band, home, now) {
  const p = band?.position
  if (!p) return t('noFix')
  const vars = {
    ago: ago(p.fixTime, now),
    src: t(`src_${p.src ?? 'gps'}`),
    acc: p.acc === null ? '?' : Math.round(p.acc),
  }
  if (!home) return t('fixNoHome', vars)
  const far = fromHome(home, p)
  if (!far) return t('fixNear', vars)
  return t('fixFar', { ...vars, dir: t(`dir_${far.dir}`), dist: t(`unit_${far.unit}`, { n: far.value }) })
}

function batteryLine(band) {
  const b = band?.battery
  if (!b) return null
  const low = b.pct <= 20 && !b.charging
  const line = el('p', `battery${low ? ' low' : ''}`, t(low ? 'batteryLow' : 'batteryPct', { pct: b.pct }))
  if (b.charging) line.textContent += t('batteryCharging')
  return line
}

async function locate(bandId, note) {
  try {
    await api(`/api/bands/${encodeURIComponent(bandId)}/commands`, {
      method: 'POST',
      body: JSON.stringify({ cmd: 'locate' }),
    })
    note.textContent = t('locateAsked')
  } catch (err) {
    note.textContent = t(err.status === 429 ? 'locateBusy' : 'locateFailed')
  }
}

/** The card of resident `r` (from /api/family/home) with their band's live state and active alerts. */
export function residentCard(r, band, activeAlerts, home, now) {
  const card = el('article', 'card')
  card.dataset.testid = `card-${r.id}`
  card.append(el('h2', '', r.name))
  const status = familyStatus(band, activeAlerts, home, now)
  const s = el('p', `status ${status}`, t(`st_${status}`))
  s.dataset.testid = 'status'
  s.dataset.status = status
  card.append(s)
  const fix = el('p', 'fix', fixWords(band, home, now))
  fix.dataset.testid = 'fix'
  card.append(fix)
  const battery = batteryLine(band)
  if (battery) card.append(battery)
  const note = el('p', 'note')
  note.dataset.testid = 'note'
  note.setAttribute('role', 'status')
  card.append(note)

  const actions = el('div', 'actions')
  if (r.bandId) {
    const b = el('button', 'primary wide', t('locateNow'))
    b.type = 'button'
    b.dataset.testid = 'locate'
    b.addEventListener('click', () => void locate(r.bandId, note))
    actions.append(b)
  }
  const duty = r.centre?.dutyPhone
  if (duty) actions.append(callLink(t('callCentre'), duty, 'call-centre'))
  else if (r.centre) actions.append(el('p', 'note wide', t('noDutyPhone')))
  for (const [i, c] of r.contacts.entries()) {
    actions.append(callLink(t('callContact', { name: c.name, relation: c.relation }), c.phone, `call-contact-${i}`))
  }
  const p = band?.position
  if (p) {
    const nav = navLinks(p.lat, p.lon, r.name)
    for (const [key, href] of [
      ['navAmap', nav.amap],
      ['navBaidu', nav.baidu],
    ]) {
      const a = el('a', 'action', t(key))
      a.href = href
      a.rel = 'noopener'
      a.target = '_blank'
      a.dataset.testid = key === 'navAmap' ? 'nav-amap' : 'nav-baidu'
      actions.append(a)
    }
  }
  card.append(actions)
  return card
}
