// The map: Leaflet with the configured tiles (or none), residents' markers (clustered when zoomed
// out, labelled on hover, when selected or when few), zones coloured by kind. Positions are WGS-84;
// with GCJ-02 tiles (AMap/Gaode) they are offset for display only, and points clicked on the map
// are converted back before they are stored.
import { $, nameOf, state } from '/common.js'
import { t } from '/i18n.js'
import { statusOf } from '/residents.js'
import { datumLoaded, gcj02ToWgs84, inDatum, loadDatum } from '/datum.js'

/** Up to this many residents on the page, every marker carries its name. */
const LABEL_ALL_UP_TO = 20

/** Leaflet renders a string tooltip as HTML: names (user-supplied) go in as text, in an element. */
function asText(s) {
  const span = document.createElement('span')
  span.textContent = s
  return span
}

export { inDatum, loadDatum }

/** Where to draw a WGS-84 point: shifted into GCJ-02 when the tiles use it (display only). */
export function display(lat, lon) {
  if (!state.config?.gcj02 || !datumLoaded()) return [lat, lon]
  return inDatum(lat, lon, 'GCJ02')
}

/** A marker's icon that carries the band id for tests and a status class (shape and text too, not colour alone). */
const BandIcon = window.L?.DivIcon.extend({
  createIcon(old) {
    const div = L.DivIcon.prototype.createIcon.call(this, old)
    div.dataset.testid = `marker-${this.options.bandId}`
    return div
  },
})

/** How a band's marker looks, as a short key: an icon is made only when it changes. */
function lookOf(b) {
  const s = statusOf(b)
  const kind = s.alert ? 'alert' : s.offline ? 'offline' : s.lowBattery ? 'battery' : 'ok'
  return state.selectedBand === b.bandId ? `${kind} selected` : kind
}

function iconFor(b, look) {
  const [kind, selected] = look.split(' ')
  const glyph = { alert: '!', offline: '×', battery: '▾', ok: '' }[kind]
  const iconSize = selected ? [26, 26] : [18, 18]
  return new BandIcon({ bandId: b.bandId, className: `band-marker ${look}`, html: glyph, iconSize })
}

/**
 * A move that changes nothing on screen is kept for later: off the view at both ends, or (zoomed
 * out this far) under 2 px. Kept moves are made when the view changes.
 */
const DEFER_BELOW_ZOOM = 16
const deferred = new Map()
let view = null // the map's bounds with a margin, as of the last move or zoom

function negligible(from, to) {
  view ??= state.map.getBounds().pad(0.2)
  if (!view.contains(from) && !view.contains(to)) return true
  const zoom = state.map.getZoom()
  if (zoom >= DEFER_BELOW_ZOOM) return false
  const metresPerPixel = (156543 * Math.cos((to[0] * Math.PI) / 180)) / 2 ** zoom
  const dy = (to[0] - from.lat) * 111_320
  const dx = (to[1] - from.lng) * 111_320 * Math.cos((to[0] * Math.PI) / 180)
  return Math.hypot(dx, dy) < 2 * metresPerPixel
}

/** After a move or zoom of the map, the moves kept back are made. */
function applyDeferred() {
  view = null
  for (const [bandId, at] of deferred) state.markers.get(bandId)?.marker.setLatLng(at)
  deferred.clear()
}

export function setUpMap(zones, onClick) {
  if (!window.L || state.map) return // without Leaflet the lists still work
  const map = L.map('map', { zoomControl: true, preferCanvas: true, maxZoom: 19 }).setView([36.81, 118.05], 12)
  // Without tiles (none configured, or none load) the map shows a plain pattern under zones and markers.
  if (state.config.tileUrl) {
    const options = { attribution: state.config.attribution, maxZoom: 19, subdomains: state.config.subdomains || 'abc' }
    const tiles = L.tileLayer(state.config.tileUrl, options)
    let loaded = 0
    tiles.on('tileload', () => {
      loaded++
      $('map').classList.remove('no-tiles')
    })
    tiles.on('tileerror', () => {
      if (loaded === 0) $('map').classList.add('no-tiles')
    })
    tiles.addTo(map)
    if (state.config.labelsUrl) L.tileLayer(state.config.labelsUrl, { ...options, attribution: '' }).addTo(map)
  } else $('map').classList.add('no-tiles')
  state.map = map
  state.zoneLayer = L.layerGroup().addTo(map)
  state.overlay = L.layerGroup().addTo(map) // the selection: accuracy circle, trail, zone left
  map.on('click', (e) => onClick(e.latlng))
  map.on('moveend', applyDeferred)
  drawZones(zones)
}

