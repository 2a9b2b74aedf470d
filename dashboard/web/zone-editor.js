// The zone editor for care staff and admins: a resident's zones listed; edit a circle (centre,
// radius, hours), draw a new circle or polygon by clicking the map, drag a corner or a circle's
// centre, undo, delete; and invite family. The service's errors are shown in the page's language.
import { $, api, button, state } from '/common.js'
import { t } from '/i18n.js'
import { display, drawZones, stored } from '/map.js'

const PREVIEW = { color: '#23436b', dashArray: '4 4', interactive: false }

export const editor = {
  residentId: null,
  zone: null,
  mode: null,
  centre: null,
  corners: [],
  preview: null,
  handles: [],
  undo: [],
  open(b) {
    if (state.me.role === 'family' || b.residentId === null) return
    this.residentId = b.residentId
    $('zone-editor').hidden = false
    $('invite-link').textContent = ''
    $('zones-name').textContent = b.residentName ?? b.bandId
    this.cancel()
  },
  list() {
    const mine = (state.zones ?? []).filter((z) => z.residentId === this.residentId)
    $('zone-list').replaceChildren(
      ...mine.map((z) => {
        const li = document.createElement('li')
        const when = z.schedule ? `${z.schedule.from}–${z.schedule.to}` : t('always')
        const size = z.shape.type === 'circle' ? `${z.shape.radiusM} m` : t('polygon')
        li.append(`${z.name} · ${t(z.kind)} · ${size} · ${when}`)
        li.append(
          button(t('edit'), `zone-edit-${z.id}`, () => this.start(z.shape.type === 'circle' ? 'circle' : 'polygon', z)),
        )
        return li
      }),
    )
  },
  start(mode, zone = null) {
    this.mode = mode
    this.zone = zone
    this.centre = zone?.shape.type === 'circle' ? zone.shape.center : null
    this.corners = zone && zone.shape.type === 'Polygon' ? zone.shape.coordinates[0].slice(0, -1) : []
    const f = $('zone-form')
    f.hidden = false
    $('zone-new').hidden = true
    f.name.value = zone?.name ?? ''
    f.kind.value = zone?.kind ?? 'safe'
    f.radius.value = zone?.shape.radiusM ?? 300
    f.from.value = zone?.schedule?.from ?? ''
    f.to.value = zone?.schedule?.to ?? ''
    f.querySelector('[data-circle]').hidden = mode !== 'circle'
    $('zone-delete').hidden = !zone
    $('zone-hint').textContent = `${mode === 'circle' ? t('clickCentre') : t('clickCorners')}. ${t('dragHint')}`
    $('zone-error').textContent = ''
    this.undo = []
    this.draw()
  },
  /** Keeps the shape as it is now, for Undo. */
  remember() {
    this.undo.push({ centre: this.centre, corners: [...this.corners], radius: $('zone-form').radius.value })
  },
  back() {
    const last = this.undo.pop()
    if (!last) return
    Object.assign(this, { centre: last.centre, corners: last.corners })
    $('zone-form').radius.value = last.radius
    this.draw()
  },
  mapClick(latlng) {
    if (!this.mode) return
    this.remember()
    if (this.mode === 'circle') this.centre = stored(latlng)
    else this.corners.push(stored(latlng))
    this.draw()
  },
  shape() {
    if (this.mode === 'circle')
      return this.centre && { type: 'circle', center: this.centre, radiusM: Number($('zone-form').radius.value) }
    return this.corners.length >= 3 ? { type: 'Polygon', coordinates: [[...this.corners, this.corners[0]]] } : null
  },
  draw() {
    this.preview?.remove()
    this.preview = null
    for (const h of this.handles) h.remove()
    this.handles = []
    if (!state.map || !this.mode) return
    const s = this.shape()
    if (s) {
      this.preview =
        s.type === 'circle'
          ? L.circle(display(s.center[1], s.center[0]), { ...PREVIEW, radius: s.radiusM }).addTo(state.map)
          : L.polygon(
              s.coordinates[0].map(([lon, lat]) => display(lat, lon)),
              PREVIEW,
            ).addTo(state.map)
    }
    // Handles to drag: the circle's centre, or each corner.
    const points = this.mode === 'circle' ? (this.centre ? [this.centre] : []) : this.corners
    points.forEach(([lon, lat], i) => {
      const h = L.marker(display(lat, lon), {
        draggable: true,
        keyboard: false,
        icon: L.divIcon({ className: 'vertex', iconSize: [18, 18], html: '' }),
      }).addTo(state.map)
      h.getElement()?.setAttribute('data-testid', `vertex-${i}`)
      h.on('dragstart', () => this.remember())
      h.on('drag', (e) => {
        const at = stored(e.target.getLatLng())
        if (this.mode === 'circle') this.centre = at
        else this.corners[i] = at
        const shape = this.shape()
        if (shape?.type === 'circle') this.preview?.setLatLng(e.target.getLatLng())
        else if (shape) this.preview?.setLatLngs(shape.coordinates[0].map(([x, y]) => display(y, x)))
      })
      h.on('dragend', () => this.draw())
      this.handles.push(h)
    })
  },
  cancel() {
    this.mode = null
    this.zone = null
    this.draw()
    $('zone-form').hidden = true
    $('zone-new').hidden = false
    this.list()
  },
  async save() {
    const f = $('zone-form')
    const shape = this.shape()
    if (!shape) {
      $('zone-error').textContent = this.mode === 'circle' ? t('clickCentre') : t('clickCorners')
      return
    }
    const body = {
      name: f.name.value,
      kind: f.kind.value,
      shape,
      schedule: f.from.value && f.to.value ? { from: f.from.value, to: f.to.value } : null,
    }
    const res = await fetch(this.zone ? `/api/zones/${this.zone.id}` : `/api/residents/${this.residentId}/zones`, {
      method: this.zone ? 'PUT' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const answer = await res.json()
    if (!res.ok) {
      $('zone-error').textContent = zoneError(answer.error?.message ?? '')
      return
    }
    await this.reload()
  },
  async remove() {
    await api(`/api/zones/${this.zone.id}`, { method: 'DELETE' })
    await this.reload()
  },
  async reload() {
    drawZones((await api('/api/zones')).zones)
    this.cancel()
  },
}
/** The service's reason (English, for the API) in the page's language. */
function zoneError(message) {
  const m = message.toLowerCase()
  if (m.includes('intersects itself')) return t('zoneErr_selfIntersect')
  if (m.includes('radius')) return t('zoneErr_radius')
  if (m.includes('schedule')) return t('zoneErr_schedule')
  if (m.includes('name')) return t('zoneErr_name')
  if (['shape', 'polygon', 'ring', 'vertices'].some((w) => m.includes(w))) return t('zoneErr_shape')
  return t('zoneErr_other')
}

$('zone-undo').addEventListener('click', () => editor.back())
$('zone-form').addEventListener('submit', (e) => {
  e.preventDefault()
  void editor.save()
})
$('zone-form').radius.addEventListener('focus', () => editor.remember())
$('zone-form').radius.addEventListener('input', () => editor.draw())
$('zone-cancel').addEventListener('click', () => editor.cancel())
$('zone-delete').addEventListener('click', () => void editor.remove())
$('zone-new-circle').addEventListener('click', () => editor.start('circle'))
$('invite').addEventListener('click', async () => {
  const made = await api(`/api/residents/${editor.residentId}/invitations`, { method: 'POST', body: '{}' })
  $('invite-link').textContent = `${t('inviteMade')} ${location.origin}/?invite=${made.code}`
})
$('zone-new-polygon').addEventListener('click', () => editor.start('polygon'))
