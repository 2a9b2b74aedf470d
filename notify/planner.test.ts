// The notification policy with literal times and people: no clock, no database, no network.
import { describe, expect, it } from 'vitest'
import type { Contact, Preferences, RosterEntry } from './audience.ts'
import { plan, type ChangeKind, type PlanInput, type Told } from './planner.ts'
import { render } from './templates.ts'

// 2026-12-04 14:00 in Zibo (UTC+8) is 06:00 UTC; a Friday.
const AFTERNOON = Date.UTC(2026, 11, 4, 6, 0)
const NIGHT = Date.UTC(2026, 11, 4, 15, 0) // 23:00 local
const daughter: Contact = {
  id: 1,
  position: 1,
  name: '王丽',
  relation: '女儿',
  phone: '13800000001',
  userId: 10,
  channels: ['sms', 'webpush'],
}
const son: Contact = {
  id: 2,
  position: 2,
  name: '王强',
  relation: '儿子',
  phone: '13800000002',
  userId: null,
  channels: ['sms'],
}
const nephew: Contact = {
  id: 3,
  position: 3,
  name: '李明',
  relation: '外甥',
  phone: '13800000003',
  userId: null,
  channels: ['sms'],
}
const dayShift: RosterEntry = {
  id: 5,
  name: '张护士',
  phone: '13900000005',
  userId: null,
  weekdays: [0, 1, 2, 3, 4, 5, 6],
  startMinute: 8 * 60,
  endMinute: 20 * 60,
}
const nightShift: RosterEntry = {
  id: 6,
  name: '赵护工',
  phone: '13900000006',
  userId: null,
  weekdays: [5],
  startMinute: 20 * 60,
  endMinute: 8 * 60,
}
const quietNights: Preferences = { kinds: null, quietStart: 22 * 60, quietEnd: 7 * 60, language: 'zh' }

function input(
  change: ChangeKind,
  over: Partial<PlanInput> & { level?: number; at?: number; severity?: PlanInput['alert']['severity'] } = {},
): PlanInput {
  return {
    change: { id: 1, change, level: over.level ?? 0, at: over.at ?? AFTERNOON },
    alert: {
      id: 42,
      kind: 'left_safe_zone',
      severity: over.severity ?? 'high',
      resolutionNote: null,
      resolvedAutomatically: true,
      ...over.alert,
    },
    residentName: '王建国',
    handlerName: null,
    contacts: [son, daughter, nephew],
    roster: [dayShift, nightShift],
    centreChannels: [{ id: 7, kind: 'wecom', name: '张店照护群' }],
    cityWebhook: false,
    voiceFromLevel: null,
    preferences: new Map(),
    subscriptions: new Map([[10, [31, 32]]]),
    notified: [],
    timeZone: 'Asia/Shanghai',
    ...over,
  }
}
const who = (ds: ReturnType<typeof plan>) => ds.map((d) => `${d.recipientName} ${d.channel} ${d.template}`)
const told = (ds: ReturnType<typeof plan>): Told[] =>
  ds.map(({ recipient, recipientName, channel, address, language, userId }) => ({
    recipient,
    recipientName,
    channel,
    address,
    language,
    userId,
  }))

describe('who hears of a new alert', () => {
  it('when a wearer leaves the safe area, then the first contact hears on each channel and device, and the centre group chat too', () => {
    const ds = plan(input('opened'))
    expect(who(ds)).toEqual(['王丽 sms alert', '王丽 webpush alert', '王丽 webpush alert', '张店照护群 wecom alert'])
    expect(ds.every((d) => d.dueAt === AFTERNOON && !d.cancelIfHandled)).toBe(true)
    expect(render(ds[0]!.template, 'zh', ds[0]!.params)).toBe(
      '【同行】王建国 已离开安全区域。请打开同行查看位置，联系本人或就近寻找。',
    )
  })

  it('when a low-battery alert opens, then only the family hears, not the group chat', () => {
    expect(
      who(
        plan(
          input('opened', {
            severity: 'low',
            alert: { id: 42, kind: 'low_battery', severity: 'low', resolutionNote: null, resolvedAutomatically: false },
          }),
        ),
      ),
    ).toEqual(['王丽 sms alert', '王丽 webpush alert', '王丽 webpush alert'])
  })

  it('when the first contact keeps quiet hours at night, then a high alert waits until 07:00 but a critical one goes at once', () => {
    const preferences = new Map([[10, quietNights]])
    const high = plan(input('opened', { at: NIGHT, preferences })).filter((d) => d.recipient === 'contact:1')
    expect(high.map((d) => new Date(d.dueAt).toISOString())).toEqual(Array(3).fill('2026-12-04T23:00:00.000Z')) // 07:00 local
    const critical = plan(input('opened', { at: NIGHT, preferences, severity: 'critical' })).filter(
      (d) => d.recipient === 'contact:1',
    )
    expect(critical.map((d) => d.dueAt)).toEqual([NIGHT, NIGHT, NIGHT])
  })

  it('when a person asked only for SOS alerts, then a wander does not reach them, but a critical one does', () => {
    const preferences = new Map<number, Preferences>([
      [10, { kinds: ['sos'], quietStart: null, quietEnd: null, language: 'en' }],
    ])
    expect(who(plan(input('opened', { preferences })))).toEqual(['张店照护群 wecom alert'])
    const critical = plan(input('opened', { preferences, severity: 'critical' }))
    expect(who(critical)[0]).toBe('王丽 sms alert')
    expect(render(critical[0]!.template, critical[0]!.language, critical[0]!.params)).toBe(
      '[Tongxing] 王建国 has left the safe area. Open Tongxing to see where they are; call them or go and look nearby.',
    )
  })
})

