// All events about a set of resources, in pages of index order (issue 33): every page boundary
// continues where the last one stopped, nothing of another resource or tenant comes along, and
// the result is in chain order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKind } from '../helpers/db.ts';
import { readEvent, setupAudit } from './helpers.ts';

describe(`audit events of several resources (${testDbKind})`, () => {
  let env: Awaited<ReturnType<typeof setupAudit>>;
  beforeAll(async () => {
    env = await setupAudit('rh');
    // 30 events over res-1 … res-5 in tenant A, the same ids in tenant B.
    for (let i = 0; i < 30; i++) {
      await env.log.appendStandalone(env.db, { ...readEvent(env.a, i), resourceId: `res-${(i % 5) + 1}` });
      await env.log.appendStandalone(env.db, { ...readEvent(env.b, i), resourceId: `res-${(i % 5) + 1}` });
    }
  });
  afterAll(() => env.t.drop());

  it('pages through the resources of one chain and returns them in seq order', async () => {
    const ids = ['res-1', 'res-3', 'res-4', 'res-unknown'];
    for (const pageSize of [1, 4, 7, 1000]) {
      const events = await env.db.withTenant(env.a, (tx) =>
        env.log.listEventsForResources(tx, ids, 20_000, pageSize),
      );
      expect(events).toHaveLength(18);
      expect(events.every((e) => e.tenantId === env.a && ids.includes(e.resourceId!))).toBe(true);
      const seqs = events.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(18);
    }
    const capped = await env.db.withTenant(env.a, (tx) => env.log.listEventsForResources(tx, ids, 5, 2));
    expect(capped).toHaveLength(5);
  });
});
