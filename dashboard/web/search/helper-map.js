// The helper pages' map: the configured tiles (or none), the trail since the alert opened and the
// live position with its accuracy circle. Positions are WGS-84; with GCJ-02 tiles they are offset
// for display only (gcoord, as the console does).
let gcoord = null

export async function helperMap(elementId) {
  const config = await (await fetch('/api/config')).json()
  if (config.gcj02) gcoord = (await import('/vendor/gcoord/dist/gcoord.esm-browser.prod.js')).default
  const el = document.getElementById(elementId)
  if (!window.L) return { show() {}, clear() {} }
  const map = L.map(el, { maxZoom: 19 }).setView([36.81, 118.05], 13)
  if (config.tileUrl) {
    const options = { attribution: config.attribution, maxZoom: 19, subdomains: config.subdomains || 'abc' }
    L.tileLayer(config.tileUrl, options).addTo(map)
    if (config.labelsUrl) L.tileLayer(config.labelsUrl, { ...options, attribution: '' }).addTo(map)
  } else el.classList.add('no-tiles')
  const layer = L.layerGroup().addTo(map)
  const at = (p) => {
    if (!gcoord) return [p.lat, p.lon]
    const [x, y] = gcoord.transform([p.lon, p.lat], gcoord.WGS84, gcoord.GCJ02)
    return [y, x]
  }
  let centred = false
  return {
    /** Draws the trail (oldest first); the last point is the live position. */
    show(trail) {
      layer.clearLayers()
      if (trail.length === 0) return
      const last = trail[trail.length - 1]
      L.polyline(trail.map(at), { color: '#c0392b', weight: 3, opacity: 0.7 }).addTo(layer)
      if (last.acc) L.circle(at(last), { radius: last.acc, weight: 1 }).addTo(layer)
      const icon = L.divIcon({ className: 'helper-marker', iconSize: [22, 22], html: '!' })
      L.marker(at(last), { icon }).addTo(layer)
      if (!centred) map.setView(at(last), 17)
      centred = true
    },
    clear() {
      layer.clearLayers()
    },
  }
}
