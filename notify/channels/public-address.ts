// Where a push may go: Web Push endpoints come from family members' browsers, so an account could
// name any URL, the service's own host and its private network included, and have the service post
// to it. A push goes only to addresses on the public internet: an address literal is checked before
// connecting, and a name where it resolves (the check is at connect time, so a name that resolves
// to a public address when registered and a private one later is refused too).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'

const NOT_PUBLIC = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3], // multicast and reserved
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of [
  ['::', 127], // unspecified and loopback
  ['64:ff9b:1::', 48],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6')

/** Whether an IP address is on the public internet (IPv4-mapped IPv6 is judged as its IPv4). */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip)
  if (family === 0) return false
  return !NOT_PUBLIC.check(ip, family === 4 ? 'ipv4' : 'ipv6')
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
