// Pseudonymised analytics: restriction (Art. 18) and refused analytics consent block the subject
// with a clear error and keep them out of aggregates; the QA sample carries keyed pseudonyms only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { newConversation } from './helpers.ts';

describe(`pseudonymised analytics (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let dpoA: Session;
  const base = () => `/api/v1/tenants/${A}/compliance/analytics`;

  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A } = slugs(w));
    dpoA = await w.v.login(await w.v.makeUser([{ role: 'dpo', tenant: A }]));
  });
  afterAll(() => w.v.close());

  it('restriction blocks analytics for the subject and removes them from aggregates', async () => {
    const t = { id: w.a, slug: A };
    const open = await newConversation(w.v, t, 'chat', { text: 'Hallo, erreichbar unter +49 171 2345678' });
    const restricted = await newConversation(w.v, t, 'email', { email: 'r@example.de' });
    const reply = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/conversations/${open.conversationId}/messages`,
      { text: 'Gern!' },
      w.s.supA,
    );
    expect(reply.status).toBe(201);

    const before = await w.v.call('GET', `${base()}/conversations`, undefined, w.s.supA);
    expect(before.status).toBe(200);
    expect(before.json.conversations).toBe(2);
    expect(before.json.answeredConversations).toBe(1);
    expect(before.json.firstResponseSecondsAvg).toBeGreaterThanOrEqual(0);
    expect(before.json.excludedSubjects).toBe(0);
    const s = await w.v.call('GET', `${base()}/customers/${restricted.customerId}`, undefined, w.s.supA);
    expect(s.status).toBe(200);
    expect(s.json.subject).toMatch(/^c_[0-9a-f]{20}$/);
    expect(JSON.stringify(s.json)).not.toContain(restricted.customerId);

    const req = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/privacy/requests`,
      {
        customerId: restricted.customerId,
        type: 'restriction',
        identityCheck: { method: 'email_confirmation' },
      },
      dpoA,
    );
    expect(
      (
        await w.v.call(
          'POST',
          `/api/v1/tenants/${A}/privacy/customers/${restricted.customerId}/restrict`,
          { requestId: req.json.id },
          dpoA,
        )
      ).status,
    ).toBe(200);
    const blocked = await w.v.call(
      'GET',
      `${base()}/customers/${restricted.customerId}`,
      undefined,
      w.s.supA,
    );
    expect(blocked.status).toBe(423);
    expect(blocked.json.error.code).toBe('processing_restricted');
    const after = await w.v.call('GET', `${base()}/conversations`, undefined, w.s.supA);
    expect(after.json.conversations).toBe(1);
    expect(after.json.excludedSubjects).toBe(1);
    expect(after.json.byChannel.email).toBeUndefined();

    // Refused analytics consent has the same effect.
    const rec = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/compliance/consents`,
      {
        customerId: open.customerId,
        purpose: 'analytics',
        granted: false,
        source: 'agent',
        textVersion: 'ana-1',
      },
      w.s.supA,
    );
    expect(rec.status).toBe(201);
    expect(
      (await w.v.call('GET', `${base()}/customers/${open.customerId}`, undefined, w.s.supA)).status,
    ).toBe(423);
    expect((await w.v.call('GET', `${base()}/conversations`, undefined, w.s.supA)).json.conversations).toBe(
      0,
    );
  });

  it('the QA sample has pseudonyms and PII-free text', async () => {
    const t = { id: w.a, slug: A };
    const c = await newConversation(w.v, t, 'chat', {
      text: 'Bitte rufen Sie mich an: 0171 9876543, Gruss Jana',
    });
    const r = await w.v.call('GET', `${base()}/qa-sample?size=5`, undefined, w.s.supA);
    expect(r.status).toBe(200);
    const item = r.json.items[0];
    expect(item.customer).toMatch(/^c_[0-9a-f]{20}$/);
    expect(item.conversation).toMatch(/^v_[0-9a-f]{20}$/);
    expect(item.text).not.toMatch(/9876543/);
    expect(JSON.stringify(r.json)).not.toContain(c.customerId);
    expect(JSON.stringify(r.json)).not.toContain(c.conversationId);
    // Stable within the tenant: the same customer has the same pseudonym twice.
    const again = await w.v.call('GET', `${base()}/qa-sample?size=5`, undefined, w.s.supA);
    expect(again.json.items[0].customer).toBe(item.customer);
    expect((await w.v.call('GET', `${base()}/qa-sample`, undefined, w.s.agentA1)).status).toBe(403);
  });
});
