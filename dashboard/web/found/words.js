// The found-me page's words, Chinese first, merged into the page-wide table of /i18n.js (one
// language switch for every page). Plain words: the reader is a stranger on the street.
import { TEXT } from '/i18n.js'

Object.assign(TEXT.zh, {
  foundTitle: '这位老人可能迷路了',
  foundAddress: '您可以称呼他/她：{name}',
  foundStay: '请陪在他/她身边，不要让他/她独自离开；说话慢一点，语气温和。',
  foundShare: '请点下面的按钮分享您所在的位置，我们会马上通知家属和照护中心。',
  foundDanger: '如遇危险或身体不适，请拨打 110 或 120。',
  foundCallCentre: '致电照护中心 {number}',
  foundCallPolice: '报警 110',
  foundPhone: '您的电话（可不填）',
  foundNote: '留言（可不填，如：在某某超市门口）',
  foundSend: '分享我的位置并通知家属',
  foundLocating: '正在获取您的位置…',
  foundNoPosition: '未能获取您的位置（已拒绝或无法定位），仍会通知家属；请在留言里写下地点。',
  foundSending: '正在发送…',
  foundSent: '已通知家属和照护中心，他们正在赶来。请陪在老人身边，谢谢您！',
  foundFailed: '发送失败，请直接拨打上面的电话。',
  foundTooMany: '发送次数过多，请直接拨打上面的电话。',
})
Object.assign(TEXT.en, {
  foundTitle: 'This person may be lost',
  foundAddress: 'You can call them: {name}',
  foundStay: 'Please stay with them and do not let them walk off alone; speak slowly and kindly.',
  foundShare: 'Tap the button below to share where you are; their family and care centre are told at once.',
  foundDanger: 'If there is danger or they seem unwell, call 110 (police) or 120 (ambulance).',
  foundCallCentre: 'Call the care centre {number}',
  foundCallPolice: 'Call the police 110',
  foundPhone: 'Your phone number (optional)',
  foundNote: 'A note (optional, e.g. outside the supermarket on …)',
  foundSend: 'Share my location and tell the family',
  foundLocating: 'Finding your location…',
  foundNoPosition:
    'Your location is not available (refused or not found); the family is told anyway. Please write where you are in the note.',
  foundSending: 'Sending…',
  foundSent: 'The family and the care centre have been told and are on their way. Please stay with them. Thank you!',
  foundFailed: 'Sending failed: please call the number above.',
  foundTooMany: 'Too many reports: please call the number above.',
})
