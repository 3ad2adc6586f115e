import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    // One throwaway PostgreSQL 15 for the run (skipped where it is not installed, required in CI).
    globalSetup: ['tests/setup/postgresServer.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'default', include: ['tests/**/*.test.ts'] } },
      // The end-to-end suite once more on the real PostgreSQL 15 (tests/helpers/database.ts).
      { extends: true, test: { name: 'e2e-postgres', include: ['tests/e2e/**/*.test.ts', 'tests/integration/worker-late-writes.test.ts'], env: { DATABASE: 'postgres' } } },
    ],
  },
});

// Vitest loads the default export of its config file.
// eslint-disable-next-line no-restricted-syntax
export default config;
