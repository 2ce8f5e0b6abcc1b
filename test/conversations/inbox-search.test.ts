// Server-side inbox search (issue 25) on a real Vigil: words of the redacted text and the
// customer's name through keyed hashes, e-mail and phone through the customers' blind index,
// only over conversations the agent may see, keyset pages; the views mine, unassigned, queue and
// snoozed; a snooze that wakes by time and by the customer's next message. No query and no word
// in clear in the index, the audit log or a URL.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { testDbKind } from '../helpers/db.ts';
import { databaseBytes, ORIGIN, openWs, slugs, startWorld, type World, wsUrl } from './fixture.ts';

describe(`inbox search and views (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let B: string;
  let customerId: string;
  const conv: Record<string, string> = {};
  const search = (body: Record<string, unknown>, s = w.s.agentA1, slug = A) =>
    w.v.call('POST', `/api/v1/tenants/${slug}/conversations/search`, body, s);
  const ids = (r: { json: { items: Array<{ id: string }> } }) => r.json.items.map((c) => c.id).sort();

  /** A chat of the tenant's known customer in a queue (the widget makes anonymous ones). */
  async function chat(key: string, text: string, queueId: string) {
    const r = await w.v.app.contact!.ingest.ingestMessage(systemContext({ id: w.a, slug: A, name: A }), {
      channel: 'chat',
      direction: 'inbound',
      author: { type: 'customer', id: null },
      text,
      idempotencyKey: `${A}:search:${key}`,
      lang: 'de',
      newConversation: { channel: 'chat', customer: { id: customerId }, queueId },
    });
    conv[key] = r.conversationId;
    return r.conversationId;
  }

  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A, slugB: B } = slugs(w));
    const c = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/customers`,
      { name: 'Walburga Quenzel', emails: ['walburga.q@example.org'], phones: ['+49 170 5550123'] },
      w.s.supA,
    );
    expect(c.status).toBe(201);
    customerId = c.json.id;
    await chat('late', 'Meine Lieferung Zauberflöte ist verspätet', w.queueA1);
    await chat('refund', 'Ich möchte eine Erstattung für die Zauberflöte', w.queueA1);
    await chat('third', 'Zauberflöte Nummer drei kam kaputt an', w.queueA1);
    await chat('other', 'Zauberflöte in der zweiten Warteschlange', w.queueA2);
    const b = await w.v.call(
      'POST',
      `/api/v1/widget/${B}/messages`,
      { text: 'Zauberflöte bei Mandant B', clientMessageId: 'search-b-000001' },
      null,
      ORIGIN,
    );
    conv.b = b.json.conversationId;
  });
  afterAll(() => w.v.close());

  it('finds conversations by words of their redacted text, all words must match, only in the agent’s queues', async () => {
    const r = await search({ q: 'zauberflöte' });
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual([conv.late, conv.refund, conv.third].sort());
    expect(ids(await search({ q: 'Zauberflöte Erstattung' }))).toEqual([conv.refund]);
    expect(ids(await search({ q: 'Erstattung verspätet' }))).toEqual([]);
    // agentA2 sees only the second queue; the supervisor sees the whole tenant.
    expect(ids(await search({ q: 'zauberflöte' }, w.s.agentA2))).toEqual([conv.other]);
    expect(ids(await search({ q: 'zauberflöte' }, w.s.supA))).toHaveLength(4);
    // Asking for another queue by id does not widen an agent's scope.
    expect(ids(await search({ q: 'zauberflöte', queue: w.queueA2 }))).toEqual([]);
  });

  it('finds by the customer’s name, e-mail and phone through blind indexes', async () => {
    expect(ids(await search({ q: 'quenzel' }))).toHaveLength(3);
    expect(ids(await search({ q: 'Walburga.Q@Example.org' }))).toHaveLength(3);
    expect(ids(await search({ q: '0170 5550123' }))).toHaveLength(3);
    expect(ids(await search({ q: 'nobody@example.org' }))).toEqual([]);
  });

  it('pages with a keyset cursor', async () => {
    const first = await search({ q: 'zauberflöte', limit: 2 });
    expect(first.json.items).toHaveLength(2);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await search({ q: 'zauberflöte', limit: 2, cursor: first.json.nextCursor });
    expect(second.json.items).toHaveLength(1);
    expect(second.json.nextCursor).toBeNull();
    const all = [...first.json.items, ...second.json.items].map((c: { id: string }) => c.id).sort();
    expect(all).toEqual([conv.late, conv.refund, conv.third].sort());
    expect((await search({ q: 'zauberflöte', cursor: 'bm90LWEtY3Vyc29y' })).status).toBe(400);
  });

  it('refuses bad input with 400 and another tenant with 404', async () => {
    expect((await search({ q: '' })).status).toBe(400);
    expect((await search({ q: '!' })).json.error.code).toBe('invalid_input');
    expect((await search({ q: 'a b c d e f g h i j k l' })).status).toBe(400);
    expect((await search({ q: 'x', extra: 1 })).status).toBe(400);
    expect((await search({ q: 'zauberflöte' }, w.s.agentB)).status).toBe(404);
    // Tenant B's agent finds only B's conversation, through B's URL.
    expect(ids(await search({ q: 'zauberflöte' }, w.s.agentB, B))).toEqual([conv.b]);
  });

  it('keeps neither the query nor a word in clear in the index or the audit log', async () => {
    const [terms] = await w.v.core.db.withOwner((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from conversation_terms where tenant_id = ${w.a}`,
      ),
    );
    expect(terms!.n).toBeGreaterThan(10);
    const bytes = await databaseBytes(w);
    for (const word of ['Zauberflöte', 'zauberflöte', 'Erstattung', 'erstattung', 'quenzel'])
      expect(bytes.includes(Buffer.from(word))).toBe(false);
    const audits = await w.v.core.db.withOwner((tx) =>
      rows<{ meta: Record<string, unknown> }>(
        tx,
        sql`select meta from audit_events where tenant_id = ${w.a} and action = 'conversation.search'`,
      ),
    );
    expect(audits.map((a) => a.meta)).toContainEqual({ kind: 'email', count: 3, view: null });
    expect(audits.map((a) => a.meta)).toContainEqual({ kind: 'phone', count: 3, view: null });
    expect(JSON.stringify(audits)).not.toMatch(/example\.org|quenzel|zauber|0170/i);
  });

  it('views: mine and unassigned; snoozed conversations leave the working views until they wake', async () => {
    const list = (q: string, s = w.s.agentA1) =>
      w.v.call('GET', `/api/v1/tenants/${A}/conversations?${q}`, undefined, s);
    const assign = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/conversations/${conv.late}/assign`,
      { userId: w.agentA1.id },
      w.s.agentA1,
    );
    expect(assign.status).toBe(200);
    expect(ids(await list('view=mine'))).toEqual([conv.late]);
    expect(ids(await list('view=unassigned'))).toEqual([conv.refund, conv.third].sort());
    expect(ids(await search({ q: 'zauberflöte', view: 'mine' }))).toEqual([conv.late]);
    expect(ids(await list(`queue=${w.queueA1}`))).toHaveLength(3);

    const snooze = (id: string, until: string | null) =>
      w.v.call('POST', `/api/v1/tenants/${A}/conversations/${id}/snooze`, { until }, w.s.agentA1);
    const soon = new Date(Date.now() + 1500).toISOString();
    const r = await snooze(conv.refund!, soon);
    expect(r.status).toBe(200);
    expect(r.json.snoozedUntil).toBe(soon);
    expect(ids(await list('view=unassigned'))).toEqual([conv.third]);
    expect(ids(await list('view=snoozed'))).toEqual([conv.refund]);
    expect(ids(await search({ q: 'erstattung' }))).toEqual([]);
    expect(ids(await search({ q: 'erstattung', view: 'snoozed' }))).toEqual([conv.refund]);
    // Out of scope, in the past, too far ahead: refused.
    expect(
      (
        await w.v.call(
          'POST',
          `/api/v1/tenants/${A}/conversations/${conv.other}/snooze`,
          { until: soon },
          w.s.agentA1,
        )
      ).status,
    ).toBe(404);
    expect((await snooze(conv.third!, new Date(Date.now() - 1000).toISOString())).status).toBe(400);
    expect((await snooze(conv.third!, new Date(Date.now() + 40 * 86_400_000).toISOString())).status).toBe(
      400,
    );
    // The time passes: back in the working view, no job needed.
    await new Promise((res) => setTimeout(res, 1700));
    expect(ids(await list('view=unassigned'))).toEqual([conv.refund, conv.third].sort());
    expect(ids(await list('view=snoozed'))).toEqual([]);

    // Snoozed for a day, then the customer writes again: awake at once.
    await snooze(conv.third!, new Date(Date.now() + 86_400_000).toISOString());
    expect(ids(await list('view=snoozed'))).toEqual([conv.third]);
    // The queue's agent is told live when it wakes.
    const live = await openWs(wsUrl(w, `/api/v1/tenants/${A}/live`), {
      cookie: w.s.agentA1.cookie,
      'user-agent': w.s.agentA1.userAgent,
    });
    await w.v.app.contact!.ingest.ingestMessage(systemContext({ id: w.a, slug: A, name: A }), {
      channel: 'chat',
      direction: 'inbound',
      author: { type: 'customer', id: null },
      text: 'Hallo? Noch jemand da?',
      idempotencyKey: `${A}:search:wake`,
      lang: 'de',
      conversationId: conv.third!,
    });
    await w.v.app.contact!.search.idle(w.a);
    await live.next((m) => m.type === 'conversation.updated' && m.conversationId === conv.third);
    live.ws.close();
    expect(ids(await list('view=snoozed'))).toEqual([]);
    expect(ids(await search({ q: 'jemand' }))).toEqual([conv.third]);
    const [events] = await w.v.core.db.withOwner((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from audit_events where tenant_id = ${w.a} and action = 'conversation.snooze'`,
      ),
    );
    expect(events!.n).toBe(2);
  });
});
