// Sends commands to bands and follows them: stored, published on bands/{id}/cmd at QoS 1,
// delivered when the band's PUBACK comes back, answered when the band's reports show it did
// what was asked. Every change is announced (the dashboard shows it on the socket).
import type { Db, Logger } from '../infra/index.ts'
import { answers, commandMessage, type Command } from './commands.ts'
import { insertCommand, markAnswered, markDelivered, type BandCommand } from './commands.pg.ts'
import type { Fix } from './fix.ts'

export interface CommandChannel {
  send(bandId: string, command: Command, userId: number | null): Promise<BandCommand>
  /** The band acknowledged the command message with this id. */
  delivered(id: number): void
  /** Reports just stored: some may answer a delivered command. */
  reports(fixes: readonly Fix[]): void
}

export interface CommandChannelOptions {
  db: Db
  log: Logger
  /** Publishes a QoS 1 message to the band's command topic. */
  publish: (bandId: string, payload: string) => void
  onChange: (c: BandCommand) => void
}

export function createCommandChannel({ db, log, publish, onChange }: CommandChannelOptions): CommandChannel {
  // Commands still waiting for an answer, by band (few at a time: kept in memory; a restart
  // forgets them, and they stay unanswered in the record).
  const waiting = new Map<string, BandCommand[]>()
  const announce = (c: BandCommand | undefined) => {
    if (c) onChange(c)
  }
  const failed = (what: string) => (err: unknown) => log.error({ err }, `${what} failed`)

  return {
    async send(bandId, command, userId) {
      const c = await insertCommand(db, bandId, command, userId)
      publish(bandId, commandMessage(c.id, command))
      // Answerable from now: a band on a clean session gets the command, but aedes does not tell
      // us of its PUBACK (it keeps no outgoing record for such sessions).
      if (command.cmd === 'locate') waiting.set(bandId, [...(waiting.get(bandId) ?? []), c])
      log.info({ bandId, cmd: command.cmd, id: c.id }, 'command sent to band')
      onChange(c)
      return c
    },
    delivered(id) {
      markDelivered(db, id).then((c) => {
        if (!c) return
        const pending = waiting.get(c.bandId)
        if (pending)
          waiting.set(
            c.bandId,
            pending.map((p) => (p.id === c.id ? c : p)),
          )
        announce(c)
      }, failed('recording a delivered command'))
    },
    reports(fixes) {
      for (const fix of fixes) {
        const pending = waiting.get(fix.bandId)
        if (!pending) continue
        const done = pending.filter((c) => answers(c.command, c.deliveredAt ?? c.requestedAt, fix))
        if (done.length === 0) continue
        const left = pending.filter((c) => !done.includes(c))
        if (left.length > 0) waiting.set(fix.bandId, left)
        else waiting.delete(fix.bandId)
        for (const c of done)
          markAnswered(db, c.id, { fixTime: fix.ts, seq: fix.seq }).then(announce, failed('recording a command answer'))
      }
    },
  }
}
