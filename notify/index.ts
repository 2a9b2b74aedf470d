// notify/: from an alert change to a person's pocket — the planner (who, which channel, which
// message, when), the outbox, the channels (SMS, WeCom, DingTalk, signed webhook, Web Push), and
// the settings people keep (contacts, preferences, roster, group chats, push devices).
import { onFirstSend, type ChannelSender } from './channels/channel.ts'
import type { AliyunSmsSettings } from './channels/sms.aliyun.ts'
import type { AliyunVoiceSettings } from './channels/voice.aliyun.ts'

export { plan, type PlanInput, type PlannedDelivery, type ChangeKind } from './planner.ts'
export {
  onDuty,
  afterQuietHours,
  localTime,
  type Channel,
  type Contact,
  type RosterEntry,
  type Preferences,
} from './audience.ts'
export { alertWords, render, titleText, type TemplateName, type TemplateParams, type Language } from './templates.ts'
export { createNotifier, type Notifier, type NotifierSettings } from './notifier.ts'
export { outboxBacklog } from './outbox.pg.ts'
export { pruneNotifications } from './retention.pg.ts'
export type { ChannelSender, OutgoingMessage, SendResult, Target } from './channels/channel.ts'
export type { AliyunSmsSettings, AliyunVoiceSettings }
// Aliyun's SDKs hold about 20 MB once loaded: they load with the first message sent through them.
export const aliyunSms = (s: AliyunSmsSettings): ChannelSender =>
  onFirstSend(async () => (await import('./channels/sms.aliyun.ts')).aliyunSms(s))
export const aliyunVoice = (s: AliyunVoiceSettings): ChannelSender =>
  onFirstSend(async () => (await import('./channels/voice.aliyun.ts')).aliyunVoice(s))
export { wecomRobot, dingtalkRobot, dingtalkSign, signedWebhook, webhookSignature } from './channels/robots.ts'
export { webPushSender, type VapidSettings } from './channels/webpush.ts'
export {
  replaceContacts,
  listContacts,
  getPreferences,
  setPreferences,
  addSubscription,
  removeSubscription,
  replaceCentreChannels,
  listCentreChannels,
  replaceRoster,
  listRoster,
  deliveryTimeline,
  usersMaySee,
  usersOfCentre,
  type NewContact,
  type NewRosterEntry,
  type CentreChannelSetting,
} from './settings.pg.ts'
