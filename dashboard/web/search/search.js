// The search link's page: no sign-in; the token is in the URL's fragment (never sent to a server
// in a request line or Referer). Opening it is recorded (GET /api/search/:token); the page then
// polls …/live for the newest position. Once the link stops working (alert resolved, expired,
// revoked: 410) it shows "链接已失效" and drops everything it showed.
import { language, setLanguage } from '/i18n.js'
import { helperMap } from '/search/helper-map.js'
import { fillWords, time, w } from '/search/words.js'

const POLL_MS = 3000
const token = location.hash.slice(1)
const $ = (id) => document.getElementById(id)
let map = null
let timer = null

function gone() {
  clearTimeout(timer)
  map?.clear()
  $('live').remove()
  $('gone').hidden = false
}

function show(v) {
  $('live').hidden = false
  $('since').textContent = `${w(v.alert.kind)} · ${time(v.alert.openedAt)}`
  $('until').textContent = v.expiresAt ? time(v.expiresAt) : ''
  $('note').textContent = v.note
  const last = v.trail[v.trail.length - 1]
  $('updated').textContent = last ? time(last.t) : w('noPosition')
  $('updated').dataset.lat = last ? last.lat.toFixed(5) : ''
  if (v.photo && $('photo').hidden) {
    $('photo').src = `/api/search/${encodeURIComponent(token)}/photo`
    $('photo').alt = w('photo')
    $('photo').hidden = false
  }
  map?.show(v.trail)
}

async function load(path) {
  const res = await fetch(`/api/search/${encodeURIComponent(token)}${path}`, { cache: 'no-store' })
  if (res.status === 410 || res.status === 404) return gone()
  if (res.ok) show(await res.json())
  timer = setTimeout(() => load('/live').catch(retry), POLL_MS)
}
const retry = () => {
  timer = setTimeout(() => load('/live').catch(retry), POLL_MS)
}

$('lang').addEventListener('click', () => {
  setLanguage(language() === 'zh' ? 'en' : 'zh')
  fillWords()
})
fillWords()
if (!/^[A-Za-z0-9_-]{43}$/.test(token)) gone()
else {
  map = await helperMap('map')
  load('').catch(retry)
}
