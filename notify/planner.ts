// The notification planner: an alert change, the resident's contacts and the centre's settings in,
// the messages to send out (who, which channel, which template, when). Pure: no I/O, time as data.
//
// Care policy (issue 17): a new alert goes to the first contact and the centre's group chats; each
// escalation level nobody acknowledged widens it (level 1: the next contact and whoever is on duty;
// level 2: every contact and the duty roster again) and repeats it to those already told; quiet
// hours hold back everything but critical alerts; acknowledging or resolving tells everyone who
// was told, and drops escalation messages not yet sent. Where the deployment has voice calls, a
// critical alert still unacknowledged at the set level also rings the phones of everyone its SMS
// reached (once per level; acknowledging drops calls not yet made); calls never say "handled" or "closed".
import type { AlertKind, Severity } from '../geofence/index.ts'
import {
  afterQuietHours,
  onDuty,
  type CentreChannel,
  type Channel,
  type Contact,
  type Preferences,
  type RosterEntry,
} from './audience.ts'
import {
  adviceText,
  closedText,
  eventText,
  handlingText,
  taskClosedText,
  taskText,
  type Language,
  type TemplateName,
  type TemplateParams,
} from './templates.ts'

export type ChangeKind = 'opened' | 'worsened' | 'escalated' | 'acknowledged' | 'resolved'

export interface PlanInput {
  /** `id`: the recorded change's own (alert_changes.id): one message per change and recipient, however often it is planned. */
  change: { id: number; change: ChangeKind; level: number; at: number }
  alert: {
    id: number
    kind: AlertKind
    severity: Severity
    resolutionNote: string | null
    resolvedAutomatically: boolean
  }
  residentName: string
  /** Who acknowledged it (for "being handled by"). */
  handlerName: string | null
  contacts: readonly Contact[]
  /** Nearby responders offered this wander alert (finding/): told when it opens, never by name. */
  responders?: readonly { userId: number; username: string; phone: string | null }[]
  roster: readonly RosterEntry[]
  centreChannels: readonly CentreChannel[]
  /** The city's signed webhook is configured. */
  cityWebhook: boolean
  /** Critical alerts still unacknowledged at this escalation level (or later) ring phones; null: no voice. */
  voiceFromLevel: number | null
  preferences: ReadonlyMap<number, Preferences>
  /** Web Push subscription ids by user. */
  subscriptions: ReadonlyMap<number, readonly number[]>
  /** What was planned for this alert before (and not dropped): who was told, and how. */
  notified: readonly Told[]
  timeZone: string
}

/** A recipient on a channel at an address. */
export interface Told {
  recipient: string
  recipientName: string
  channel: Channel
  address: string
  language: Language
  userId: number | null
}

export interface PlannedDelivery extends Told {
  template: TemplateName
  params: TemplateParams
  dueAt: number
  cancelIfHandled: boolean
  dedupeKey: string
}

/** Severities that reach the centre's group chats. */
const GROUP_SEVERITIES: ReadonlySet<Severity> = new Set(['critical', 'high', 'medium'])

export function plan(p: PlanInput): PlannedDelivery[] {
  const { change, alert } = p
  const out: PlannedDelivery[] = []
  const add = (t: Told, template: TemplateName, cancelIfHandled: boolean, holdable: boolean) => {
    const prefs = t.userId === null ? undefined : p.preferences.get(t.userId)
    const urgent = alert.severity === 'critical'
    const dueAt = holdable && !urgent ? afterQuietHours(prefs, change.at, p.timeZone) : change.at
    const level = change.change === 'escalated' ? `/${change.level}` : ''
    out.push({
      ...t,
      template,
      params: t.recipient.startsWith(RESPONDER)
        ? responderParams(p, template, t.language)
        : params(p, template, t.language),
      dueAt,
      cancelIfHandled,
      dedupeKey: `${alert.id}/${change.id}/${change.change}${level}/${t.recipient}/${t.channel}/${t.address}`,
    })
  }
  switch (change.change) {
    case 'opened':
    case 'worsened':
      for (const t of audience(p, 0)) add(t, 'alert', false, true)
      // A responder is asked at once (they chose when they are available), on every channel they have.
      if (change.change === 'opened')
        for (const r of p.responders ?? [])
          for (const t of personal(p, `${RESPONDER}${r.userId}`, r.username, r.phone, r.userId, ['sms', 'webpush']))
            add(t, 'alert', false, false)
      break
    case 'escalated': {
      const before = new Set(p.notified.map(key))
      // Those told already hear it again (still nobody acknowledged); the next ones hear it first.
      const told = p.notified.filter((t) => t.channel !== 'voice')
      for (const t of told) add(t, 'reminder', true, true)
      const next = audience(p, change.level).filter((t) => !before.has(key(t)))
      for (const t of next) add(t, 'alert', true, true)
      if (alert.severity === 'critical' && p.voiceFromLevel !== null && change.level >= p.voiceFromLevel) {
        for (const t of unique([...told, ...next]))
          if (t.channel === 'sms') add({ ...t, channel: 'voice' }, 'reminder', true, false)
      }
      break
    }
    case 'acknowledged':
      for (const t of unique(p.notified)) if (t.channel !== 'voice') add(t, 'handling', false, true)
      break
    case 'resolved':
      for (const t of unique(p.notified)) if (t.channel !== 'voice') add(t, 'closed', false, true)
      break
  }
  return out
}

