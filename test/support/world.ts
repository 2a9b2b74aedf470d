// The usual start of an integration test file: a service on free ports with its own embedded
// database and the small world of fixtures.ts in it, stopped after the file's tests.
import { afterAll, beforeAll } from 'vitest'
import type { Service } from '../../bin/service.ts'
import { provisionWorld } from './fixtures.ts'
import { startTestService } from './service.ts'

export type World = Awaited<ReturnType<typeof provisionWorld>>

/** Registers beforeAll/afterAll; `ready` receives the running service and its world. */
export function useServiceWithWorld(
  ready: (service: Service, world: World) => void,
  env: Record<string, string> = {},
): void {
  let service: Service | undefined
  beforeAll(async () => {
    service = await startTestService(env)
    ready(service, await provisionWorld(service.db))
  })
  afterAll(() => service?.stop())
}
