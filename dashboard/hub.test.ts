// The hub with sockets that only record what they are sent: scope, and slow clients.
import { describe, expect, it } from 'vitest'
import type { Alert } from '../geofence/index.ts'
import {
  POSITION_HOLD_MS,
  SESSION_OVER_CODE,
  SLOW_CLIENT_BYTES,
  STALLED_CLIENT_BYTES,
  createHub,
  type HubSocket,
} from './hub.ts'
import type { Viewer } from './scope.ts'

const position = { bandId: 'b1', residentId: 1, fixTime: 0, lat: 36.8, lon: 118, acc: 10, batt: 80 }

function socket(bufferedAmount = 0) {
  const sent: string[] = []
  let terminated = false
  let closedWith: number | undefined
  const s: HubSocket & { sent: string[]; terminated: () => boolean; closedWith: () => number | undefined } = {
    readyState: 1,
    bufferedAmount,
    sent,
    terminated: () => terminated,
    closedWith: () => closedWith,
    send: (d) => {
      sent.push(JSON.parse(d).type as string)
    },
    ping: () => {},
    terminate: () => {
      terminated = true
    },
    close: (code) => {
      closedWith = code
    },
    on: () => s,
  }
  return s
}
const staff = (centre: number): Viewer => ({
  userId: centre,
  role: 'staff',
  careCentreId: centre,
  residentIds: new Set(),
})
const about = { residentId: 7, careCentreId: 1 }
const alert = { id: 1, residentId: 7, careCentreId: 1 } as Alert

describe('hub', () => {
  it('when a message concerns a resident, then only sockets whose viewer may see the resident get it', () => {
    const hub = createHub({ keepAliveMs: 60_000 })
    const mine = socket(),
      theirs = socket()
    hub.add(mine, staff(1))
    hub.add(theirs, staff(2))
    hub.publish('position', { position }, about)
    hub.publishAlert({ change: 'opened', alert })
    expect(mine.sent).toEqual(['position', 'alert'])
    expect(theirs.sent).toEqual([])
    hub.closeAll()
  })

  it('when a client falls behind, then it gets no positions but still every alert; far behind, it is cut off to resume later', () => {
    const hub = createHub({ keepAliveMs: 60_000 })
    const slow = socket(SLOW_CLIENT_BYTES + 1),
      stalled = socket(STALLED_CLIENT_BYTES + 1),
      quick = socket()
    for (const s of [slow, stalled, quick]) hub.add(s, staff(1))
    hub.publish('position', { position }, about)
    hub.publishAlert({ change: 'opened', alert })
    expect(slow.sent).toEqual(['alert'])
    expect(quick.sent).toEqual(['position', 'alert'])
    expect(stalled.terminated()).toBe(true)
    expect(hub.size()).toBe(2)
    hub.closeAll()
  })

  it('when keep-alive time comes, then each socket gets a ping and a keepalive message it can see; one that never answered is dropped', async () => {
    const hub = createHub({ keepAliveMs: 20 })
    const s = socket()
    hub.add(s, staff(1))
    await new Promise((r) => setTimeout(r, 30))
    expect(s.sent).toEqual(['keepalive'])
    await new Promise((r) => setTimeout(r, 25)) // no pong came back
    expect(s.terminated()).toBe(true)
    expect(hub.size()).toBe(0)
    hub.closeAll()
  })

  it("when positions stream, then each socket's go out together after a moment; an alert goes at once and takes the held positions before it", async () => {
    const hub = createHub({ keepAliveMs: 60_000 })
    const s = socket()
    // A connection that records what reached the network: writes while corked wait for uncork.
    let corks = 0
    const wire = {
      cork: () => {
        corks++
      },
      uncork: () => {
        corks--
        if (corks === 0) flushed.push(...s.sent.splice(0))
      },
    }
    const flushed: string[] = []
    const send = s.send
    s.send = (d) => {
      send(d)
      if (corks === 0) flushed.push(...s.sent.splice(0))
    }
    hub.add(s, staff(1), wire)
    hub.publish('position', { position }, about)
    hub.publish('position', { position }, about)
    expect(flushed).toEqual([])
    await new Promise((r) => setTimeout(r, POSITION_HOLD_MS + 20))
    expect(flushed).toEqual(['position', 'position'])
    hub.publish('position', { position }, about)
    hub.publishAlert({ change: 'opened', alert })
    expect(flushed).toEqual(['position', 'position', 'position', 'alert'])
    expect(corks).toBe(0)
    hub.closeAll()
  })

  const session = { key: 'ab', expiresAt: Date.now() + 60_000 }

  it("when a socket's session is over, then the client is told why, the socket closed; nothing more is sent", () => {
    const hub = createHub({ keepAliveMs: 60_000 })
    const s = socket()
    hub.add(s, staff(1), undefined, session)
    expect(hub.connections()).toEqual([{ socket: s, viewer: staff(1), session }])
    hub.end(s, 'ended')
    hub.publishAlert({ change: 'opened', alert })
    expect(s.sent).toEqual(['session'])
    expect(s.closedWith()).toBe(SESSION_OVER_CODE)
    expect(hub.connections()).toEqual([])
    hub.closeAll()
  })

  it("when a viewer's access changes, then later messages follow the new scope and the client is told once", () => {
    const hub = createHub({ keepAliveMs: 60_000 })
    const s = socket()
    hub.add(s, staff(1), undefined, session)
    expect(hub.rescope(s, staff(1), session)).toBe(false)
    expect(hub.rescope(s, staff(2), session)).toBe(true)
    hub.publishAlert({ change: 'opened', alert })
    hub.publish('position', { position }, { residentId: 8, careCentreId: 2 })
    expect(s.sent).toEqual(['scope', 'position'])
    hub.closeAll()
  })
})
