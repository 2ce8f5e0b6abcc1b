// Access reviews: every membership with last use and a proposal; unused rights are proposed for
// revocation; a revocation takes effect on the next request; nobody reviews themselves; the
// closed campaign is evidence in the security report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCount, slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { newConversation } from './helpers.ts';

describe(`access reviews (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let B: string;
  let dpoA: Session;
  let soA: Session;
  let dpoId: string;
  let idleId: string;
  const p = () => `/api/v1/tenants/${A}/compliance/access-reviews`;

  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A, slugB: B } = slugs(w));
    const dpo = await w.v.makeUser([{ role: 'dpo', tenant: A }]);
    dpoId = dpo.id;
    dpoA = await w.v.login(dpo);
    soA = await w.v.login(await w.v.makeUser([{ role: 'security_officer', tenant: A }]));
    idleId = (await w.v.makeUser([{ role: 'agent', tenant: A }])).id;
  });
  afterAll(() => w.v.close());

  it('proposes unused rights for revocation; decisions take effect; the campaign closes as evidence', async () => {
    // Members who acted in the tenant have a last use; the idle agent has none.
    const conv = await newConversation(w.v, { id: w.a, slug: A }, 'chat');
    const read = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/conversations/${conv.conversationId}`,
      undefined,
      w.s.agentA1,
    );
    expect(read.status).toBe(200);
    const c = await w.v.call('POST', p(), { unusedDays: 30 }, dpoA);
    expect(c.status).toBe(201);
    const byUser = new Map(c.json.items.map((i: { userId: string }) => [i.userId, i]));
    expect(byUser.size).toBeGreaterThanOrEqual(6);
    expect(byUser.get(idleId)).toMatchObject({ role: 'agent', proposal: 'revoke', lastUsedAt: null });
    expect(byUser.get(w.agentA1.id)).toMatchObject({ proposal: 'keep', queues: 1 });
    expect((await w.v.call('POST', p(), { unusedDays: 30 }, dpoA)).status).toBe(409);

    const decide = (itemId: string, decision: string, s = dpoA) =>
      w.v.call('POST', `${p()}/${c.json.id}/items/${itemId}`, { decision }, s);
    const items = c.json.items as Array<{ id: string; userId: string; proposal: string }>;
    const own = items.find((i) => i.userId === dpoId)!;
    expect((await decide(own.id, 'keep')).status).toBe(403);
    expect((await decide(own.id, 'keep', soA)).status).toBe(200);
    // Closing needs every decision when the tenant requires it.
    const req = await w.v.call('PUT', `${p()}/settings`, { requireAllDecided: true }, dpoA);
    expect(req.status).toBe(200);
    expect((await w.v.call('POST', `${p()}/${c.json.id}/close`, {}, dpoA)).status).toBe(409);
    for (const i of items) {
      if (i.userId === dpoId) continue;
      const d = i.userId === w.agentA2.id || i.userId === idleId ? 'revoke' : 'keep';
      expect((await decide(i.id, d)).status).toBe(200);
    }
    expect((await decide(items[0]!.id, 'keep')).status).toBe(409);
    // The revoked agent's next request in the tenant is refused, at once.
    expect((await w.v.call('GET', `/api/v1/tenants/${A}/conversations`, undefined, w.s.agentA2)).status).toBe(
      404,
    );
    expect((await w.v.call('GET', `/api/v1/tenants/${A}/conversations`, undefined, w.s.agentA1)).status).toBe(
      200,
    );

    const closed = await w.v.call('POST', `${p()}/${c.json.id}/close`, {}, dpoA);
    expect(closed.status).toBe(200);
    expect(closed.json.state).toBe('closed');
    expect(closed.json.summary.revoked).toBe(2);
    expect(await auditCount(w, w.a, 'membership.revoke', w.agentA2.id)).toBe(1);
    expect(await auditCount(w, w.a, 'access_review.close', c.json.id)).toBe(1);
    const report = await w.v.call('GET', `/api/v1/tenants/${A}/compliance/security-report`, undefined, soA);
    expect(report.json.accessReview).toMatchObject({ revoked: 2 });
  });

  it('closing with open items (not required decided) applies the proposed revokes and keeps the rest', async () => {
    expect((await w.v.call('PUT', `${p()}/settings`, { requireAllDecided: false }, dpoA)).status).toBe(200);
    const idle = await w.v.makeUser([{ role: 'agent', tenant: A }]);
    const idleSession = await w.v.login(idle);
    const c = await w.v.call('POST', p(), { unusedDays: 30 }, dpoA);
    expect(c.status).toBe(201);
    const items = c.json.items as Array<{ id: string; userId: string; proposal: string }>;
    expect(items.find((i) => i.userId === idle.id)?.proposal).toBe('revoke');
    const closed = await w.v.call('POST', `${p()}/${c.json.id}/close`, {}, dpoA);
    expect(closed.status).toBe(200);
    const after = new Map(
      (closed.json.items as Array<{ userId: string; decision: string | null }>).map((i) => [
        i.userId,
        i.decision,
      ]),
    );
    expect(after.get(idle.id)).toBe('revoke');
    expect(after.get(w.agentA1.id)).toBe('keep');
    expect(after.get(dpoId)).toBeNull(); // the closer's own access is not decided by the closer
    expect((await w.v.call('GET', `/api/v1/tenants/${A}/conversations`, undefined, idleSession)).status).toBe(
      404,
    );
    expect((await w.v.call('GET', `/api/v1/tenants/${A}/conversations`, undefined, w.s.agentA1)).status).toBe(
      200,
    );
    expect(await auditCount(w, w.a, 'membership.revoke', idle.id)).toBe(1);
  });

  it('agents get 403, another tenant 404', async () => {
    expect((await w.v.call('GET', p(), undefined, w.s.agentA1)).status).toBe(403);
    const dpoB = await w.v.login(await w.v.makeUser([{ role: 'dpo', tenant: B }]));
    expect((await w.v.call('GET', p(), undefined, dpoB)).status).toBe(404);
    expect((await w.v.call('POST', p(), { unusedDays: 0 }, dpoA)).status).toBe(400);
  });
});
