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
    searchHint: '搜索姓名或手环号', filter: '筛选', filterAll: '全部', filterAlert: '有警报', filterOutside: '在区域外',
    filterOffline: '离线', filterBattery: '电量低', filterRemoved: '未佩戴', map: '地图', close: '关闭',
    navAmap: '在高德地图中导航', navBaidu: '在百度地图中导航', timeline: '处理记录', noteHint: '添加备注（不解除警报）',
    addNote: '添加备注', undo: '撤销', from: '开始时间', to: '结束时间', play: '播放', pause: '暂停', speed: '播放速度', day: '日期',
    connLost: '实时连接已断开，正在重新连接……期间的操作将在恢复后自动重试。', connBack: '实时连接已恢复，数据已同步。',
    queued: '连接断开：操作已排队，恢复后自动提交', refused: '操作失败，请重试', reopen: '重新打开', locate: '定位',
    ev_opened: '警报产生', ev_escalated: '已升级', ev_acknowledged: '已确认', ev_note: '备注', ev_resolved: '已解除',
    ev_reopened: '重新打开', ev_autoResolved: '系统自动解除', by: '操作人', beyond: '在“{zone}”外 {m} 米，{dir}',
    dir_n: '北', dir_ne: '东北', dir_e: '东', dir_se: '东南', dir_s: '南', dir_sw: '西南', dir_w: '西', dir_nw: '西北',
    gps: 'GPS', lbs: '基站', wifi: 'Wi-Fi', lowBattery: '电量低', notWorn: '未佩戴', inAlert: '有警报', outside: '在区域外',
    newAlert: '新警报', noBaseMap: '底图无法加载：仍显示区域和位置', zoneKindSafe: '安全区域', zoneKindDanger: '危险区域',
    details: '详情', latestFix: '最新位置', polygon: '多边形', selected: '已选中',
    zoneErr_shape: '区域形状无效', zoneErr_selfIntersect: '多边形的边不能相互交叉', zoneErr_radius: '半径须在 10 至 50000 米之间',
    zoneErr_schedule: '生效时段无效', zoneErr_name: '请填写名称', zoneErr_other: '区域无法保存', dragHint: '拖动顶点或圆心可调整，改完后保存',
    stop: '停留', minutes: '分钟', admin: '管理', addCentre: '新增照护中心', centreName: '中心名称', addResident: '新增长者', residentName: '长者姓名', centreId: '中心编号',
    provisionBand: '配发手环', bandId: '手环号', residentId: '长者编号', rotateSecret: '更换手环密钥', rotate: '更换',
    assignBand: '把手环分配给长者',
    assign: '分配', addUser: '新增用户', role: '角色', residentIds: '家属关联的长者编号（逗号分隔）', users: '用户', add: '新增',
    done: '已完成', secretOnce: '密钥（只显示这一次，请写入手环）', newId: '编号', unlink: '取消关联',
  },
  en: {
    signIn: 'Sign in', username: 'Username', password: 'Password', logout: 'Sign out',
    badLogin: 'Wrong username or password', tooManyTries: 'Too many tries; please wait a little and try again',
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
    zones: 'Zones', zoneName: 'Name', kind: 'Kind', safe: 'safe', danger: 'danger', radius: 'Radius',
    activeFrom: 'Active',
    cancel: 'Cancel', delete: 'Delete', edit: 'Edit', newCircle: 'New circle', newPolygon: 'New polygon',
    inviteFamily: 'Invite family', inviteMade: 'Send this link to the family member (valid 72 hours, once):',
    joinTitle: 'Join Tongxing', joinHint: 'Create your family account to see your relative.', join: 'Create account',
    badInvite: 'This invitation is not valid (unknown, used or expired)', taken: 'That username is taken',
    weakPassword: 'That password is too easy to guess: use at least 10 characters, '
      + 'not your username or a common password; a few unrelated words work well',
    clickCentre: 'Click the map to place the centre', clickCorners: 'Click the corners on the map, then save',
    always: 'always',
    searchHint: 'Search name or band', filter: 'Filter', filterAll: 'All', filterAlert: 'In alert',
    filterOutside: 'Outside',
    filterOffline: 'Offline', filterBattery: 'Low battery', filterRemoved: 'Not worn', map: 'Map', close: 'Close',
    navAmap: 'Navigate in AMap', navBaidu: 'Navigate in Baidu Maps', timeline: 'Handling',
    noteHint: 'Add a note (does not resolve)',
    addNote: 'Add note', undo: 'Undo', from: 'From', to: 'To', play: 'Play', pause: 'Pause', speed: 'Speed', day: 'Day',
    connLost: 'Live connection lost; reconnecting… Actions taken meanwhile are retried when it is back.',
    connBack: 'Live connection back; the page is up to date.',
    queued: 'Connection lost: the action is queued and will be sent when it is back',
    refused: 'That did not work; please try again', reopen: 'Reopen', locate: 'Locate',
    ev_opened: 'Alert raised', ev_escalated: 'Escalated', ev_acknowledged: 'Acknowledged', ev_note: 'Note',
    ev_resolved: 'Resolved',
    ev_reopened: 'Reopened', ev_autoResolved: 'Resolved automatically', by: 'by',
    beyond: '{m} m beyond "{zone}", {dir}',
    dir_n: 'north', dir_ne: 'north-east', dir_e: 'east', dir_se: 'south-east', dir_s: 'south', dir_sw: 'south-west',
    dir_w: 'west', dir_nw: 'north-west',
    gps: 'GPS', lbs: 'cell', wifi: 'Wi-Fi', lowBattery: 'low battery', notWorn: 'not worn', inAlert: 'in alert',
    outside: 'outside',
    newAlert: 'New alert', noBaseMap: 'The base map could not load: zones and positions are still shown',
    zoneKindSafe: 'safe zone', zoneKindDanger: 'danger zone',
    details: 'Details', latestFix: 'Latest fix', polygon: 'polygon', selected: 'selected',
    zoneErr_shape: 'The zone\'s shape is not valid', zoneErr_selfIntersect: 'A polygon\'s sides must not cross',
    zoneErr_radius: 'The radius must be 10 to 50000 m',
    zoneErr_schedule: 'The active hours are not valid', zoneErr_name: 'Please give a name',
    zoneErr_other: 'The zone could not be saved', dragHint: 'Drag a corner or the centre to adjust, then save',
    stop: 'Stopped', minutes: 'min', admin: 'Admin', addCentre: 'Add a care centre', centreName: 'Centre name', addResident: 'Add a resident',
    residentName: 'Resident name', centreId: 'Centre id',
    provisionBand: 'Provision a band', bandId: 'Band id', residentId: 'Resident id',
    rotateSecret: 'Give a band a new secret', rotate: 'Rotate', assignBand: 'Give a band to a resident',
    assign: 'Assign', addUser: 'Add a user', role: 'Role', residentIds: 'Family: resident ids (comma-separated)',
    users: 'Users', add: 'Add',
    done: 'Done', secretOnce: 'Secret (shown this once: put it in the band)', newId: 'id', unlink: 'Unlink',
  },
}

