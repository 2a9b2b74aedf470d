import { networkInterfaces } from 'node:os'
import { describe, expect, it } from 'vitest'
import { NotPublic, assertPublicHost, isPublicAddress, publicLookup } from './public-address.ts'

describe('where a push may go', () => {
  it('when an address is loopback, private, link-local or not an address, then it is not public; the rest is', () => {
    const notPublic = ['127.0.0.1', '10.1.2.3', '172.20.0.5', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0']
    const notPublic6 = ['::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'push.example.cn']
    // Documentation ranges (some private networks use them), and NAT64 and 6to4 addresses that lead to a private one.
    const special = [
      '192.0.2.2',
      '198.51.100.7',
      '203.0.113.9',
      '2001:db8::1',
      '64:ff9b::a00:1',
      '64:ff9b::10.0.0.1',
      '2002:a00:1::1',
    ]
    for (const ip of [...notPublic, ...notPublic6, ...special]) expect(isPublicAddress(ip), ip).toBe(false)
    for (const ip of [
      '8.8.8.8',
      '114.114.114.114',
      '203.119.26.1',
      '2400:3200::1',
      '::ffff:223.5.5.5',
      '64:ff9b::808:808',
    ])
      expect(isPublicAddress(ip), ip).toBe(true)
  })

  it("when an address is one of this host's own, then it is not public, whatever its range", () => {
    const own = Object.values(networkInterfaces())
      .flat()
      .map((a) => a!.address)
    for (const ip of own) expect(isPublicAddress(ip), ip).toBe(false)
    // A host with a public address of its own (as a server may have): a push there reaches the service.
    expect(isPublicAddress('8.8.8.8', new Set(['8.8.8.8']))).toBe(false)
    expect(isPublicAddress('64:ff9b::808:808', new Set(['8.8.8.8']))).toBe(false)
  })

  it('when an endpoint names this host or a private address, then it is refused before connecting; a public name is left to its lookup', () => {
    for (const url of [
      'https://127.0.0.1:8443/p',
      'https://localhost/p',
      'https://[::1]/p',
      'https://10.0.0.8/p',
      'https://a.localhost/p',
    ])
      expect(() => assertPublicHost(new URL(url)), url).toThrow(NotPublic)
    expect(() => assertPublicHost(new URL('https://fcm.googleapis.com/fcm/send/x'))).not.toThrow()
    expect(() => assertPublicHost(new URL('https://8.8.8.8/x'))).not.toThrow()
  })

  it('when a name resolves to this host, then the lookup refuses it', async () => {
    const err = await new Promise<unknown>((resolve) => publicLookup('localhost', {}, (e) => resolve(e)))
    expect(err).toBeInstanceOf(NotPublic)
  })
})
