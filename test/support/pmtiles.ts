// A small PMTiles (v3) archive of raster tiles written for tests: a solid-colour PNG for every tile
// of a box over a range of zooms, uncompressed directory, no leaf directories (the spec's simplest
// valid file). The service reads it with the pmtiles library, as it would a real city extract.
import { writeFile } from 'node:fs/promises'
import { deflateSync } from 'node:zlib'
import { zxyToTileId } from 'pmtiles'

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (b: Buffer) => {
  let c = 0xffffffff
  for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/** A 256×256 PNG of one colour. */
export function solidPng(r: number, g: number, b: number): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(256, 0)
  ihdr.writeUInt32BE(256, 4)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: 256 }, () => [r, g, b]).flat())])
  const raw = Buffer.concat(Array.from({ length: 256 }, () => row))
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])
  const chunks = [chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]
  return Buffer.concat([signature, ...chunks])
}

function varint(n: number, out: number[]) {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
}

const tileX = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z)
const tileY = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z)
}

/** Writes the archive; returns how many tiles it holds. */
export interface Box {
  minLon: number
  minLat: number
  maxLon: number
  maxLat: number
}

export async function writePmtiles(path: string, box: Box, minZoom: number, maxZoom: number): Promise<number> {
  const tiles: { id: number; data: Buffer }[] = []
  for (let z = minZoom; z <= maxZoom; z++) {
    for (let x = tileX(box.minLon, z); x <= tileX(box.maxLon, z); x++) {
      for (let y = tileY(box.maxLat, z); y <= tileY(box.minLat, z); y++) {
        tiles.push({ id: zxyToTileId(z, x, y), data: solidPng(200, 225 - z * 4, 190) })
      }
    }
  }
  tiles.sort((a, b) => a.id - b.id)
  const dir: number[] = []
  varint(tiles.length, dir)
  let last = 0
  for (const t of tiles) {
    varint(t.id - last, dir)
    last = t.id
  }
  for (const _ of tiles) varint(1, dir)
  for (const t of tiles) varint(t.data.length, dir)
  for (let i = 0; i < tiles.length; i++) varint(i === 0 ? 1 : 0, dir) // contiguous: the first at offset 0 (+1), the rest follow
  const root = Buffer.from(dir)
  const meta = Buffer.from('{}')
  const data = Buffer.concat(tiles.map((t) => t.data))
  const h = Buffer.alloc(127)
  h.write('PMTiles', 0, 'ascii')
  h.writeUInt8(3, 7)
  const u64 = (at: number, v: number) => h.writeBigUInt64LE(BigInt(v), at)
  u64(8, 127)
  u64(16, root.length)
  u64(24, 127 + root.length)
  u64(32, meta.length)
  u64(40, 0)
  u64(48, 0)
  u64(56, 127 + root.length + meta.length)
  u64(64, data.length)
  u64(72, tiles.length)
  u64(80, tiles.length)
  u64(88, tiles.length)
  h.set([1, 1, 1, 2, minZoom, maxZoom], 96) // clustered, no compression (directory, tiles), PNG, zooms
  const e7 = (v: number) => Math.round(v * 1e7)
  h.writeInt32LE(e7(box.minLon), 102)
  h.writeInt32LE(e7(box.minLat), 106)
  h.writeInt32LE(e7(box.maxLon), 110)
  h.writeInt32LE(e7(box.maxLat), 114)
  h.writeUInt8(maxZoom, 118)
  h.writeInt32LE(e7((box.minLon + box.maxLon) / 2), 119)
  h.writeInt32LE(e7((box.minLat + box.maxLat) / 2), 123)
  await writeFile(path, Buffer.concat([h, root, meta, data]))
  return tiles.length
}
