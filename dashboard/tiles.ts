// Where the page's base map comes from: a Leaflet URL template, or a preset — OpenStreetMap,
// Tianditu (天地图, the government's service: CGCS2000, which is WGS-84 within centimetres, no
// offset; needs a key), Gaode/AMap (GCJ-02: positions are offset for display) — or a local tile
// archive (PMTiles) served by the service itself, for a care home without internet.
import type { MapSettings } from './routes/zones.ts'

export interface TileConfig {
  tileUrl: string
  tileAttribution: string
  tileGcj02: 'on' | 'off'
  /** Tianditu's key (tk). */
  tileKey: string
  /** A PMTiles file served at /tiles/{z}/{x}/{y}; when set, it is the base map. */
  tileArchive: string
}

/** Where the service serves a local archive's tiles. */
export const ARCHIVE_TILES = '/tiles/{z}/{x}/{y}'

const OSM_ATTRIBUTION = '© OpenStreetMap contributors'

export function resolveTiles(c: TileConfig): MapSettings {
  const base = { attribution: c.tileAttribution, gcj02: c.tileGcj02 === 'on', subdomains: 'abc', labelsUrl: '' }
  if (c.tileArchive !== '') {
    return { ...base, tileUrl: ARCHIVE_TILES, attribution: c.tileAttribution || OSM_ATTRIBUTION }
  }
  switch (c.tileUrl) {
    case 'osm':
      return { ...base, tileUrl: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', attribution: OSM_ATTRIBUTION }
    case 'tianditu': {
      const wmts = (layer: string) =>
        `https://t{s}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile` +
        `&VERSION=1.0.0&LAYER=${layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles` +
        `&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${encodeURIComponent(c.tileKey)}`
      return {
        tileUrl: wmts('vec'),
        labelsUrl: wmts('cva'),
        subdomains: '01234567',
        attribution: '© 天地图 Tianditu',
        gcj02: false,
      }
    }
    case 'amap':
      return {
        tileUrl:
          'https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8' + '&x={x}&y={y}&z={z}',
        labelsUrl: '',
        subdomains: '1234',
        attribution: '© 高德地图 AMap',
        gcj02: true,
      }
    default:
      return { ...base, tileUrl: c.tileUrl }
  }
}
