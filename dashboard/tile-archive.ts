// A local tile archive (PMTiles, one file) served at /tiles/{z}/{x}/{y}: a base map for a care home
// without internet. Read with the pmtiles library from the file on disk; a tile the archive lacks is
// a 404 (the page then shows its plain background under zones and markers).
import { open, type FileHandle } from 'node:fs/promises'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PMTiles, TileType, type RangeResponse, type Source } from 'pmtiles'
import { Type } from 'typebox'

class DiskSource implements Source {
  private handle: Promise<FileHandle>
  constructor(private readonly path: string) {
    this.handle = open(path, 'r')
  }
  getKey() {
    return this.path
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const buf = Buffer.alloc(length)
    const { bytesRead } = await (await this.handle).read(buf, 0, length, offset)
    return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytesRead) }
  }
  async close() {
    await (await this.handle).close()
  }
}

const CONTENT_TYPE: Partial<Record<TileType, string>> = {
  [TileType.Png]: 'image/png',
  [TileType.Jpeg]: 'image/jpeg',
  [TileType.Webp]: 'image/webp',
  [TileType.Avif]: 'image/avif',
}

export const tileArchiveRoutes =
  (path: string): FastifyPluginAsyncTypebox =>
  async (app) => {
    const source = new DiskSource(path)
    const archive = new PMTiles(source)
    const header = await archive.getHeader()
    const type = CONTENT_TYPE[header.tileType]
    if (!type) throw new Error(`${path}: only raster tiles (PNG, JPEG, WebP, AVIF) can be served`)
    app.addHook('onClose', () => source.close())
    const Z = Type.Integer({ minimum: 0, maximum: 30 })
    const XY = Type.Integer({ minimum: 0 })
    app.get(
      '/tiles/:z/:x/:y',
      {
        schema: { hide: true, params: Type.Object({ z: Z, x: XY, y: XY }) },
      },
      async (request, reply) => {
        const { z, x, y } = request.params
        const tile = z < header.minZoom || z > header.maxZoom ? undefined : await archive.getZxy(z, x, y)
        if (!tile) return reply.code(404).send()
        return reply
          .header('content-type', type)
          .header('cache-control', 'public, max-age=86400')
          .send(Buffer.from(tile.data))
      },
    )
  }
