// The notification settings' request and response schemas (dashboard/routes/notifications.ts).
import { Type } from 'typebox'
import { ErrorBody } from '../errors.ts'
import { Nullable } from './schemas.ts'

/** Null or a value, null tried first: with fastify's type coercion, a null tried as an integer first would become 0. */
export const OrNull = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([Type.Null(), t])
/** A mainland mobile number, or an international one with its country code. */
export const Phone = Type.String({ pattern: '^(1\\d{10}|\\+\\d{6,15})$' })
export const Minute = Type.Integer({
  minimum: 0,
  maximum: 1439,
  description: 'minutes after local midnight (NOTIFY_TIME_ZONE)',
})
export const Kind = Type.Union([
  Type.Literal('left_safe_zone'),
  Type.Literal('entered_danger_zone'),
  Type.Literal('sos'),
  Type.Literal('fall'),
  Type.Literal('band_removed'),
  Type.Literal('band_offline'),
  Type.Literal('low_battery'),
  Type.Literal('found_report'),
])
export const ContactIn = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    relation: Type.String({ maxLength: 50, default: '' }),
    phone: OrNull(Phone),
    userId: OrNull(Type.Integer({ minimum: 1 })),
    channels: Type.Array(Type.Union([Type.Literal('sms'), Type.Literal('webpush')]), {
      minItems: 1,
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
)
export const ContactOut = Type.Object({
  id: Type.Integer(),
  position: Type.Integer(),
  name: Type.String(),
  relation: Type.String(),
  phone: Nullable(Type.String()),
  userId: Nullable(Type.Integer()),
  channels: Type.Array(Type.String()),
})
export const Preferences = Type.Object(
  {
    kinds: OrNull(
      Type.Array(Kind, { uniqueItems: true, description: 'null: every kind; critical alerts come regardless' }),
    ),
    quietStart: OrNull(Minute),
    quietEnd: OrNull(Minute),
    language: Type.Union([Type.Literal('zh'), Type.Literal('en')]),
  },
  { additionalProperties: false },
)
export const PreferencesOut = Type.Object({
  kinds: Nullable(Type.Array(Type.String())),
  quietStart: Nullable(Type.Integer()),
  quietEnd: Nullable(Type.Integer()),
  language: Type.String(),
})
export const ChannelIn = Type.Object(
  {
    kind: Type.Union([Type.Literal('wecom'), Type.Literal('dingtalk'), Type.Literal('webhook')]),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    url: Type.String({
      pattern: '^https?://',
      maxLength: 2000,
      description: "the robot's webhook URL with its key or access_token",
    }),
    secret: Type.String({
      maxLength: 200,
      default: '',
      description: "DingTalk 加签 secret, or the webhook's HMAC secret",
    }),
  },
  { additionalProperties: false },
)
export const ChannelOut = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  name: Type.String(),
  host: Type.String(),
  secretSet: Type.Boolean(),
})
export const RosterIn = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    phone: Phone,
    userId: OrNull(Type.Integer({ minimum: 1 })),
    weekdays: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), {
      minItems: 1,
      uniqueItems: true,
      description: '0 = Sunday',
    }),
    startMinute: Minute,
    endMinute: Type.Integer({
      minimum: 0,
      maximum: 1440,
      description: 'before startMinute: the shift crosses midnight',
    }),
  },
  { additionalProperties: false },
)
export const RosterOut = Type.Intersect([Type.Object({ id: Type.Integer() }), RosterIn])
export const Timeline = Type.Object({
  deliveries: Type.Array(
    Type.Object({
      id: Type.Integer(),
      recipient: Type.String(),
      channel: Type.String(),
      message: Type.String(),
      status: Type.String(),
      attempts: Type.Integer(),
      createdAt: Type.Number(),
      sentAt: Nullable(Type.Number()),
      lastError: Nullable(Type.String()),
      tries: Type.Array(Type.Object({ at: Type.Number(), ok: Type.Boolean(), detail: Type.String() })),
    }),
  ),
})

export const ResidentParams = Type.Object({ residentId: Type.Integer({ minimum: 1 }) })
export const CentreParams = Type.Object({ centreId: Type.Integer({ minimum: 1 }) })
export const Errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }
