// Which passwords a person may choose: long enough, not the username, and not guessable — judged by
// zxcvbn (a maintained strength estimator with common-password, name and keyboard-pattern
// dictionaries), as NIST SP 800-63B §3.1.1.2 asks: screen against common and context-specific
// passwords rather than impose composition rules. Applied wherever a password is set: the admin
// API, the import, invitations and the command line. Beside zxcvbn's English and common lists, a
// Chinese one (pinyin names and words, 520/1314 digits, cities: password-words-zh.ts).
import type { ZxcvbnFactory } from '@zxcvbn-ts/core'
import { ZH_DICTIONARY } from './password-words-zh.ts'

/** Fewer characters than this is too short for a password that guards people's whereabouts. */
export const MIN_PASSWORD_LENGTH = 10
/** zxcvbn's 0–4; 3 is "safely unguessable": about 10¹⁰ guesses, far beyond any online attack. */
const MIN_SCORE = 3
/** Words anyone would try first against this service. */
const CONTEXT = [
  'tongxing',
  'tong xing',
  '同行',
  'zibo',
  'dementia',
  'wristband',
  'admin',
  'staff',
  'family',
  'demo',
  'pass',
  'centre',
  'center',
  'care',
]

let estimator: Promise<ZxcvbnFactory> | undefined
// Loaded on first use: the dictionaries are large and only sign-up paths need them.
const load = () =>
  (estimator ??= (async () => {
    const [{ ZxcvbnFactory: Factory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ])
    return new Factory({
      dictionary: { ...common.dictionary, ...en.dictionary, ...ZH_DICTIONARY },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    })
  })())

/** Why this password may not be used for this username, or undefined when it may. */
export async function passwordProblem(username: string, password: string): Promise<string | undefined> {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`
  const lower = password.toLowerCase()
  const name = username.toLowerCase()
  if (lower === name || (name.length >= 3 && lower.includes(name))) return 'a password may not contain the username'
  const zxcvbn = await load()
  const context = [username, ...CONTEXT]
  // Judged as typed, and as its letters and digits alone: zxcvbn takes a separator-wrapped word
  // ("-demo-") for random characters, so `admin-demo-pass` or `Zibo@2024!!` would pass as typed.
  const skeleton = password.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '')
  const judged = [zxcvbn.check(password, context), ...(skeleton ? [zxcvbn.check(skeleton, context)] : [])]
  const weakest = judged.reduce((a, b) => (b.score < a.score ? b : a))
  if (weakest.score < MIN_SCORE) {
    const hint = weakest.feedback.warning ?? 'it is too easy to guess'
    return `this password is too easy to guess (${hint}); a few unrelated words make a strong one`
  }
  // Nothing but the username, this service's words and digits: guessed by anyone who knows the service.
  const last = judged.at(-1)!
  const ours = (m: (typeof last.sequence)[number]) =>
    (m.pattern === 'dictionary' && m.dictionaryName === 'userInputs') || !/\p{L}/u.test(m.token)
  if (last.sequence.every(ours)) {
    return 'a password may not be made only of the username, words of this service and digits'
  }
  return undefined
}
