// A TCP proxy in front of the database, to make it go away and come back the way a network
// partition or a database restart does: `cut()` drops every connection and refuses new ones.
import { connect, createServer, type Socket } from 'node:net'

export interface Proxy {
  port: number
  cut(): void
  restore(): void
  close(): Promise<void>
}

export async function startProxy(target: { host: string; port: number }): Promise<Proxy> {
  let down = false
  const open = new Set<Socket>()
  const server = createServer((client) => {
    if (down) return client.destroy()
    const upstream = connect(target.port, target.host)
    for (const s of [client, upstream]) {
      open.add(s)
      s.on('error', () => undefined)
      s.on('close', () => {
        open.delete(s)
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream).pipe(client)
  })
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  )
  return {
    port,
    cut() {
      down = true
      for (const s of open) s.destroy()
    },
    restore() {
      down = false
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** The URL with its host and port replaced by the proxy's. */
export function viaProxy(url: string, proxy: Proxy): string {
  const u = new URL(url)
  u.hostname = '127.0.0.1'
  u.port = String(proxy.port)
  return u.toString()
}
