// The responder's page (phone-sized): sign in, see the wander alerts offered nearby, accept one,
// then follow that one person's live position and trail until the alert closes. Everything comes
// from /api/responder/*, which shows a responder nothing else.
import { language, setLanguage } from '/i18n.js'
import { helperMap } from '/search/helper-map.js'
import { fillWords, time, w } from '/search/words.js'

const POLL_MS = 3000
const $ = (id) => document.getElementById(id)
const show = (id) => {
  for (const s of ['login', 'list', 'task']) $(s).hidden = s !== id
}
let map = null
/** The list as last drawn, and the timer that fetches it again while it is shown. */
let drawn = ''
let listTimer

/**
 * Shows the tasks offered, and keeps them current while the list is shown: a task offered while the
 * page is open appears, a closed one goes. The list is redrawn only when it changed, so a button is
 * not swapped under a finger about to tap it.
 */
async function tasks() {
  clearTimeout(listTimer)
  let res
  try {
    res = await fetch('/api/responder/tasks', { cache: 'no-store' })
  } catch {
    listTimer = setTimeout(tasks, POLL_MS) // no network for a moment: the list stays, and is asked for again
    return
  }
  if (res.status === 401) return show('login')
  if (!res.ok) {
    $('login-error').textContent = w('notResponder')
    return show('login')
  }
  const { tasks: offered } = await res.json()
  show('list')
  listTimer = setTimeout(tasks, POLL_MS)
  const text = JSON.stringify(offered)
  if (text === drawn) return
  drawn = text
  $('no-tasks').hidden = offered.length > 0
  $('tasks').replaceChildren(
    ...offered.map((t) => {
      const li = document.createElement('li')
      const what = document.createElement('span')
      what.textContent = `${w(t.kind)} · ${time(t.alertOpenedAt)}`
      const b = document.createElement('button')
      b.className = 'primary'
      b.dataset.testid = `accept-${t.id}`
      b.textContent = w(t.acceptedAt ? 'accepted' : 'accept')
      b.addEventListener('click', () => accept(t.id))
      li.append(what, b)
      return li
    }),
  )
}

async function accept(id) {
  clearTimeout(listTimer)
  const res = await fetch(`/api/responder/tasks/${id}/accept`, { method: 'POST' }).catch(() => null)
  if (!res?.ok) return tasks()
  show('task')
  map ??= await helperMap('map')
  follow(id)
}

async function follow(id) {
  const res = await fetch(`/api/responder/tasks/${id}/live`, { cache: 'no-store' })
  if (res.status === 404) {
    map?.clear()
    $('task').hidden = true
    $('task-gone').hidden = false
    return
  }
  if (res.ok) {
    const v = await res.json()
    $('since').textContent = `${w(v.alert.kind)} · ${time(v.alert.openedAt)}`
    const last = v.trail[v.trail.length - 1]
    $('updated').textContent = last ? time(last.t) : w('noPosition')
    if (v.photo && $('photo').hidden) {
      $('photo').src = `/api/responder/tasks/${id}/photo`
      $('photo').hidden = false
    }
    map.show(v.trail)
  }
  setTimeout(() => follow(id), POLL_MS)
}

$('login').addEventListener('submit', async (e) => {
  e.preventDefault()
  const f = new FormData(e.target)
  const res = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: f.get('username'), password: f.get('password') }),
  })
  if (res.status !== 204) $('login-error').textContent = w('badLogin')
  else tasks()
})
$('lang').addEventListener('click', () => {
  setLanguage(language() === 'zh' ? 'en' : 'zh')
  fillWords()
  drawn = '' // the list's own words too, at its next fetch
})
fillWords()
tasks()