let lang = localStorage.getItem('tongxing.lang') || (navigator.language.startsWith('zh') ? 'zh' : 'en')

export const language = () => lang
/** A word in the page's language; a missing one is recorded (the tests fail on it) and shown as its key. */
export function t(key, vars) {
  let s = TEXT[lang][key]
  if (s === undefined) {
    window.__missingText ??= []
    window.__missingText.push(`${lang}:${key}`)
    return key
  }
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v))
  return s
}

const listeners = []
/** Called after every switch of language, so that what was drawn in code is drawn again. */
export const onLanguage = (f) => listeners.push(f)

export function setLanguage(next) {
  lang = next
  localStorage.setItem('tongxing.lang', next)
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en'
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n)
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder)
  for (const el of document.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel))
  }
  for (const f of listeners) f()
}

/** A time of day in the page's language. */
export const clock = (ms) => new Date(ms)
  .toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' })

/** "3 min ago", in the page's language. */
export function ago(ms, now = Date.now()) {
  if (ms === null || ms === undefined) return t('never')
  const s = Math.max(0, Math.round((now - ms) / 1000))
  if (s < 60) return `${s} ${t('secondsAgo')}`
  if (s < 3600) return `${Math.round(s / 60)} ${t('minutesAgo')}`
  if (s < 86400) return `${Math.round(s / 3600)} ${t('hoursAgo')}`
  return `${Math.round(s / 86400)} ${t('daysAgo')}`
}
