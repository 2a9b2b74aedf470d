// One pino logger per process, a child per part. Log band ids, never names;
// coordinates only at debug; never raw payloads or query parameters.
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime })
}