describe('escalation when nobody acknowledges', () => {
  it('when the alert climbs to level 1 in the afternoon, then those told hear it again and the next contact and the day shift hear it first', () => {
    const notified = told(plan(input('opened')))
    const ds = plan(input('escalated', { level: 1, notified }))
    expect(who(ds)).toEqual([
      '王丽 sms reminder',
      '王丽 webpush reminder',
      '王丽 webpush reminder',
      '张店照护群 wecom reminder',
      '王强 sms alert',
      '张护士 sms alert',
    ])
    expect(ds.every((d) => d.cancelIfHandled)).toBe(true)
  })

  it('when it climbs to level 2 at 23:00 on a Friday, then every contact and the night shift hear it', () => {
    const ds = plan(input('escalated', { level: 2, at: NIGHT }))
    expect(who(ds).filter((w) => w.endsWith(' sms alert'))).toEqual([
      '王丽 sms alert',
      '王强 sms alert',
      '李明 sms alert',
      '赵护工 sms alert',
    ])
  })

  it('when the night shift started on Friday, then it is still on duty at 03:00 on Saturday, and the day shift is not', () => {
    const ds = plan(input('escalated', { level: 1, at: Date.UTC(2026, 11, 4, 19, 0) }))
    expect(who(ds).filter((w) => w.includes('护') && w.includes('sms'))).toEqual(['赵护工 sms alert'])
  })

  it('when the same change is planned twice, then the messages carry the same keys (sent once)', () => {
    expect(plan(input('escalated', { level: 1 })).map((d) => d.dedupeKey)).toEqual(
      plan(input('escalated', { level: 1 })).map((d) => d.dedupeKey),
    )
    expect(new Set(plan(input('escalated', { level: 1 })).map((d) => d.dedupeKey)).size).toBe(6)
  })
})

describe('voice calls for critical alerts nobody acknowledges (optional per deployment)', () => {
  const critical = { severity: 'critical' as const, voiceFromLevel: 1 }

  it('when a critical alert reaches level 1 with voice on, then everyone its SMS reached and the next ones are rung, once each', () => {
    const notified = told(plan(input('opened', critical)))
    const ds = plan(input('escalated', { ...critical, level: 1, notified }))
    expect(who(ds).filter((w) => w.includes('voice'))).toEqual([
      '王丽 voice reminder',
      '王强 voice reminder',
      '张护士 voice reminder',
    ])
    const calls = ds.filter((d) => d.channel === 'voice')
    expect(calls.every((d) => d.cancelIfHandled && d.dueAt === AFTERNOON)).toBe(true)
    expect(calls.map((d) => d.address)).toEqual(['13800000001', '13800000002', '13900000005'])
  })

  it('when voice is off, the alert is not critical, or the level is below the set one, then nobody is rung', () => {
    const notified = told(plan(input('opened', critical)))
    const voice = (ds: ReturnType<typeof plan>) => ds.filter((d) => d.channel === 'voice')
    expect(voice(plan(input('escalated', { severity: 'critical', level: 1, notified })))).toEqual([])
    expect(voice(plan(input('escalated', { voiceFromLevel: 1, level: 1, notified })))).toEqual([])
    expect(voice(plan(input('escalated', { ...critical, voiceFromLevel: 2, level: 1, notified })))).toEqual([])
    expect(voice(plan(input('opened', critical)))).toEqual([])
  })

  it('when someone acknowledges after calls were made, then the calls are not followed by a "being handled" call', () => {
    const opened = told(plan(input('opened', critical)))
    const notified = [...opened, ...told(plan(input('escalated', { ...critical, level: 1, notified: opened })))]
    expect(notified.some((t) => t.channel === 'voice')).toBe(true)
    const ds = plan(input('acknowledged', { ...critical, notified }))
    expect(ds.filter((d) => d.channel === 'voice')).toEqual([])
    expect(who(ds)).toContain('王丽 sms handling')
    // The next level rings again, but repeats no earlier call as an SMS-style reminder to a voice line.
    const next = plan(input('escalated', { ...critical, level: 2, notified }))
    expect(new Set(next.filter((d) => d.channel === 'voice').map((d) => d.dedupeKey)).size).toBe(
      next.filter((d) => d.channel === 'voice').length,
    )
    expect(next.filter((d) => d.channel === 'voice' && d.template !== 'reminder')).toEqual([])
  })
})