const ZONE_STYLE = {
  safe: { color: '#2f7d4a', fillOpacity: 0.05 },
  danger: { color: '#b3261e', fillOpacity: 0.15 },
}

export function drawZones(zones) {
  state.zones = zones
  if (!state.map) return
  state.zoneLayer.clearLayers()
  const focus = state.selectedBand ? state.bands.get(state.selectedBand)?.residentId : undefined
  for (const z of zones) {
    // A selected resident's zones stand out; the others fade. Shared zones (a centre's, the city's) are dashed.
    const faded = focus !== undefined && z.residentId !== focus
    const kind = ZONE_STYLE[z.kind] ?? ZONE_STYLE.safe
    const style = {
      ...kind,
      dashArray: z.schedule || z.residentId === null ? '6 4' : null,
      opacity: faded ? 0.25 : 0.9,
      fillOpacity: faded ? 0.02 : kind.fillOpacity,
      weight: faded ? 1 : 2,
    }
    const rings = z.shape.type === 'Polygon' ? [z.shape.coordinates] : z.shape.coordinates
    const layer =
      z.shape.type === 'circle'
        ? L.circle(display(z.shape.center[1], z.shape.center[0]), {
            ...style,
            radius: z.shape.radiusM,
            interactive: false,
          })
        : L.polygon(
            rings.map((poly) => poly.map((ring) => ring.map(([lon, lat]) => display(lat, lon)))),
            { ...style, interactive: false },
          )
    const label = `${z.name} · ${t(z.kind === 'danger' ? 'zoneKindDanger' : 'zoneKindSafe')}`
    layer.bindTooltip(asText(label)).addTo(state.zoneLayer)
  }
}

/** A map position (display datum) back to WGS-84 [lon, lat] for storing. */
export function stored(latlng) {
  if (!state.config?.gcj02 || !datumLoaded()) return [latlng.lng, latlng.lat]
  return gcj02ToWgs84(latlng.lat, latlng.lng)
}

/** Up to this many residents, every marker is drawn on its own; more are clustered when zoomed out. */
const CLUSTER_FROM = 50

/** The layer markers go in, chosen by how many residents the first snapshot brings. */
export function chooseMarkerLayer(count) {
  if (!state.map || state.cluster) return
  state.cluster =
    count > CLUSTER_FROM && L.markerClusterGroup
      ? L.markerClusterGroup({
          chunkedLoading: true,
          showCoverageOnHover: false,
          maxClusterRadius: 50,
          disableClusteringAtZoom: 17,
        })
      : L.layerGroup()
  state.cluster.addTo(state.map)
}

/** Places or moves a band's marker; the icon is replaced only when its look changes. */
export function placeMarker(b) {
  if (!state.map || !b.position) return
  chooseMarkerLayer(state.bands.size)
  const at = display(b.position.lat, b.position.lon)
  let m = state.markers.get(b.bandId)
  const look = lookOf(b)
  if (!m) {
    m = { marker: L.marker(at, { icon: iconFor(b, look), keyboard: false }), key: look, label: null }
    m.marker.on('click', () => window.dispatchEvent(new CustomEvent('select-band', { detail: b.bandId })))
    state.markers.set(b.bandId, m)
    labelMarker(b, m)
    state.cluster.addLayer(m.marker)
    return
  }
  if (m.key !== look) {
    m.marker.setIcon(iconFor(b, look))
    m.key = look
  }
  const old = m.marker.getLatLng()
  if (old.lat === at[0] && old.lng === at[1]) return
  if (state.selectedBand !== b.bandId && negligible(old, at)) deferred.set(b.bandId, at)
  else {
    deferred.delete(b.bandId)
    m.marker.setLatLng(at)
  }
}

/** Names on hover; always for the selected resident, or for everyone when there are few. */
export function labelMarker(b, m = state.markers.get(b.bandId)) {
  if (!m) return
  const permanent = state.selectedBand === b.bandId || state.bands.size <= LABEL_ALL_UP_TO
  if (m.label === permanent) return
  m.marker.unbindTooltip()
  m.marker.bindTooltip(asText(nameOf(b)), { permanent, direction: 'right', offset: [10, 0], className: 'marker-label' })
  m.label = permanent
}

export function removeMarker(bandId) {
  const m = state.markers.get(bandId)
  if (m) state.cluster?.removeLayer(m.marker)
  state.markers.delete(bandId)
}

/** Only on the first snapshot: later ones (reconnects) keep the view the user chose. */
export function fitToMarkers() {
  if (state.fitted) return
  const points = [...state.bands.values()].filter((b) => b.position).map((b) => display(b.position.lat, b.position.lon))
  if (state.map && points.length > 0) {
    state.map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 16 })
    state.fitted = true
  }
}
