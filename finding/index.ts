// finding/: helping people find a resident who wandered — search links and nearby responders (issue 19).
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
