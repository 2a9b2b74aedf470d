// A lookup cached for a while per key, with concurrent misses for one key sharing one call.
// For small facts read on every message that almost never change (when a band was provisioned).
export function cached<V>(
  load: (key: string) => Promise<V>,
  ttlMs: number,
  now: () => number = Date.now,
): (key: string) => Promise<V> {
  const entries = new Map<string, { at: number; value: Promise<V> }>()
  return (key) => {
    const hit = entries.get(key)
    if (hit && now() - hit.at < ttlMs) return hit.value
    const value = load(key)
    entries.set(key, { at: now(), value })
    value.catch(() => entries.delete(key)) // a failed lookup is not remembered
    return value
  }
}
