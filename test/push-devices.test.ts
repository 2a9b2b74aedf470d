// An account's push devices on every database backend: registrations sent all at once (a script,
// not a browser) keep no more than the newest ten between them.
import { describe, expect, it } from 'vitest'
import { insertUser } from '../dashboard/index.ts'
import { createLogger, migrate } from '../infra/index.ts'
import { addSubscription } from '../notify/index.ts'
import { BACKENDS, useDatabase } from './support/databases.ts'

for (const backend of BACKENDS) {
  describe(`push devices on ${backend.name}`, () => {
    const db = useDatabase(backend)

    it('when forty registrations of one account arrive at once, then ten devices are kept', async () => {
      await migrate(db(), createLogger('silent'))
      const user = Number(await insertUser(db(), { username: 'family-many', password: 'x'.repeat(16), role: 'family' }))
      await Promise.all(
        Array.from({ length: 40 }, (_, n) =>
          addSubscription(db(), user, {
            endpoint: `https://push.example.cn/send/at-once-${n}`,
            p256dh: 'B'.repeat(87),
            auth: 'a'.repeat(22),
          }),
        ),
      )
      const kept = await db().query<{ n: number }>(
        'SELECT count(*)::int AS n FROM push_subscriptions WHERE user_id = $1',
        [user],
      )
      expect(kept.rows[0]!.n).toBe(10)
    })
  })
}
