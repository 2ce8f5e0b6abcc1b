// `npm run test:faults`: bounded fault tests (child processes, a private PostgreSQL cluster and
// nats-server on loopback). Not in the default suite: each takes tens of seconds.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/faults/**/*.fault.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
