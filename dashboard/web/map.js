// The map: Leaflet with the configured tiles (or none), residents' markers with their accuracy,
// zones and danger zones. Positions are WGS-84; with GCJ-02 tiles (AMap/Gaode) they are offset
// for display only, and points clicked on the map are converted back before they are stored.
import { state } from '/common.js'

let gcoord = null // loaded only when the tiles are in GCJ-02

/** Leaflet renders a string tooltip as HTML: names (user-supplied) go in as text, in an element. */
function asText(s) {
  const span = document.createElement('span')
  span.textContent = s
  return span
}

export async function loadDatum() {
  if (state.config.gcj02) gcoord = (await import('/vendor/gcoord/dist/gcoord.esm-browser.prod.js')).default
}

/** Where to draw a WGS-84 point: shifted into GCJ-02 when the tiles use it (display only). */
export function display(lat, lon) {
  if (!state.config?.gcj02 || !gcoord) return [lat, lon]
  const [x, y] = gcoord.transform([lon, lat], gcoord.WGS84, gcoord.GCJ02)
  return [y, x]
}


export function setUpMap(zones, onClick) {
  if (!window.L || state.map) return // without Leaflet the lists still work
  const map = L.map('map', { zoomControl: true }).setView([36.81, 118.05], 12)
  if (state.config.tileUrl) L.tileLayer(state.config.tileUrl, { attribution: state.config.attribution, maxZoom: 19 }).addTo(map)
  state.map = map
  state.zoneLayer = L.layerGroup().addTo(map)
  map.on('click', (e) => onClick(e.latlng))
  drawZones(zones)
}


export function drawZones(zones) {
  state.zones = zones
  if (!state.map) return
  state.zoneLayer.clearLayers()
  for (const z of zones) {
    const style = z.kind === 'danger' ? { color: '#b3261e', fillOpacity: 0.15 } : { color: '#2f7d4a', fillOpacity: 0.05, dashArray: z.schedule ? '6 4' : null }
    const rings = z.shape.type === 'Polygon' ? [z.shape.coordinates] : z.shape.coordinates
    const layer = z.shape.type === 'circle'
      ? L.circle(display(z.shape.center[1], z.shape.center[0]), { radius: z.shape.radiusM, ...style, interactive: false })
      : L.polygon(rings.map((poly) => poly.map((ring) => ring.map(([lon, lat]) => display(lat, lon)))),
        { ...style, interactive: false })
    layer.bindTooltip(asText(z.name)).addTo(state.zoneLayer)
  }
}

/** A map position (display datum) back to WGS-84 [lon, lat] for storing. */
export function stored(latlng) {
  if (!state.config?.gcj02 || !gcoord) return [latlng.lng, latlng.lat]
  return gcoord.transform([latlng.lng, latlng.lat], gcoord.GCJ02, gcoord.WGS84)
}


export function placeMarker(b) {
  if (!state.map || !b.position) return
  const at = display(b.position.lat, b.position.lon)
  let m = state.markers.get(b.bandId)
  if (!m) {
    m = {
      dot: L.circleMarker(at, { radius: 7, color: '#23436b', fillColor: '#3b78c2', fillOpacity: 1 }).addTo(state.map),
      halo: L.circle(at, { radius: b.position.acc ?? 0, color: '#3b78c2', weight: 1, fillOpacity: 0.1 }).addTo(state.map),
    }
    m.dot.bindTooltip(asText(b.residentName ?? b.bandId), { permanent: true, direction: 'right', className: 'marker-label' })
    m.dot.getElement()?.setAttribute('data-testid', `marker-${b.bandId}`)
    state.markers.set(b.bandId, m)
  }
  m.dot.setLatLng(at)
  m.halo.setLatLng(at).setRadius(b.position.acc ?? 0)
}

export function fitToMarkers() {
  const points = [...state.bands.values()].filter((b) => b.position).map((b) => display(b.position.lat, b.position.lon))
  if (state.map && points.length > 0) state.map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 16 })
}

