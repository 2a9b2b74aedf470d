// What a service process's resident memory is made of, read from outside it: /proc/PID/smaps for
// the mappings, and the service's own /metrics (prom-client's default Node metrics) for V8's heap.
//
//   wasm     PGlite's WASM linear memory (PostgreSQL's heap, its shared_buffers, its catalogue caches):
//            the read-write part of V8's reservation of gigabytes for a WASM memory
//   v8       V8's JavaScript heap, committed (used in brackets), from nodejs_heap_size_*_bytes
//   malloc   the main malloc arena ([heap]); thread arenas and the rest are in `other`
//   files    file-backed mappings: Node's binary, shared libraries
//   other    the rest: malloc's thread arenas, WASM and JS compiled code, Buffers outside the heap
import { readFileSync } from 'node:fs'
import { metricTotal } from './bench.ts'

export interface MemoryParts {
  rssMb: number
  wasmMb: number
  v8UsedMb: number
  v8TotalMb: number
  /** Memory V8 is told about outside its heap (Buffers, ArrayBuffers), already in malloc/other. */
  externalMb: number
  mallocMb: number
  filesMb: number
  otherMb: number
}

const MB = 1024 * 1024
/** A WASM memory reserves 8 GB and more of address space, inaccessible past what it has grown to. */
const WASM_GUARD_KB = 4 * 1024 * 1024

interface Mapping {
  start: bigint
  end: bigint
  perms: string
  name: string
  sizeKb: number
  rssKb: number
}

function mappings(pid: number): Mapping[] {
  const out: Mapping[] = []
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (head) {
      out.push({
        start: BigInt(`0x${head[1]}`),
        end: BigInt(`0x${head[2]}`),
        perms: head[3]!,
        name: head[4]!,
        sizeKb: 0,
        rssKb: 0,
      })
    } else if (line.startsWith('Size:')) out.at(-1)!.sizeKb = Number(line.split(/\s+/)[1])
    else if (line.startsWith('Rss:')) out.at(-1)!.rssKb = Number(line.split(/\s+/)[1])
  }
  return out
}

function smaps(pid: number) {
  const out = { rssKb: 0, wasmKb: 0, mallocKb: 0, filesKb: 0 }
  const maps = mappings(pid)
  maps.forEach((m, i) => {
    out.rssKb += m.rssKb
    const next = maps[i + 1]
    if (m.name === '[heap]') out.mallocKb += m.rssKb
    else if (m.name.startsWith('/')) out.filesKb += m.rssKb
    // The memory's grown part: read-write, directly followed by the rest of its reservation.
    else if (
      m.name === '' &&
      m.perms.startsWith('rw') &&
      next?.start === m.end &&
      next.perms.startsWith('---') &&
      next.sizeKb >= WASM_GUARD_KB
    )
      out.wasmKb += m.rssKb
  })
  return out
}

/** NaN when the service does not export it, so a missing part shows rather than reads as 0. */
const metric = (text: string, name: string): number => metricTotal(text, name) ?? Number.NaN

/** The parts of `pid`'s resident memory now; `metricsUrl` is its /metrics. */
export async function memoryParts(pid: number, metricsUrl: string): Promise<MemoryParts> {
  const text = await (await fetch(metricsUrl)).text()
  const m = smaps(pid)
  const v8Total = metric(text, 'nodejs_heap_size_total_bytes') / MB
  const mb = (kb: number) => kb / 1024
  return {
    rssMb: mb(m.rssKb),
    wasmMb: mb(m.wasmKb),
    v8UsedMb: metric(text, 'nodejs_heap_size_used_bytes') / MB,
    v8TotalMb: v8Total,
    externalMb: metric(text, 'nodejs_external_memory_bytes') / MB,
    mallocMb: mb(m.mallocKb),
    filesMb: mb(m.filesKb),
    otherMb: mb(m.rssKb - m.wasmKb - m.mallocKb - m.filesKb) - v8Total,
  }
}

/** One line: `RSS = wasm + v8 (used) + malloc + files + other`, MB. */
export function formatParts(p: MemoryParts): string {
  const f = (x: number) => x.toFixed(0)
  return `${f(p.rssMb)} = wasm ${f(p.wasmMb)} + v8 ${f(p.v8TotalMb)} (${f(p.v8UsedMb)} used) + malloc ${f(p.mallocMb)} + files ${f(p.filesMb)} + other ${f(p.otherMb)} (external ${f(p.externalMb)})`
}
