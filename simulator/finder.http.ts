// The simulator plays a finder (issue 19): a stranger meets a lost wearer, scans the QR code on
// their band, opens the page and shares a position a few metres from the band's. The card's URL is
// read the way a care centre prints it (the code's link, as an admin); everything after is what a
// stranger's phone does, without sign-in.
import { offset } from './geo.ts'
import type { Rng } from './random.ts'
import type { ServiceClient } from './service-client.http.ts'

export interface FinderRun {
  bandId: string
  url: string
  /** What the page said to call. */
  call: { kind: string; number: string }
  sent: { lat: number; lon: number; acc: number } | null
  status: number
}

type Band = { bandId: string; position: { lat: number; lon: number } | null }

export async function playFinder(admin: ServiceClient, bandId: string, rng: Rng, note: string): Promise<FinderRun> {
  const { url } = (await admin.get(`/api/bands/${encodeURIComponent(bandId)}/found-qr?format=link`)) as { url: string }
  const { bands } = (await admin.get('/api/bands')) as { bands: Band[] }
  const at = bands.find((b) => b.bandId === bandId)?.position ?? null
  // The stranger's phone, not the card's host: the page and its API on the service being tested.
  const path = new URL(url).pathname
  const token = path.split('/').pop()!
  const page = await fetch(`${admin.baseUrl}${path}`)
  if (!page.ok) throw new Error(`the found-me page answered HTTP ${page.status}`)
  const call = ((await (await fetch(`${admin.baseUrl}/api/found/${token}`)).json()) as { call: FinderRun['call'] }).call
  // Standing beside the wearer: within 20 m, with a phone's 10–30 m accuracy.
  const sent = at && {
    ...offset(at, rng.uniform(-20, 20), rng.uniform(-20, 20)),
    acc: rng.int(10, 30),
  }
  const r = await fetch(`${admin.baseUrl}/api/found/${token}/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...(sent ?? {}), note }),
  })
  return { bandId, url, call, sent, status: r.status }
}
