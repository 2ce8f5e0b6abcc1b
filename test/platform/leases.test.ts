// Job leases: one holder at a time, expiry on the database clock, fencing tokens, hand-over.
// Holding is shown with leases far longer than any stall of a loaded machine; expiry with a lease
// of 1 ms that the test waits out on the database's clock (polling, not sleeping).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeases, type Leases, runLeased } from '../../src/platform/leases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

const LONG = 60_000;

describe('job leases', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('grants a lease to one holder until it expires, then to another with a higher fencing token', async () => {
    const leases = createLeases(t.db);
    const first = await leases.acquire('test.one', 'node-a', LONG);
    expect(first).not.toBeNull();
    expect(await leases.acquire('test.one', 'node-b', LONG)).toBeNull();
    // Renewal by the holder keeps the token (this one runs out after 1 ms).
    expect(await leases.acquire('test.one', 'node-a', 1)).toBe(first);
    const second = await waitFor('the lease to expire', () => leases.acquire('test.one', 'node-b', LONG));
    expect(second).toBe(first! + 1);
    expect(await leases.acquire('test.one', 'node-a', LONG)).toBeNull();
    await leases.release('test.one', 'node-b');
    expect(await leases.acquire('test.one', 'node-a', LONG)).toBe(second! + 1);
  });

  it('runs a leased job on exactly one of two nodes and hands it over when that node stops', async () => {
    // Every answer the nodes got, to wait for "b has asked and was refused" instead of sleeping.
    const answers: Array<[string, number | null]> = [];
    const base = createLeases(t.db);
    const leases: Leases = {
      async acquire(name, holder, ttlMs) {
        const token = await base.acquire(name, holder, ttlMs);
        answers.push([holder, token]);
        return token;
      },
      release: base.release,
    };
    const log: string[] = [];
    // Renewed every 2 s; another node can take it over only after 6 s without a renewal.
    const job = (holder: string) =>
      runLeased({
        leases,
        name: 'test.job',
        holder,
        ttlMs: 6_000,
        onAcquired: () => void log.push(`start ${holder}`),
        onLost: () => void log.push(`stop ${holder}`),
      });
    const a = job('a');
    await waitFor('a to hold the lease', () => a.held());
    const b = job('b');
    await waitFor('b to be refused', () => answers.some(([h, token]) => h === 'b' && token === null));
    expect([a.held(), b.held()]).toEqual([true, false]);
    expect(log).toEqual(['start a']);
    await a.stop();
    await waitFor('b to take over', () => b.held());
    expect(log).toEqual(['start a', 'stop a', 'start b']);
    await b.stop();
  });
});
