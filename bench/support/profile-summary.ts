// Summarises a V8 CPU profile (`node --cpu-prof`): self time by function and by package, so a
// profile can be read without a browser. The flame graph itself: open the .cpuprofile in Chrome
// DevTools (Performance) or speedscope.
//
//   tsx bench/support/profile-summary.ts FILE.cpuprofile [--top 30]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

const { values: v, positionals } = parseArgs({
  options: { top: { type: 'string', default: '30' } },
  allowPositionals: true,
})
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const selfUs = new Map<number, number>()
for (const [i, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
const totalUs = profile.endTime - profile.startTime

const where = (url: string) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (m) return m[1]!
  if (url.startsWith('node:')) return 'node core'
  const own = /\/(bin|ingest|geofence|dashboard|infra|simulator)\//.exec(url)
  return own ? `tongxing ${own[1]}` : url === '' ? '(V8, GC, idle)' : 'other'
}
const fn = new Map<string, number>()
const pkg = new Map<string, number>()
for (const [id, us] of selfUs) {
  const n = byId.get(id)!
  const name = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules\/)?/, '')}:${n.callFrame.lineNumber + 1}`
  fn.set(name, (fn.get(name) ?? 0) + us)
  pkg.set(where(n.callFrame.url), (pkg.get(where(n.callFrame.url)) ?? 0) + us)
}
const idle = [...selfUs]
  .filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)')
  .reduce((a, [, us]) => a + us, 0)
const pct = (us: number) => `${((us / totalUs) * 100).toFixed(1)} %`
console.log(`profile: ${(totalUs / 1e6).toFixed(1)} s, busy ${pct(totalUs - idle)} of one core`)
console.log('\nself time by package:')
for (const [k, us] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(us).padStart(7)}  ${k}`)
console.log('\nself time by function:')
for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, Number(v.top)))
  console.log(`  ${pct(us).padStart(7)}  ${k}`)
