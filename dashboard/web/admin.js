// Admin pages: care centres, residents, bands (provision, new secret, give to a resident) and
// users with their family links — what the API and CLI already allow, as forms. Each form says
// where it goes (data-method, data-path with :params from fields marked data-param).
import { $, api, button, el, state } from '/common.js'
import { onLanguage, t } from '/i18n.js'

function body(form) {
  const out = {}
  for (const input of form.querySelectorAll('input, select')) {
    if (input.value === '' || input.hasAttribute('data-param')) continue
    if (input.hasAttribute('data-list'))
      out[input.name] = input.value
        .split(/[,，\s]+/)
        .filter(Boolean)
        .map(Number)
    else out[input.name] = input.type === 'number' ? Number(input.value) : input.value
  }
  // A centre is added through the import, which takes centres with a key of their own.
  if (form.dataset.shape === 'centre') return { centres: [{ key: 'c', name: out.name }], residents: [], users: [] }
  return out
}

async function submit(form) {
  const path = form.dataset.path.replace(/:(\w+)/g, (_, name) => encodeURIComponent(form.elements[name].value))
  const result = form.querySelector('.result')
  const json = { 'content-type': 'application/json' }
  const res = await fetch(path, { method: form.dataset.method, headers: json, body: JSON.stringify(body(form)) })
  const answer = res.status === 204 ? {} : await res.json().catch(() => ({}))
  result.className = `result${res.ok ? '' : ' error'}`
  if (!res.ok) {
    result.textContent = `${t('refused')} (${answer.error?.code ?? res.status})`
    return
  }
  const id = answer.id ?? answer.centres?.c
  const said = [t('done'), id ? `${t('newId')} ${id}` : '', answer.secret ? `${t('secretOnce')}: ${answer.secret}` : '']
  result.textContent = said.filter(Boolean).join(' · ')
  if (form.dataset.testid === 'admin-user') void listUsers()
}

async function listUsers() {
  const { users } = await api('/api/admin/users')
  $('admin-users').replaceChildren(
    ...users.map((u) => {
      const centre = u.careCentreId ? ` · ${t('centreId')} ${u.careCentreId}` : ''
      const li = el('li', null, `${u.username} · ${t(`role_${u.role}`)}${centre}`)
      li.dataset.testid = `admin-user-${u.id}`
      for (const r of u.residentIds) {
        li.append(
          button(`${t('unlink')} #${r}`, `unlink-${u.id}-${r}`, async () => {
            await api(`/api/admin/users/${u.id}/residents/${r}`, { method: 'DELETE' })
            void listUsers()
          }),
        )
      }
      if (u.id !== state.me.id) {
        li.append(
          button(t('delete'), `delete-user-${u.id}`, async () => {
            await api(`/api/admin/users/${u.id}`, { method: 'DELETE' })
            void listUsers()
          }),
        )
      }
      return li
    }),
  )
}

export function setUpAdmin() {
  if (state.me.role !== 'admin') return
  $('admin-open').hidden = false
  $('admin-open').addEventListener('click', () => {
    $('details').hidden = true
    $('admin').hidden = !$('admin').hidden
    if (!$('admin').hidden) void listUsers()
  })
  $('admin-close').addEventListener('click', () => {
    $('admin').hidden = true
  })
  for (const form of document.querySelectorAll('.admin-form')) {
    form.addEventListener('submit', (e) => {
      e.preventDefault()
      void submit(form)
    })
  }
  onLanguage(() => {
    if (!$('admin').hidden) void listUsers()
  })
}
