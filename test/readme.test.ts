// The README's configuration table is the documentation of every key: it must list each key
// the service reads, with the default the code uses, and nothing else.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CONFIG_KEYS, configTableText } from '../infra/index.ts'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const rows = [...readme.matchAll(/^\| `([A-Z0-9_]+)` \| (?:`([^`]*)`|\(empty\)) \|/gm)].map((m) => [m[1], m[2] ?? ''])

describe('README configuration table', () => {
  it('when the service reads a key, then the README lists it with the same default, and lists no other key', () => {
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(Object.entries(CONFIG_KEYS).map(([k, v]) => [k, v.default])),
    )
  })
  it('when the configuration changes, then the README carries the generated table (`tongxing config-table`)', () => {
    expect(readme).toContain(configTableText())
  })
})
