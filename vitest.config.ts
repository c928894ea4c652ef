import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/react/**', 'test/server/**'],
          environment: 'node',
        },
      },
      {
        // The reference server against memory, PGlite and a real PostgreSQL (DATABASE_URL, or a
        // throwaway cluster the global setup starts on loopback).
        extends: true,
        test: {
          name: 'server',
          include: ['test/server/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/server/postgres.global-setup.ts'],
          // PGlite takes a few seconds to boot per test file.
          hookTimeout: 60_000,
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'react',
          include: ['test/react/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
        },
      },
      {
        // Browser end-to-end: the music-clip wizard example in Debian's Chromium (playwright-core),
        // against its server on PGlite. One file at a time, after the other projects: each file
        // runs a browser and a database of its own.
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