describe('closing what was sent', () => {
  it('when someone acknowledges, then everyone told hears who is handling it, once per channel and device', () => {
    const notified = [...told(plan(input('opened'))), ...told(plan(input('opened')))]
    const ds = plan(input('acknowledged', { notified, handlerName: '张护士' }))
    expect(who(ds)).toEqual([
      '王丽 sms handling',
      '王丽 webpush handling',
      '王丽 webpush handling',
      '张店照护群 wecom handling',
    ])
    expect(render('handling', 'zh', ds[0]!.params)).toBe(
      '【同行】王建国 已离开安全区域：张护士 正在处理，请保持电话畅通。',
    )
  })

  it('when the wearer comes back, then everyone told hears "back in the safe area", even in their quiet hours only after them', () => {
    const notified = told(plan(input('opened')))
    const ds = plan(input('resolved', { notified }))
    expect(who(ds)).toEqual([
      '王丽 sms closed',
      '王丽 webpush closed',
      '王丽 webpush closed',
      '张店照护群 wecom closed',
    ])
    expect(render('closed', 'zh', ds[0]!.params)).toBe('【同行】王建国 已回到安全区域，警报解除。')
    const night = plan(input('resolved', { notified, at: NIGHT, preferences: new Map([[10, quietNights]]) }))
    expect(night.filter((d) => d.recipient === 'contact:1').every((d) => d.dueAt > NIGHT)).toBe(true)
  })

  it('when a carer resolves it with a note, then the closing message carries the note', () => {
    const ds = plan(
      input('resolved', {
        notified: told(plan(input('opened'))),
        alert: {
          id: 42,
          kind: 'sos',
          severity: 'critical',
          resolutionNote: '已找到，平安',
          resolvedAutomatically: false,
        },
      }),
    )
    expect(render('closed', 'zh', ds[0]!.params)).toBe('【同行】王建国 警报解除：已找到，平安')
  })

  it('when nothing was sent for an alert, then its closing sends nothing', () => {
    expect(plan(input('resolved'))).toEqual([])
  })
})

describe('nearby responders (issue 19)', () => {
  const responders = [{ userId: 70, username: 'grid-zhang', phone: '13700000070' }]

  it('when a wander alert opens with a responder nearby, then they are asked at once by SMS and on their devices, without the name', () => {
    const ds = plan(input('opened', { at: NIGHT, responders, subscriptions: new Map([[70, [90]]]) }))
    const theirs = ds.filter((d) => d.recipient === 'responder:70')
    expect(theirs.map((d) => `${d.channel} ${d.address} ${d.template}`)).toEqual([
      'sms 13700000070 alert',
      'webpush 90 alert',
    ])
    expect(theirs.every((d) => d.dueAt === NIGHT)).toBe(true)
    const text = render('alert', 'zh', theirs[0]!.params)
    expect(text).not.toContain('王建国')
    expect(text).toContain('接受任务')
  })

  it('when the alert escalates or closes, then a responder told before hears again, still without the name', () => {
    const first = plan(input('opened', { responders })).filter((d) => d.recipient === 'responder:70')
    for (const change of ['escalated', 'resolved'] as const) {
      const ds = plan(input(change, { level: 1, notified: told(first) })).filter((d) => d.recipient === 'responder:70')
      expect(ds.length).toBe(1)
      expect(render(ds[0]!.template, 'zh', ds[0]!.params)).not.toContain('王建国')
    }
  })
})
