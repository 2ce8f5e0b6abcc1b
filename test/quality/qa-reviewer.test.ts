// The QA reviewer role: samples and scores conversations in the pseudonymised view, opens the
// real conversation only by the audited reveal, and reaches nothing else. Deny by default is
// checked twice: on the rules (the role's permissions allow no route outside quality reviews)
// and over HTTP (every other tenant route answers 403 to a signed-in QA reviewer).
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../src/authz/guard.ts';
import { abilityFor } from '../../src/authz/index.ts';
import { systemContext } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { auditCount, slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Session, TestUser } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

const NAME = 'Erika Mustermann';
const EMAIL = 'erika.mustermann@example.org';
const CRITERIA = [
  { key: 'greeting', label: 'Greeting', weight: 1, autoFail: false },
  { key: 'resolution', label: 'Resolution', weight: 1, autoFail: false },
];
const ZERO = '00000000-0000-4000-8000-000000000000';

describe(`QA reviewer role (${testDbKind})`, () => {
  let w: World;
  let qa: TestUser;
  let sqa: Session;
  let conversationId: string;
  let customerId: string;
  let reviewId: string;
  let scorecardId: string;
  const q = () => `/api/v1/tenants/${slugs(w).slugA}/quality`;

  beforeAll(async () => {
    w = await startWorld();
    qa = await w.v.makeUser([{ role: 'qa_reviewer', tenant: slugs(w).slugA }]);
    sqa = await w.v.login(qa);
    const r = await w.v.app.contact!.ingest.ingestMessage(
      systemContext({ id: w.a, slug: slugs(w).slugA, name: 'a' }),
      {
        channel: 'chat',
        direction: 'inbound',
        author: { type: 'visitor', id: null },
        text: `Hallo, ich bin ${NAME}, ${EMAIL}. Meine Rechnung ist falsch.`,
        idempotencyKey: `t:${randomUUID()}`,
        newConversation: { channel: 'chat', customer: { name: NAME }, queueId: w.queueA1 },
      },
    );
    conversationId = r.conversationId;
    customerId = r.customerId;
  }, 120_000);
  afterAll(() => w?.v.close());

  it('the programme stays with supervisors: no scorecards, no blind-review switch', async () => {
    expect((await w.v.call('POST', `${q()}/scorecards`, { name: 'x', criteria: CRITERIA }, sqa)).status).toBe(
      403,
    );
    expect((await w.v.call('PUT', `${q()}/settings`, { blindReview: false }, sqa)).status).toBe(403);
    const card = await w.v.call('POST', `${q()}/scorecards`, { name: 'Chat', criteria: CRITERIA }, w.s.supA);
    expect(card.status).toBe(200);
    scorecardId = card.json.id;
    expect((await w.v.call('GET', `${q()}/scorecards`, undefined, sqa)).json.items).toHaveLength(1);
  });

  it('samples across every queue and sees the conversation pseudonymised', async () => {
    const s = await w.v.call('POST', `${q()}/samples`, { scorecardId, size: 10 }, sqa);
    expect(s.status).toBe(200);
    expect(s.json.reviews).toHaveLength(1);
    reviewId = s.json.reviews[0];
    const view = await w.v.call('GET', `${q()}/reviews/${reviewId}/conversation`, undefined, sqa);
    expect(view.status).toBe(200);
    for (const v of [customerId, conversationId, NAME, 'Mustermann', EMAIL, 'tok_'])
      expect(view.text).not.toContain(v);
    expect(view.json.customer).toMatch(/^c_[0-9a-f]{16}$/);
    const scored = await w.v.call(
      'PUT',
      `${q()}/reviews/${reviewId}/score`,
      { scores: { greeting: 100, resolution: 50 } },
      sqa,
    );
    expect(scored.json).toMatchObject({ total: 75, autoFailed: false });
  });

  it('the raw conversation only through the reveal, with a reason, audited', async () => {
    const direct = await w.v.call(
      'GET',
      `/api/v1/tenants/${slugs(w).slugA}/conversations/${conversationId}`,
      undefined,
      sqa,
    );
    expect(direct.status).toBe(403);
    expect(await auditCount(w, w.a, 'quality.reveal', conversationId)).toBe(0);
    const noReason = await w.v.call('POST', `${q()}/reviews/${reviewId}/reveal`, { reason: 'x' }, sqa);
    expect(noReason.status).toBe(400);
    const r = await w.v.call(
      'POST',
      `${q()}/reviews/${reviewId}/reveal`,
      { reason: 'The customer complained about this chat' },
      sqa,
    );
    expect(r.status).toBe(200);
    expect(r.json.conversation.id).toBe(conversationId);
    // Without Customer reveal, stored tokens stay collapsed even in the revealed view.
    expect(r.text).not.toContain('tok_');
    expect(await auditCount(w, w.a, 'quality.reveal', conversationId)).toBe(1);
  });

  it('every role list in the schema knows the role (grants, policies, SCIM, trainings)', async () => {
    const checks = await w.v.core.db.withOwner((tx) =>
      rows<{ conname: string; def: string }>(
        tx,
        sql`select conname, pg_get_constraintdef(oid) as def from pg_constraint
            where contype = 'c' and pg_get_constraintdef(oid) like '%security_officer%'`,
      ),
    );
    expect(checks.length).toBeGreaterThanOrEqual(6);
    expect(checks.filter((c) => !c.def.includes('qa_reviewer')).map((c) => c.conname)).toEqual([]);
  });

  it('deny by default on the rules: the role allows no route outside quality reviews', () => {
    const ability = abilityFor(['qa_reviewer']);
    const allowed = (w.v.http.routeTable as RouteEntry[])
      .filter((r) => r.rule && 'tenant' in r.rule && ability.can(r.rule.tenant[0], r.rule.tenant[1]))
      .map((r) => (r.rule && 'tenant' in r.rule ? r.rule.tenant[1] : ''));
    expect(allowed.length).toBeGreaterThan(5);
    expect([...new Set(allowed)]).toEqual(['QualityReview']);
    for (const s of [
      'Conversation',
      'Customer',
      'AuditEvent',
      'Report',
      'QualityProgram',
      'AutomationData',
    ] as const)
      for (const a of ['read', 'create', 'update', 'export', 'reveal'] as const)
        expect(ability.can(a, s)).toBe(false);
  });

  it('deny by default over HTTP: every other tenant and platform route answers 403', async () => {
    const ability = abilityFor(['qa_reviewer']);
    const wrong: string[] = [];
    let checked = 0;
    for (const r of w.v.http.routeTable as RouteEntry[]) {
      if (!r.rule || r.method === 'HEAD' || r.method === 'OPTIONS') continue;
      const tenantRule = 'tenant' in r.rule ? r.rule.tenant : null;
      if (!tenantRule && !('platform' in r.rule)) continue;
      if (tenantRule && ability.can(tenantRule[0], tenantRule[1])) continue;
      if (r.url.includes('/ws')) continue;
      const path = r.url.replace(':tenantSlug', slugs(w).slugA).replace(/:(\w+)/g, ZERO);
      const res = await w.v.call(
        r.method,
        path,
        r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
        sqa,
      );
      checked++;
      if (res.status !== 403) wrong.push(`${r.method} ${r.url} → ${res.status}`);
    }
    expect(checked).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  }, 120_000);
});
