// The page's words in Chinese and English. The choice is kept in localStorage.
export const TEXT = {
  zh: {
    signIn: '登录', username: '用户名', password: '密码', logout: '退出', badLogin: '用户名或密码不正确', tooManyTries: '尝试次数过多，请稍后再试',
    alerts: '警报', residents: '长者', noAlerts: '暂无警报',
    acknowledge: '确认处理', resolve: '解除', resolveNote: '处理说明（如：已找到，平安）', save: '保存',
    open: '待处理', acknowledged: '已确认', resolved: '已解除', escalated: '已升级', level: '升级',
    lateReport: '迟报：手环事后才上传',
    online: '在线', offline: '离线', unknown: '未知', lastSeen: '最后上报', battery: '电量', never: '从未',
    accuracy: '精度', secondsAgo: '秒前', minutesAgo: '分钟前', hoursAgo: '小时前', daysAgo: '天前',
    role_admin: '项目管理员', role_staff: '照护人员', role_family: '家属',
    left_safe_zone: '离开安全区域', entered_danger_zone: '进入危险区域', sos: '紧急求助 SOS', fall: '跌倒',
    band_removed: '手环被摘下', band_offline: '手环离线', low_battery: '电量低',
    critical: '紧急', high: '高', medium: '中', low: '低',
    history: '轨迹回放', show: '查看', noHistory: '当天没有位置记录', points: '个位置',
    zones: '区域', zoneName: '名称', kind: '类型', safe: '安全区域', danger: '危险区域', radius: '半径', activeFrom: '生效时段',
    cancel: '取消', delete: '删除', edit: '编辑', newCircle: '新建圆形区域', newPolygon: '新建多边形区域',
    inviteFamily: '邀请家属', inviteMade: '请把此链接发给家属（72 小时内有效，仅可使用一次）：',
    joinTitle: '加入同行', joinHint: '创建您的家属账号，即可查看您的亲人。', join: '创建账号', badInvite: '邀请无效（未知、已使用或已过期）', taken: '用户名已被占用',
    weakPassword: '密码太容易被猜到：至少 10 个字符，不要包含用户名或常见密码，可用几个不相关的词组成',
    clickCentre: '在地图上点击以设置圆心', clickCorners: '在地图上依次点击各个顶点，然后保存', always: '全天',
  },
  en: {
    signIn: 'Sign in', username: 'Username', password: 'Password', logout: 'Sign out', badLogin: 'Wrong username or password', tooManyTries: 'Too many tries; please wait a little and try again',
    alerts: 'Alerts', residents: 'Residents', noAlerts: 'No alerts',
    acknowledge: 'Acknowledge', resolve: 'Resolve', resolveNote: 'What happened (e.g. found, safe)', save: 'Save',
    open: 'open', acknowledged: 'acknowledged', resolved: 'resolved', escalated: 'escalated', level: 'level',
    lateReport: 'reported late: the band uploaded it afterwards',
    online: 'online', offline: 'offline', unknown: 'unknown', lastSeen: 'last seen', battery: 'battery', never: 'never',
    accuracy: 'accuracy', secondsAgo: 's ago', minutesAgo: 'min ago', hoursAgo: 'h ago', daysAgo: 'd ago',
    role_admin: 'programme admin', role_staff: 'care staff', role_family: 'family',
    left_safe_zone: 'Left the safe zone', entered_danger_zone: 'Entered a danger zone', sos: 'SOS', fall: 'Fall',
    band_removed: 'Band taken off', band_offline: 'Band offline', low_battery: 'Low battery',
    critical: 'critical', high: 'high', medium: 'medium', low: 'low',
    history: 'History', show: 'Show', noHistory: 'No positions that day', points: 'positions',
    zones: 'Zones', zoneName: 'Name', kind: 'Kind', safe: 'safe', danger: 'danger', radius: 'Radius', activeFrom: 'Active',
    cancel: 'Cancel', delete: 'Delete', edit: 'Edit', newCircle: 'New circle', newPolygon: 'New polygon',
    inviteFamily: 'Invite family', inviteMade: 'Send this link to the family member (valid 72 hours, once):',
    joinTitle: 'Join Tongxing', joinHint: 'Create your family account to see your relative.', join: 'Create account', badInvite: 'This invitation is not valid (unknown, used or expired)', taken: 'That username is taken',
    weakPassword: 'That password is too easy to guess: use at least 10 characters, not your username or a common password; a few unrelated words work well',
    clickCentre: 'Click the map to place the centre', clickCorners: 'Click the corners on the map, then save', always: 'always',
  },
}

let lang = localStorage.getItem('tongxing.lang') || (navigator.language.startsWith('zh') ? 'zh' : 'en')

export const language = () => lang
export const t = (key) => TEXT[lang][key] ?? key

export function setLanguage(next) {
  lang = next
  localStorage.setItem('tongxing.lang', next)
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en'
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n)
}

/** "3 min ago", in the page's language. */
export function ago(ms, now = Date.now()) {
  if (ms === null || ms === undefined) return t('never')
  const s = Math.max(0, Math.round((now - ms) / 1000))
  if (s < 60) return `${s} ${t('secondsAgo')}`
  if (s < 3600) return `${Math.round(s / 60)} ${t('minutesAgo')}`
  if (s < 86400) return `${Math.round(s / 3600)} ${t('hoursAgo')}`
  return `${Math.round(s / 86400)} ${t('daysAgo')}`
}
