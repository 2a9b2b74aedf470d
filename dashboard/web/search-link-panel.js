// In an open wander alert's details: make a search link to share with helpers (neighbours,
// community workers, the police), see the links made with their opens, and revoke one.
import { api, button, el } from '/common.js'
import { t } from '/i18n.js'

/** Alert kinds a link may be made for (finding/search-link.ts SEARCHABLE_KINDS). */
const SEARCHABLE = ['left_safe_zone', 'found_report']

/** Adds the search-link controls for alert `a` to `actions` (nothing for other kinds or resolved alerts). */
export function searchLinkActions(a, actions) {
  if (!SEARCHABLE.includes(a.kind) || a.status === 'resolved') return
  const panel = el('div', 'search-links')
  panel.dataset.testid = 'search-links'
  const list = el('ul', 'search-link-list')
  const refresh = async () => {
    const { links } = await api(`/api/alerts/${a.id}/search-links`)
    list.replaceChildren(...links.map((l) => row(l, refresh)))
  }
  const make = button(t('searchLinkMake'), 'search-link-make', async () => {
    const made = await api(`/api/alerts/${a.id}/search-links`, { method: 'POST', body: '{}' })
    const url = el('input', 'search-link-url')
    url.readOnly = true
    url.value = `${location.origin}${made.path}`
    url.dataset.testid = 'search-link-url'
    url.setAttribute('aria-label', t('searchLinkMade'))
    panel.replaceChildren(make, url, list)
    url.select()
    await refresh()
  })
  panel.append(make, list)
  actions.append(panel)
  void refresh().catch(() => {})
}

function row(l, refresh) {
  const li = el('li')
  const state = l.revokedAt ? t('searchLinkRevoked') : l.expiresAt <= Date.now() ? t('searchLinkExpired') : ''
  li.append(el('span', 'what', `#${l.id} · ${t('searchLinkOpens', { n: l.opens })} ${state}`))
  if (!state)
    li.append(
      button(t('searchLinkRevoke'), `search-link-revoke-${l.id}`, async () => {
        await api(`/api/search-links/${l.id}/revoke`, { method: 'POST' })
        await refresh()
      }),
    )
  return li
}
