// Checking a value against a contract's TypeBox schema, and saying what is wrong in one line that
// names the field ("shape.radiusM must be within 10..50000"). The same words whether the check ran
// in AJV (fastify's request validation) or in TypeBox (a part checking a value it was handed):
// both report errors of the same shape.
import type { TSchema, Static } from 'typebox'
import { Value } from 'typebox/value'

/** One schema error, as AJV and TypeBox both report it. */
export interface SchemaError {
  keyword: string
  instancePath: string
  schemaPath: string
  params: Record<string, unknown>
  message?: string
  /** AJV with `verbose`: the schema holding the failed keyword. */
  parentSchema?: unknown
}

export type SchemaCheck<T> = { ok: true; value: T } | { ok: false; error: string }

/** The value if it matches the schema; otherwise the first problem, named by its field under `root`. */
export function checkAgainst<S extends TSchema>(schema: S, value: unknown, root = ''): SchemaCheck<Static<S>> {
  if (Value.Check(schema, value)) return { ok: true, value: value as Static<S> }
  return { ok: false, error: describeErrors(errorsOf(schema, value), root, schema) }
}

function errorsOf(schema: TSchema, value: unknown): SchemaError[] {
  const branches = (schema as { anyOf?: TSchema[] }).anyOf
  if (!branches) return [...Value.Errors(schema, value)] as SchemaError[]
  // A union: each branch on its own, so a long list from one branch cannot crowd out another's
  // (TypeBox stops at a few errors).
  return branches.flatMap((b, i) =>
    [...Value.Errors(b, value)].map((e) => ({ ...e, schemaPath: e.schemaPath.replace(/^#/, `#/anyOf/${i}`) })),
  ) as SchemaError[]
}

/**
 * Options for a union member told apart by a constant property (`type`, `cmd`): the tag is
 * checked before anything else. AJV checks `required` before `properties` and stops a member at
 * its first error, so without this a line string would be told it lacks a circle's centre.
 */
export const tagFirst = (key: string, value: string) => ({
  allOf: [{ properties: { [key]: { const: value } } }],
})

/**
 * The most telling error in words. In a union, members whose tag (a `const` such as `type` or
 * `cmd`) does not match are dropped, then those that miss a key or have one they must not (unless
 * that leaves none); of the rest, the error deepest in the value wins (the first on a tie), so a
 * circle with a bad radius is told about its radius, not that it is no polygon.
 */
export function describeErrors(errors: readonly SchemaError[], root = '', schema?: unknown): string {
  // A name a `propertyNames` rule refuses: TypeBox reports it twice (the name, then the object).
  const real = errors.filter(
    (e) => !['anyOf', 'oneOf'].includes(e.keyword) && !(e.keyword === 'enum' && e.schemaPath.endsWith('propertyNames')),
  )
  const wrongTag = new Set(real.filter((e) => e.keyword === 'const').map((e) => branchOf(e.schemaPath)))
  wrongTag.delete(undefined)
  const tagged = real.filter((e) => !wrongTag.has(branchOf(e.schemaPath)))
  // A member that misses a key it needs, or has one it must not, is a worse match than one that
  // only has a value out of bounds: {"cmd":"interval","s":2} is a plain interval with a short s.
  const misfit = new Set(
    tagged.filter((e) => e.keyword === 'required' || e.keyword === 'not').map((e) => branchOf(e.schemaPath)),
  )
  misfit.delete(undefined)
  const fitting = tagged.filter((e) => !misfit.has(branchOf(e.schemaPath)))
  const kept = fitting.length > 0 ? fitting : tagged
  const depth = (e: SchemaError) => e.instancePath.split('/').length
  const e = kept.reduce<SchemaError | undefined>((best, x) => (!best || depth(x) > depth(best) ? x : best), undefined)
  if (!e) {
    // Every branch had another tag: list the tags allowed.
    const tags = real.filter((x) => x.keyword === 'const')
    if (tags[0]) {
      const allowed = [...new Set(tags.map((x) => JSON.stringify(x.params.allowedValue)))].join(', ')
      return `${field(root, tags[0].instancePath)} must be one of ${allowed}`
    }
    return `${root || 'the input'} is not valid`
  }
  if (e.keyword === 'propertyNames') {
    const names = e.params.propertyName ?? (e.params.propertyNames as unknown[] | undefined)?.[0]
    const known = Object.keys((schemaAt(e, schema)?.properties as object | undefined) ?? {})
    const name = field(field(root, e.instancePath), `/${String(names)}`)
    return known.length ? `${name} is not one of ${known.join(', ')}` : `${name} is not allowed`
  }
  const at = schemaAt(e, schema)
  // A titled item of a tuple is named by its title: "shape.center latitude", not "shape.center[1]".
  const path = field(root, e.instancePath)
  const named = typeof at?.title === 'string' ? `${path.replace(/\[\d+\]$/, '')} ${at.title}` : path
  return `${named} ${words(e, at)}`
}

/** "#/anyOf/1/properties/s" → "#/anyOf/1": the union branch an error belongs to. */
function branchOf(schemaPath: string): string | undefined {
  return /^(.*\/(?:anyOf|oneOf)\/\d+)(?:\/|$)/.exec(schemaPath)?.[1]
}

/** "shape" + "/coordinates/0/2/1" → "shape.coordinates[0][2][1]". */
function field(root: string, instancePath: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
  let out = root
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p.slice(0, 40)}` : p.slice(0, 40)
  return out || 'the input'
}

/** The schema that holds the failed keyword: AJV's parentSchema, or found by the schema path. */
function schemaAt(e: SchemaError, root: unknown): Record<string, unknown> | undefined {
  if (e.parentSchema && typeof e.parentSchema === 'object') return e.parentSchema as Record<string, unknown>
  let at = root as Record<string, unknown> | undefined
  const path = e.schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)
  // AJV's paths end with the keyword, TypeBox's with the schema holding it.
  if (path.at(-1) === e.keyword) path.pop()
  for (const p of path) at = at && typeof at === 'object' ? (at[p] as Record<string, unknown>) : undefined
  return at && typeof at === 'object' ? at : undefined
}

function words(e: SchemaError, s: Record<string, unknown> | undefined): string {
  const range = (lo: unknown, hi: unknown) => (lo !== undefined && hi !== undefined ? `within ${lo}..${hi}` : undefined)
  switch (e.keyword) {
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const r = range(s?.minimum ?? s?.exclusiveMinimum, s?.maximum ?? s?.exclusiveMaximum)
      if (!r) return e.message ?? 'is out of range'
      return `must be ${s?.type === 'integer' ? 'a whole number' : 'a number'} ${r}`
    }
    case 'type': {
      const r = range(s?.minimum, s?.maximum)
      return `must be ${article(String(e.params.type))}${r ? ` ${r}` : ''}`
    }
    case 'required':
      return `needs "${String(e.params.missingProperty ?? (e.params.requiredProperties as unknown[] | undefined)?.[0])}"`
    case 'additionalProperties':
      return `may not have "${String(e.params.additionalProperty).slice(0, 30)}"`
    case 'pattern':
      return `must be ${typeof s?.description === 'string' ? s.description : `like ${String(e.params.pattern)}`}`
    case 'minItems':
    case 'maxItems': {
      const r = range(s?.minItems, s?.maxItems)
      if (r) return `must have ${r} items`
      return e.keyword === 'minItems'
        ? `must have at least ${s?.minItems ?? e.params.limit} items`
        : `must have at most ${s?.maxItems ?? e.params.limit} items`
    }
    case 'not':
      return 'may not be given here'
    default:
      return e.message ?? 'is not valid'
  }
}

function article(type: string): string {
  if (type === 'integer') return 'a whole number'
  if (type === 'array' || type === 'object') return `an ${type}`
  return `a ${type}`
}
