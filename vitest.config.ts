import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tools/**/*.test.ts', 'test/integration/**/*.test.ts'],
    // Two cores, and the integration tests start servers, clients and model sessions of their own: running
    // files one at a time keeps their timing far from every timeout.
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
