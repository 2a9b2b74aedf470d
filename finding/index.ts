// finding/: finding a lost wearer (issue 19). Part A: the "found me" QR code on every band, a
// finder's report raising a found_report alert, and how each wander ended (outcomes).
export { foundUrl, isFoundToken, newFoundToken } from './found-token.ts'
export { foundPage, type FoundPage, type TokenFacts, type TokenStatus } from './found-page.ts'
export { centreBands, setFoundDisplayName } from './found-settings.pg.ts'
export { liveToken, revokeToken, rotateToken, tokenFacts } from './found-tokens.pg.ts'
export {
  REPORT_WINDOW_MS,
  REPORTS_PER_SENDER,
  REPORTS_PER_TOKEN,
  positionProblem,
  type FinderReport,
} from './found-report.ts'
export { recentReports, recordView, senderOf, submitReport } from './found-reports.pg.ts'
export { qrPng, qrSvg, sheetHtml, type SheetCard } from './qr-codes.ts'
export { FOUND_BY, makeOutcome, summarize, type FoundBy, type Outcome, type OutcomeSummary } from './outcome.ts'
export { outcomeRows, recordOutcome } from './outcomes.pg.ts'
// Part B: search links and nearby responders.
export {
  SEARCHABLE_KINDS,
  isSearchable,
  linkMinutes,
  linkState,
  type LinkLimits,
  type LinkState,
} from './search-link.ts'
export {
  createLink,
  listLinks,
  linkAlertId,
  revokeLink,
  linkForToken,
  recordOpen,
  type SearchLink,
} from './search-link.pg.ts'
export { checkPhoto, PHOTO_MAX_BYTES, PHOTO_TYPES } from './search-link-photo.ts'
export { trailSince, savePhoto, deletePhoto, photoOf, hasPhoto, type TrailPoint } from './search-link-view.pg.ts'
export { checkResponderSettings, isAvailable, respondersFor, type ResponderProfile } from './responder.ts'
export {
  saveResponderProfile,
  listResponders,
  offerToResponders,
  openTasksOf,
  openTask,
  acceptTask,
  type ResponderTask,
  type TaskTarget,
} from './responder.pg.ts'
