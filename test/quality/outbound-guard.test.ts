// The outbound guard on a real Vigil: an automated reply carrying the conversation's own
// customer's address goes out; one carrying another customer's e-mail, a foreign IBAN or a secret
// is blocked (422 outbound_blocked, audited as denied, nothing stored or sent).
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { guardOutbound } from '../../src/quality/index.ts';
import { auditCount, slugs, startWorld, type World } from '../conversations/fixture.ts';
import { testDbKind } from '../helpers/db.ts';

const OWN = { emails: ['jana.beispiel@example.org'], phones: ['+49 170 1234567'] };

describe('guardOutbound', () => {
  it("lets the customer's own identifiers through, in any spelling", () => {
    expect(guardOutbound('We wrote to jana.beispiel@example.org and will call 0170 1234567.', OWN)).toEqual({
      allowed: true,
      blocked: [],
    });
  });
  it('blocks foreign identifiers and secrets, naming types only', () => {
    const v = guardOutbound(
      'Contact max.other@example.com, IBAN DE89 3704 0044 0532 0130 00, key sk_live_abcdefghijklmnop1234',
      OWN,
    );
    expect(v.allowed).toBe(false);
    expect(v.blocked).toEqual(['EMAIL', 'IBAN', 'SECRET']);
  });
});

describe(`automated replies through the outbound guard (${testDbKind})`, () => {
  let w: World;
  let conversationId: string;
  const path = () => `/api/v1/tenants/${slugs(w).slugA}/conversations/${conversationId}/automated-replies`;
  const messageCount = async () => {
    const [r] = await w.v.core.db.withOwner((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from messages where conversation_id = ${conversationId}`,
      ),
    );
    return r!.n;
  };

  beforeAll(async () => {
    w = await startWorld();
    const c = await w.v.call(
      'POST',
      `/api/v1/tenants/${slugs(w).slugA}/customers`,
      { name: 'Jana Beispiel', ...OWN },
      w.s.supA,
    );
    expect(c.status).toBe(201);
    const r = await w.v.app.contact!.ingest.ingestMessage(
      systemContext({ id: w.a, slug: slugs(w).slugA, name: 'a' }),
      {
        channel: 'chat',
        direction: 'inbound',
        author: { type: 'visitor', id: null },
        text: 'Hallo, wo bleibt meine Bestellung?',
        idempotencyKey: `t:${randomUUID()}`,
        newConversation: { channel: 'chat', customer: { id: c.json.id }, queueId: w.queueA1 },
      },
    );
    conversationId = r.conversationId;
  }, 120_000);
  afterAll(async () => {
    await w?.v.close();
  });

  it("a bot reply with the customer's own e-mail is sent", async () => {
    const r = await w.v.call(
      'POST',
      path(),
      { text: 'We sent the tracking link to jana.beispiel@example.org.', source: 'bot' },
      w.s.agentA1,
    );
    expect(r.status).toBe(200);
    expect(r.json.source).toBe('bot');
    expect(await auditCount(w, w.a, 'automation.reply.sent', conversationId)).toBe(1);
  });

  it("a bot reply carrying another customer's e-mail is blocked and reported", async () => {
    const before = await messageCount();
    const r = await w.v.call(
      'POST',
      path(),
      { text: 'Your order was sent to max.other@example.com.', source: 'bot' },
      w.s.agentA1,
    );
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe('outbound_blocked');
    expect(r.text).not.toContain('max.other');
    expect(await messageCount()).toBe(before);
    expect(await auditCount(w, w.a, 'automation.reply.blocked', conversationId)).toBe(1);
  });

  it('a macro carrying a secret is blocked', async () => {
    const r = await w.v.call(
      'POST',
      path(),
      { text: 'Use the key AKIAABCDEFGHIJKLMNOP to log in.', source: 'macro' },
      w.s.agentA1,
    );
    expect(r.status).toBe(422);
  });

  it('without a translation provider configured, translation answers 409 (never 5xx)', async () => {
    const base = `/api/v1/tenants/${slugs(w).slugA}/conversations/${conversationId}`;
    const r = await w.v.call(
      'POST',
      `${base}/translated-reply`,
      { text: 'Hello', from: 'en', to: 'de' },
      w.s.agentA1,
    );
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('translation_not_configured');
  });

  it('out of queue and cross-tenant: 404', async () => {
    expect((await w.v.call('POST', path(), { text: 'Hello', source: 'bot' }, w.s.agentA2)).status).toBe(404);
    const foreign = `/api/v1/tenants/${slugs(w).slugB}/conversations/${conversationId}/automated-replies`;
    expect((await w.v.call('POST', foreign, { text: 'Hello', source: 'bot' }, w.s.agentB)).status).toBe(404);
  });
});
