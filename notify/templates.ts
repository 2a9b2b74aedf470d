// What people read: plain words, Chinese first, English available. SMS providers send only
// approved templates, so a message is a template name and its parameters; the same parameters
// render the text for group chats, Web Push and webhooks.
import type { AlertKind } from '../geofence/index.ts'

export type TemplateName = 'alert' | 'reminder' | 'handling' | 'closed'
export type Language = 'zh' | 'en'

/** Template parameters: every value a short string (SMS providers want strings). */
export interface TemplateParams {
  name: string
  /** What happened, in words (not in the closing message, whose template has no place for it). */
  event?: string
  /** What to do next, or who is handling it, or why it closed. */
  detail: string
}

const EVENT: Record<Language, Record<AlertKind, string>> = {
  zh: {
    left_safe_zone: '已离开安全区域',
    entered_danger_zone: '进入了危险区域',
    sos: '按下了紧急求助键',
    fall: '可能摔倒了',
    band_removed: '摘下了手环',
    band_offline: '的手环已失去联系',
    low_battery: '的手环电量低',
    found_report: '被路人发现，路人扫描了手环上的二维码',
  },
  en: {
    left_safe_zone: 'has left the safe area',
    entered_danger_zone: 'has entered a danger area',
    sos: 'pressed the emergency button',
    fall: 'may have fallen',
    band_removed: 'has taken the band off',
    band_offline: "'s band is not reporting",
    low_battery: "'s band battery is low",
    found_report: 'has been found by a passer-by, who scanned the QR code on the band',
  },
}

const ADVICE: Record<Language, Record<AlertKind, string>> = {
  zh: {
    left_safe_zone: '请打开同行查看位置，联系本人或就近寻找。',
    entered_danger_zone: '请立即查看位置并前往，或致电照护中心。',
    sos: '请立即致电本人或前往查看，必要时拨打120。',
    fall: '请立即致电本人或前往查看，必要时拨打120。',
    band_removed: '请确认本人是否安全，并帮其重新戴好手环。',
    band_offline: '请确认本人是否安全，并检查手环是否有电。',
    low_battery: '请帮其给手环充电。',
    found_report: '请打开同行查看路人所在位置和留言，尽快前往接人；路人留了电话时请回电。',
  },
  en: {
    left_safe_zone: 'Open Tongxing to see where they are; call them or go and look nearby.',
    entered_danger_zone: 'Check their position now and go there, or call the care centre.',
    sos: 'Call them or go to them now; call 120 if needed.',
    fall: 'Call them or go to them now; call 120 if needed.',
    band_removed: 'Check they are safe and help them put the band back on.',
    band_offline: 'Check they are safe and that the band is charged.',
    low_battery: 'Please help them charge the band.',
    found_report:
      'Open Tongxing to see where the finder is and their note, and go to fetch them; call the finder back if they left a number.',
  },
}

const CLOSED: Record<Language, { back: string; handled: string; note: string }> = {
  zh: { back: '已恢复正常，警报解除。', handled: '警报已由照护人员处理完毕。', note: '警报解除：' },
  en: {
    back: 'is all right again; the alert is closed.',
    handled: 'The alert was closed by a carer.',
    note: 'Alert closed: ',
  },
}

const BACK_HOME: Record<Language, string> = {
  zh: '已回到安全区域，警报解除。',
  en: 'is back in the safe area; the alert is closed.',
}

export const eventText = (lang: Language, kind: AlertKind) => EVENT[lang][kind]

/** Every alert's words in one language, for pages that tell it in the messages' own words (the family app). */
export const alertWords = (lang: Language) => ({ event: EVENT[lang], advice: ADVICE[lang], backHome: BACK_HOME[lang] })
export const adviceText = (lang: Language, kind: AlertKind) => ADVICE[lang][kind]
export const handlingText = (lang: Language, who: string) =>
  lang === 'zh' ? `${who} 正在处理，请保持电话畅通。` : `${who} is handling it; keep your phone at hand.`

/** What a nearby responder is asked to do (issue 19). */
export const taskText = (lang: Language) =>
  lang === 'zh'
    ? '请打开同行“寻找任务”接受任务，查看位置并帮助寻找。'
    : "Open Tongxing's search tasks to accept, see where they are and help find them."

export const taskClosedText = (lang: Language) =>
  lang === 'zh' ? '的寻找已结束，无需再寻找。谢谢您！' : 'no longer needs looking for. Thank you!'

/** Why an alert closed, in words: back home (the geofence saw it), or a person's note. */
export function closedText(lang: Language, kind: AlertKind, note: string | null, automatic: boolean): string {
  if (automatic) return kind === 'left_safe_zone' ? BACK_HOME[lang] : CLOSED[lang].back
  return note ? `${CLOSED[lang].note}${note}` : CLOSED[lang].handled
}

/** The whole text, as group chats, Web Push and webhooks show it. */
export function render(template: TemplateName, lang: Language, p: TemplateParams): string {
  const sep = lang === 'zh' ? '' : ' '
  switch (template) {
    case 'alert':
      return lang === 'zh'
        ? `【同行】${p.name} ${p.event}。${p.detail}`
        : `[Tongxing] ${p.name}${sep}${p.event}. ${p.detail}`
    case 'reminder':
      return lang === 'zh'
        ? `【同行】仍无人处理：${p.name} ${p.event}。${p.detail}`
        : `[Tongxing] Still not handled: ${p.name}${sep}${p.event}. ${p.detail}`
    case 'handling':
      return lang === 'zh'
        ? `【同行】${p.name} ${p.event}：${p.detail}`
        : `[Tongxing] ${p.name}${sep}${p.event}: ${p.detail}`
    case 'closed':
      return lang === 'zh' ? `【同行】${p.name} ${p.detail}` : `[Tongxing] ${p.name} ${p.detail}`
  }
}

/** A push notification's title. */
export const titleText = (template: TemplateName, lang: Language, name: string): string =>
  template === 'closed'
    ? lang === 'zh'
      ? `${name}：警报解除`
      : `${name}: alert closed`
    : lang === 'zh'
      ? `${name}：需要关注`
      : `${name}: needs attention`
