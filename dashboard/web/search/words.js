// The helper pages' words (the search link and the responder page), Chinese first; the language
// choice is the console's (i18n.js), kept in localStorage.
import { language } from '/i18n.js'

const WORDS = {
  zh: {
    title: '协助寻找走失老人',
    intro: '这位老人可能迷路了，请帮忙寻找。找到后请陪伴在旁，并联系照护中心或拨打110。',
    since: '走失时间',
    updated: '最新位置时间',
    validUntil: '链接有效至',
    noPosition: '暂无位置，请稍候',
    gone: '链接已失效',
    goneDetail: '老人可能已经找到，或链接已过期、被撤销。谢谢您的帮助！',
    photo: '老人照片',
    note: '说明',
    tasks: '寻找任务',
    noTasks: '暂无寻找任务',
    accept: '接受任务',
    accepted: '已接受',
    taskGone: '任务已结束',
    signIn: '登录',
    username: '用户名',
    password: '密码',
    badLogin: '用户名或密码不正确',
    notResponder: '此页面仅供社区响应人员使用',
    left_safe_zone: '离开安全区域',
    found_report: '有人发现',
    lang: 'English',
  },
  en: {
    title: 'Help find a person who may be lost',
    intro:
      'This person may be lost and confused. Please help look for them; when you find them, stay with them and call the care centre or 110.',
    since: 'Missing since',
    updated: 'Position at',
    validUntil: 'Link valid until',
    noPosition: 'No position yet, please wait',
    gone: 'This link no longer works',
    goneDetail: 'The person may have been found, or the link expired or was revoked. Thank you for helping!',
    photo: 'Photo',
    note: 'Note',
    tasks: 'Search tasks',
    noTasks: 'No search tasks',
    accept: 'Accept',
    accepted: 'Accepted',
    taskGone: 'The task is over',
    signIn: 'Sign in',
    username: 'Username',
    password: 'Password',
    badLogin: 'Wrong username or password',
    notResponder: 'This page is for community responders',
    left_safe_zone: 'Left the safe area',
    found_report: 'Reported found',
    lang: '中文',
  },
}

export const w = (key) => WORDS[language()][key] ?? key

/** Fills every [data-w] element with its word in the current language. */
export function fillWords() {
  document.documentElement.lang = language() === 'zh' ? 'zh-CN' : 'en'
  for (const el of document.querySelectorAll('[data-w]')) el.textContent = w(el.dataset.w)
}

export const time = (ms) =>
  new Date(ms).toLocaleString(language() === 'zh' ? 'zh-CN' : 'en-GB', {
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })
