import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One throwaway PostgreSQL 15 for the run (skipped where it is not installed, required in CI).
    globalSetup: ['tests/setup/postgresServer.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

// Vitest loads the default export of its config file.
// eslint-disable-next-line no-restricted-syntax
export default config;
