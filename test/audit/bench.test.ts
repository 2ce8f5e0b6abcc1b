// Keeps benchAudit runnable (small sizes); the real numbers come from running it directly.
import { describe, expect, it } from 'vitest';
import { benchAudit } from '../../bench/audit.ts';
import { testDbKind } from '../helpers/db.ts';

describe(`audit bench (${testDbKind})`, () => {
  it('runs at small sizes and verifies what it seeded', async () => {
    const r = (await benchAudit({ memoryEvents: 2000, dbEvents: 1500, appendWrites: 10 })) as {
      verifyInMemory: { events: number };
      verifyDatabase: { events: number };
      append: { appendCostMs: number };
    };
    expect(r.verifyInMemory.events).toBe(2000);
    expect(r.verifyDatabase.events).toBe(1500);
    expect(typeof r.append.appendCostMs).toBe('number');
  });
});
