// Datums for Chinese map apps: positions are stored in WGS-84; AMap/Gaode shows GCJ-02 and Baidu
// BD-09, offset by a street's width, so a navigation link (or a GCJ-02 base map) needs each point
// converted into that app's datum. The conversion is gcoord's (tested against published vectors in
// dashboard/datum.test.ts); the console and the family app share this one module.
let gcoord = null

/** Loads gcoord (in the page, from /vendor; a test passes the package itself). */
export async function loadDatum(lib) {
  const url = '/vendor/gcoord/dist/gcoord.esm-browser.prod.js'
  gcoord = lib ?? (await import(/* @vite-ignore */ url)).default
}

export const datumLoaded = () => gcoord !== null

/** A WGS-84 point in another datum ('GCJ02', 'BD09'), as [lat, lon]. */
export function inDatum(lat, lon, datum) {
  const [x, y] = gcoord.transform([lon, lat], gcoord.WGS84, gcoord[datum])
  return [y, x]
}

/** Gaode (GCJ-02) and Baidu (BD-09) navigation at a WGS-84 point, each in that app's datum. */
export function navLinks(lat, lon, label) {
  const name = encodeURIComponent(label)
  const [glat, glon] = inDatum(lat, lon, 'GCJ02')
  const [blat, blon] = inDatum(lat, lon, 'BD09')
  return {
    amap:
      `https://uri.amap.com/marker?position=${glon.toFixed(6)},${glat.toFixed(6)}&name=${name}` +
      '&coordinate=gaode&callnative=1',
    baidu:
      `https://api.map.baidu.com/marker?location=${blat.toFixed(6)},${blon.toFixed(6)}` +
      `&title=${name}&content=${name}&output=html&coord_type=bd09ll&src=tongxing`,
  }
}

/** A GCJ-02 point (clicked on a GCJ-02 base map) back in WGS-84, as [lon, lat] for storing. */
export function gcj02ToWgs84(lat, lon) {
  return gcoord.transform([lon, lat], gcoord.GCJ02, gcoord.WGS84)
}
