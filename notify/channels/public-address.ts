// Where a push may go: Web Push endpoints come from family members' browsers, so an account could
// name any URL, the service's own host and its private network included, and have the service post
// to it. A push goes only to addresses on the public internet: an address literal is checked before
// connecting, and a name where it resolves (the check is at connect time, so a name that resolves
// to a public address when registered and a private one later is refused too).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { networkInterfaces } from 'node:os'

const NOT_PUBLIC = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24], // documentation ranges, which some private networks use
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3], // multicast and reserved
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of [
  ['::', 127], // unspecified and loopback
  ['64:ff9b:1::', 48], // local-use NAT64
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6')

/** The IPv4 address inside a NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address, which is where it leads. */
function embeddedIPv4(ip: string): string | undefined {
  const groups = expand(ip)
  if (!groups) return undefined
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0))
    return v4(groups[6]!, groups[7]!)
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!)
  return undefined
}

/** An IPv6 address as its eight 16-bit groups (an IPv4 tail is read as the last two). */
function expand(ip: string): number[] | undefined {
  let text = ip
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, rest] = text.split('::') as [string, string | undefined]
  const part = (t: string | undefined) => (t ? t.split(':').map((g) => Number.parseInt(g, 16)) : [])
  const h = part(head)
  const r = part(rest)
  const groups = rest === undefined ? h : [...h, ...Array(8 - h.length - r.length).fill(0), ...r]
  return groups.length === 8 ? groups : undefined
}

/** This host's own addresses: a push there would reach the service itself, whatever its range. */
const ownAddresses = () =>
  new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((a) => a?.address),
  )

/**
 * Whether an IP address is on the public internet and not this host's: IPv4-mapped, NAT64 and 6to4
 * addresses are judged by the IPv4 address they lead to.
 */
export function isPublicAddress(ip: string, own: ReadonlySet<string | undefined> = ownAddresses()): boolean {
  const family = isIP(ip)
  if (family === 0 || own.has(ip)) return false
  if (NOT_PUBLIC.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return false
  const v4 = family === 6 ? embeddedIPv4(ip) : undefined
  return v4 === undefined || isPublicAddress(v4, own)
}

/** Raised, before anything is sent, for an endpoint that is not on the public internet. */
export class NotPublic extends Error {
  readonly code = 'ENOTPUBLIC'
  constructor(host: string) {
    super(`${host} is not on the public internet`)
  }
}

/** Checks a URL's host when it is an address; a name is checked by publicLookup when it resolves. */
export function assertPublicHost(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && !isPublicAddress(host)))
    throw new NotPublic(host)
}

/** dns.lookup that fails for a name resolving to any address not on the public internet. */
export const publicLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0)
    const refused = addresses.find((a) => !isPublicAddress(a.address))
    if (refused || addresses.length === 0) return callback(new NotPublic(hostname), '', 0)
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses)
    callback(null, addresses[0]!.address, addresses[0]!.family)
  })
}
