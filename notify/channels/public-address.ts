// Where a push may go: Web Push endpoints come from family members' browsers, so an account could
// name any URL, the service's own host and its private network included, and have the service post
// to it. A push goes only to addresses on the public internet: an address literal is checked before
// connecting, and a name where it resolves (the check is at connect time, so a name that resolves
// to a public address when registered and a private one later is refused too).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import { networkInterfaces } from 'node:os'
import ipaddr from 'ipaddr.js'

/** This host's own addresses: a push there would reach the service itself, whatever its range. */
const ownAddresses = () =>
  new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((a) => (a ? ipaddr.process(a.address).toString() : undefined)),
  )

const NAT64 = ipaddr.parseCIDR('64:ff9b::/96')

/**
 * Whether an IP address is on the public internet (ipaddr.js's "unicast": not private, loopback,
 * link-local, shared, documentation or reserved) and not this host's. IPv4-mapped, NAT64 and 6to4
 * addresses are judged by the IPv4 address they lead to.
 */
export function isPublicAddress(ip: string, own: ReadonlySet<string | undefined> = ownAddresses()): boolean {
  if (isIP(ip) === 0) return false
  const addr = ipaddr.process(ip)
  if (own.has(addr.toString())) return false
  const range = addr.range()
  if (range === 'unicast') return true
  if (addr.kind() !== 'ipv6') return false
  const parts = (addr as ipaddr.IPv6).parts
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
  if (range === 'rfc6052' && addr.match(NAT64)) return isPublicAddress(v4(parts[6]!, parts[7]!), own)
  if (range === '6to4') return isPublicAddress(v4(parts[1]!, parts[2]!), own)
  return false
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
