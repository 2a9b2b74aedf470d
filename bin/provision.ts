// Provisioning from the command line, so a newcomer can try Tongxing without writing SQL.
// Each command prints what it created as one JSON line (a band's secret only this once).
import { parseArgs } from 'node:util'
import {
  DUTY_PHONE_PATTERN,
  insertCareCentre,
  insertResident,
  insertUser,
  passwordProblem,
  setDutyPhone,
  type Role,
} from '../dashboard/index.ts'
import { checkResponderSettings, saveResponderProfile } from '../finding/index.ts'
import { checkSchedule, checkShape, insertZone } from '../geofence/index.ts'
import type { Db } from '../infra/index.ts'
import { BAND_ID, generateSecret, MIN_SECRET_LENGTH, upsertBand } from '../ingest/index.ts'
import { UsageError } from '../infra/usage-error.ts'

export const PROVISION_USAGE = `
  centre add   --name NAME [--duty-phone NUMBER]      (the number the family app's "call the care centre" dials)
  resident add --name NAME [--centre ID]
  band add     --id BAND_ID [--resident ID] [--secret SECRET]     (a secret is generated when omitted)
  zone add     --resident ID --lat LAT --lon LON --radius METRES [--name NAME] [--kind safe|danger]
               [--from HH:MM --to HH:MM [--days 0,1,…6]]   (in force only then, Asia/Shanghai time)
  user add     --username NAME --password-stdin --role admin|staff|family [--centre ID] [--resident ID]
               (the password from standard input's first line; --password PASSWORD also works
               but shows it to every local user in \`ps\`)
  user add     --username NAME --password-stdin --role responder --lat LAT --lon LON --radius METRES
               [--phone NUMBER] [--from HH:MM --to HH:MM [--days 0,1,…6]]   (area and availability)`

export { UsageError }

const OPTIONS = {
  name: { type: 'string' },
  'duty-phone': { type: 'string' },
  centre: { type: 'string' },
  id: { type: 'string' },
  resident: { type: 'string' },
  secret: { type: 'string' },
  lat: { type: 'string' },
  lon: { type: 'string' },
  radius: { type: 'string' },
  kind: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  role: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  days: { type: 'string' },
  phone: { type: 'string' },
} as const

/** Where a password may come from besides the command line (which every local user sees in `ps`). */
export interface SecretInput {
  /** Standard input's first line. */
  stdin(): Promise<string>
}

/** Checks the arguments before any database is opened; returns the action to run. */
export async function parseProvision(
  args: string[],
  input: SecretInput = { stdin: async () => '' },
): Promise<(db: Db) => Promise<Record<string, unknown>>> {
  const [what, verb, ...rest] = args
  if (verb !== 'add') throw new UsageError(`unknown command: ${args.slice(0, 2).join(' ')}`)
  const { values: v } = parseArgs({ args: rest, options: OPTIONS, strict: true })
  type Text = Exclude<keyof typeof v, 'password-stdin'>
  const need = (key: Text): string => {
    const value = v[key]
    if (value === undefined || value === '') throw new UsageError(`--${key} is required`)
    return value
  }
  const id = (key: Text): number | null => {
    if (v[key] === undefined) return null
    const n = Number(v[key])
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${key} must be a positive integer id`)
    return n
  }
  switch (what) {
    case 'centre': {
      const name = need('name')
      const phone = v['duty-phone']
      if (phone !== undefined && !new RegExp(DUTY_PHONE_PATTERN).test(phone))
        throw new UsageError('--duty-phone must be a phone number such as 0533-1234567 or 13800138000')
      return async (db) => {
        const centreId = await insertCareCentre(db, name)
        if (phone !== undefined) await setDutyPhone(db, centreId, phone)
        return { centreId }
      }
    }
    case 'resident': {
      const name = need('name')
      const centre = id('centre')
      return async (db) => ({ residentId: await insertResident(db, name, centre) })
    }
    case 'band': {
      const bandId = need('id')
      if (!BAND_ID.test(bandId)) throw new UsageError('--id must match ^[A-Za-z0-9_-]{1,64}$')
      const secret = v.secret ?? generateSecret()
      if (secret.length < MIN_SECRET_LENGTH)
        throw new UsageError(`--secret must be at least ${MIN_SECRET_LENGTH} characters`)
      const resident = id('resident')
      return async (db) => {
        await upsertBand(db, bandId, secret, resident ?? undefined)
        return { bandId, secret, residentId: resident }
      }
    }
    case 'zone': {
      const residentId = id('resident')
      if (residentId === null) throw new UsageError('--resident is required')
      const kind = v.kind ?? 'safe'
      if (kind !== 'safe' && kind !== 'danger') throw new UsageError('--kind must be safe or danger')
      const shape = checkShape({
        type: 'circle',
        center: [Number(need('lon')), Number(need('lat'))],
        radiusM: Number(need('radius')),
      })
      if (!shape.ok) throw new UsageError(shape.error)
      const name = v.name ?? (kind === 'safe' ? 'home' : 'danger')
      const when = checkSchedule(
        v.from || v.to ? { from: v.from, to: v.to, days: v.days?.split(',').map(Number) } : undefined,
      )
      if (!when.ok) throw new UsageError(when.error)
      return async (db) => ({
        zoneId: await insertZone(db, { residentId, name, kind, shape: shape.shape, schedule: when.schedule }),
      })
    }
    case 'user': {
      const username = need('username')
      const password = v['password-stdin'] ? await input.stdin() : v.password
      if (!password) throw new UsageError('give the password on standard input with --password-stdin')
      const role = need('role') as Role
      if (!['admin', 'staff', 'family', 'responder'].includes(role))
        throw new UsageError('--role must be admin, staff, family or responder')
      if (role === 'responder') return responder(username, password)
      const careCentreId = id('centre')
      const resident = id('resident')
      if (role === 'staff' && careCentreId === null) throw new UsageError('staff need --centre')
      if (role === 'family' && resident === null) throw new UsageError('family members need --resident')
      const weak = await passwordProblem(username, password)
      if (weak) throw new UsageError(`--password: ${weak}`)
      return async (db) => ({
        userId: await insertUser(db, {
          username,
          password,
          role,
          careCentreId,
          residentIds: resident ? [resident] : [],
        }),
      })
    }
    default:
      throw new UsageError(`unknown command: ${what ?? ''}`)
  }

  /** A responder: their area (a circle) and, optionally, when they are available. */
  async function responder(username: string, password: string) {
    const area = { type: 'circle', center: [Number(need('lon')), Number(need('lat'))], radiusM: Number(need('radius')) }
    const when = v.from || v.to ? [{ from: v.from, to: v.to, days: v.days?.split(',').map(Number) }] : []
    const s = checkResponderSettings(area, when)
    if (!s.ok) throw new UsageError(s.error)
    if (v.phone !== undefined && !/^\+?[0-9]{5,20}$/.test(v.phone)) throw new UsageError('--phone must be digits')
    const weak = await passwordProblem(username, password)
    if (weak) throw new UsageError(`--password: ${weak}`)
    return async (db: Db) => ({
      userId: await db.tx(async (c) => {
        const userId = Number(await insertUser(c, { username, password, role: 'responder' }))
        await saveResponderProfile(c, userId, { area: s.area, schedules: s.schedules, phone: v.phone ?? null })
        return userId
      }),
    })
  }
}
