import { defineConfig } from 'vitest/config'

// Two projects: `unit` (pure logic beside its code, no database, broker or browser; seconds) and
// `integration` (test/: the whole service over real sockets). `npm test` runs both, as CI does.
export default defineConfig({
  test: {
    exclude: ['node_modules/**', 'data/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start brokers and databases; two cores, so keep it modest.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{bench,bin,dashboard,finding,geofence,infra,ingest,notify,simulator}/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], globalSetup: ['test/support/pglite-template.ts'] },
      },
    ],
  },
})