/** Recipients who are responders: their messages name nobody (they learn who on accepting the task). */
const RESPONDER = 'responder:'

function responderParams(p: PlanInput, template: TemplateName, lang: Language): TemplateParams {
  const name = lang === 'zh' ? '附近一位需要帮助的老人' : 'A person nearby who needs help'
  if (template === 'closed') return { name, detail: taskClosedText(lang) }
  return { name, event: eventText(lang, p.alert.kind), detail: taskText(lang) }
}

const key = (t: Told) => `${t.recipient}/${t.channel}/${t.address}`
const unique = (ts: readonly Told[]) => [...new Map(ts.map((t) => [key(t), t])).values()]

/** Who a level reaches. Level 0: the first contact, the group chats and the city; 1: the next contact and
 *  those on duty; 2: every contact and those on duty. Each person filtered by their preferences. */
function audience(p: PlanInput, level: number): Told[] {
  const out: Told[] = []
  const contacts = [...p.contacts].sort((a, b) => a.position - b.position)
  const reach = level === 0 ? contacts.slice(0, 1) : level === 1 ? contacts.slice(0, 2) : contacts
  for (const c of reach)
    out.push(...personal(p, `contact:${c.id}`, c.name || c.relation, c.phone, c.userId, c.channels))
  if (level >= 1) {
    for (const r of onDuty(p.roster, p.change.at, p.timeZone)) {
      out.push(...personal(p, `roster:${r.id}`, r.name, r.phone, r.userId, ['sms', 'webpush']))
    }
  }
  if (GROUP_SEVERITIES.has(p.alert.severity)) {
    for (const g of p.centreChannels)
      out.push({
        recipient: `channel:${g.id}`,
        recipientName: g.name,
        channel: g.kind,
        address: String(g.id),
        language: 'zh',
        userId: null,
      })
  }
  if (p.cityWebhook)
    out.push({
      recipient: 'city',
      recipientName: 'city',
      channel: 'webhook',
      address: 'city',
      language: 'zh',
      userId: null,
    })
  return out
}

/** A person's messages on their channels, unless they asked not to hear of this kind (critical ones always). */
function personal(
  p: PlanInput,
  recipient: string,
  name: string,
  phone: string | null,
  userId: number | null,
  channels: readonly string[],
): Told[] {
  const prefs = userId === null ? undefined : p.preferences.get(userId)
  if (prefs?.kinds && !prefs.kinds.includes(p.alert.kind) && p.alert.severity !== 'critical') return []
  const language = prefs?.language ?? 'zh'
  const out: Told[] = []
  if (channels.includes('sms') && phone)
    out.push({ recipient, recipientName: name, channel: 'sms', address: phone, language, userId })
  if (channels.includes('webpush') && userId !== null) {
    for (const s of p.subscriptions.get(userId) ?? [])
      out.push({ recipient, recipientName: name, channel: 'webpush', address: String(s), language, userId })
  }
  return out
}

function params(p: PlanInput, template: TemplateName, lang: Language): TemplateParams {
  const { kind } = p.alert
  const base = { name: p.residentName, event: eventText(lang, kind) }
  switch (template) {
    case 'alert':
    case 'reminder':
      return { ...base, detail: adviceText(lang, kind) }
    case 'handling':
      return { ...base, detail: handlingText(lang, p.handlerName ?? (lang === 'zh' ? '照护人员' : 'A carer')) }
    case 'closed':
      return {
        name: p.residentName,
        detail: closedText(lang, kind, p.alert.resolutionNote, p.alert.resolvedAutomatically),
      }
  }
}
