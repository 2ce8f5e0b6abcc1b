// Job leases: one holder at a time, expiry on the database clock, fencing tokens, hand-over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeases, runLeased } from '../../src/platform/leases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    const first = await leases.acquire('test.one', 'node-a', 300);
    expect(first).not.toBeNull();
    expect(await leases.acquire('test.one', 'node-b', 300)).toBeNull();
    // Renewal by the holder keeps the token.
    expect(await leases.acquire('test.one', 'node-a', 300)).toBe(first);
    await sleep(400);
    const second = await leases.acquire('test.one', 'node-b', 300);
    expect(second).toBe(first! + 1);
    expect(await leases.acquire('test.one', 'node-a', 300)).toBeNull();
    await leases.release('test.one', 'node-b');
    expect(await leases.acquire('test.one', 'node-a', 300)).toBe(second! + 1);
  });

  it('runs a leased job on exactly one of two nodes and hands it over when that node stops', async () => {
    const leases = createLeases(t.db);
    const log: string[] = [];
    const job = (holder: string) =>
      runLeased({
        leases,
        name: 'test.job',
        holder,
        ttlMs: 600,
        onAcquired: () => void log.push(`start ${holder}`),
        onLost: () => void log.push(`stop ${holder}`),
      });
    const a = job('a');
    await sleep(100);
    const b = job('b');
    await sleep(500);
    expect([a.held(), b.held()]).toEqual([true, false]);
    expect(log).toEqual(['start a']);
    await a.stop();
    await sleep(500);
    expect(b.held()).toBe(true);
    expect(log).toEqual(['start a', 'stop a', 'start b']);
    await b.stop();
  });
});
