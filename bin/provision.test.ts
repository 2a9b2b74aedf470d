// The provisioning commands' argument checks, before any database is opened.
import { describe, expect, it } from 'vitest'
import { UsageError, parseProvision } from './provision.ts'

describe('centre add --duty-phone', () => {
  it('when the duty number is not a phone number, then the command stops with a clear usage error', async () => {
    await expect(parseProvision(['centre', 'add', '--name', 'Linzi', '--duty-phone', 'ring us'])).rejects.toThrow(
      UsageError,
    )
  })

  it('when it is a landline or a mobile, then the command is accepted', async () => {
    for (const phone of ['0533-2345678', '13800138000', '+8613800138000']) {
      expect(typeof (await parseProvision(['centre', 'add', '--name', 'Linzi', '--duty-phone', phone]))).toBe(
        'function',
      )
    }
  })
})
