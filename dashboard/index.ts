// dashboard/: the HTTP API, users, roles and sessions, the WebSocket hub.
// Knows nothing of payload bytes or broker internals.
export { buildApp, buildOpsApp, type AppDeps } from './app.ts'
export { createHub, type Hub } from './hub.ts'
export { busHub, EVENTS_CHANNEL } from './bus-hub.ts'
export { watchAccess, ACCESS_CHANNEL, type AccessWatch } from './access-watch.ts'
export { canSee, type Viewer, type Role } from './scope.ts'
export { insertCareCentre, insertResident, insertUser, type NewUser } from './people.pg.ts'
export { DUTY_PHONE_PATTERN, setDutyPhone } from './family.pg.ts'
export { MIN_PASSWORD_LENGTH, passwordProblem } from './password-policy.ts'
