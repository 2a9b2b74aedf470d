// The found-me page: no sign-in. Asks the service whom to call for this code, then sends the
// finder's report — with their position when the browser gives it (refused: sent without).
import { language, setLanguage, t } from '/i18n.js'
import './words.js'

const $ = (id) => document.getElementById(id)
const token = location.pathname.split('/').pop()
let page = { call: { kind: 'police', number: '110' }, displayName: null }

function draw() {
  const call = $('call')
  call.href = `tel:${page.call.number.replace(/[^+0-9]/g, '')}`
  call.textContent =
    page.call.kind === 'centre' ? t('foundCallCentre', { number: page.call.number }) : t('foundCallPolice')
  $('address').hidden = !page.displayName
  if (page.displayName) $('address').textContent = t('foundAddress', { name: page.displayName })
  $('lang').textContent = language() === 'zh' ? 'English' : '中文'
}

/** The browser's position, or null when refused, unavailable or too slow. */
const position = () =>
  new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null)
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, acc: Math.round(p.coords.accuracy) }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    )
  })

async function send(event) {
  event.preventDefault()
  const form = event.target
  form.querySelector('button').disabled = true
  const status = $('status')
  status.textContent = t('foundLocating')
  const where = await position()
  status.textContent = where ? t('foundSending') : t('foundNoPosition')
  const phone = form.phone.value.trim()
  const note = form.note.value.trim()
  const body = { ...(where ?? {}), ...(phone ? { phone } : {}), ...(note ? { note } : {}) }
  const r = await fetch(`/api/found/${encodeURIComponent(token)}/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).catch(() => null)
  if (r?.status === 202) {
    form.hidden = true
    $('sent').hidden = false
    if (where) status.textContent = ''
  } else {
    form.querySelector('button').disabled = false
    status.textContent = t(r?.status === 429 ? 'foundTooMany' : 'foundFailed')
  }
}

// Chinese first: a stranger's phone gets Chinese unless they chose English on this page before.
setLanguage(localStorage.getItem('tongxing.lang') ?? 'zh')
draw()
$('lang').addEventListener('click', () => {
  setLanguage(language() === 'zh' ? 'en' : 'zh')
  draw()
})
$('report').addEventListener('submit', send)
const r = await fetch(`/api/found/${encodeURIComponent(token)}`).catch(() => null)
if (r?.ok) page = await r.json()
draw()
document.body.dataset.ready = 'true'
