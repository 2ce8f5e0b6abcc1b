// The service-level state on inbox items (issue 25), through the real HTTP API on a real Vigil:
// a queue's chat target set by a tenant admin, waiting times moved back in the database (no
// sleeps), the same state in the list and in the search, the default target for a queue without
// one, no clock once the customer is answered, and nothing of another tenant.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TARGET_SECONDS } from '../../src/conversations/service-levels.ts';
import { systemContext } from '../../src/ingest/index.ts';
import { testDbKind } from '../helpers/db.ts';
import { ORIGIN, slugs, startWorld, type World } from './fixture.ts';

interface Item {
  id: string;
  sla?: { targetSeconds: number; dueAt: string | null; state: string };
}

describe(`SLA state of inbox items (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let B: string;
  let customerId: string;
  const conv: Record<string, string> = {};

  const chat = async (key: string, queueId: string) => {
    const r = await w.v.app.contact!.ingest.ingestMessage(systemContext({ id: w.a, slug: A, name: A }), {
      channel: 'chat',
      direction: 'inbound',
      author: { type: 'customer', id: null },
      text: `Frage ${key}`,
      idempotencyKey: `${A}:sla:${key}`,
      lang: 'de',
      newConversation: { channel: 'chat', customer: { id: customerId }, queueId },
    });
    conv[key] = r.conversationId;
  };
  /** The customer has waited `seconds` longer than they did: creation and messages move back. */
  const waitedLonger = (key: string, seconds: number) =>
    w.v.core.db.withTenant(w.a, async (tx) => {
      const id = conv[key]!;
      await tx.execute(
        sql`update conversations set created_at = created_at - make_interval(secs => ${seconds}) where id = ${id}`,
      );
      await tx.execute(
        sql`update messages set created_at = created_at - make_interval(secs => ${seconds}) where conversation_id = ${id}`,
      );
    });
  const listed = async (s = w.s.supA, slug = A): Promise<Map<string, Item>> => {
    const r = await w.v.call('GET', `/api/v1/tenants/${slug}/conversations?limit=100`, undefined, s);
    expect(r.status).toBe(200);
    return new Map((r.json.items as Item[]).map((i) => [i.id, i]));
  };

  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A, slugB: B } = slugs(w));
    const admin = await w.v.makeUser([{ role: 'tenant_admin', tenant: A }]);
    const set = await w.v.call(
      'PUT',
      `/api/v1/tenants/${A}/service-levels/${w.queueA1}/chat`,
      { targetSeconds: 60 },
      await w.v.login(admin),
    );
    expect(set.status).toBe(200);
    const c = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/customers`,
      { name: 'Ottilie Sommer', emails: ['ottilie.s@example.org'] },
      w.s.supA,
    );
    expect(c.status).toBe(201);
    customerId = c.json.id;
    for (const key of ['fresh', 'soon', 'late', 'answered']) await chat(key, w.queueA1);
    await chat('noTarget', w.queueA2);
    await waitedLonger('soon', 50);
    await waitedLonger('late', 70);
    await waitedLonger('answered', 70);
    const b = await w.v.call(
      'POST',
      `/api/v1/widget/${B}/messages`,
      { text: 'Frage bei Mandant B', clientMessageId: 'sla-b-0000001' },
      null,
      ORIGIN,
    );
    expect(b.status).toBeLessThan(300);
    conv.b = b.json.conversationId;
  });
  afterAll(() => w.v.close());

  it('is ok while fresh, due soon in the last quarter of the target, breached past it', async () => {
    const items = await listed();
    const fresh = items.get(conv.fresh!)!.sla!;
    expect(fresh.state).toBe('ok');
    expect(fresh.targetSeconds).toBe(60);
    // Due a minute after the customer wrote (the target), within the time the test took.
    const dueIn = Date.parse(fresh.dueAt!) - Date.now();
    expect(dueIn).toBeGreaterThan(30_000);
    expect(dueIn).toBeLessThanOrEqual(60_000);
    expect(items.get(conv.soon!)!.sla).toMatchObject({ state: 'due_soon', targetSeconds: 60 });
    const late = items.get(conv.late!)!.sla!;
    expect(late.state).toBe('breached');
    expect(Date.parse(late.dueAt!)).toBeLessThan(Date.now());
    // A queue without a target of its own counts against the default.
    expect(items.get(conv.noTarget!)!.sla).toMatchObject({
      state: 'ok',
      targetSeconds: DEFAULT_TARGET_SECONDS,
    });
  });

  it('stops the clock once an agent answers, and the search shows the same state', async () => {
    const id = conv.answered!;
    expect((await listed()).get(id)!.sla!.state).toBe('breached');
    const reply = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/conversations/${id}/messages`,
      { text: 'Wir kümmern uns darum.' },
      w.s.supA,
    );
    expect(reply.status).toBe(201);
    expect((await listed()).get(id)!.sla).toEqual({ targetSeconds: 60, dueAt: null, state: 'none' });
    const found = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/conversations/search`,
      { q: 'frage' },
      w.s.supA,
    );
    expect(found.status).toBe(200);
    const states = new Map((found.json.items as Item[]).map((i) => [i.id, i.sla?.state]));
    expect(states.get(conv.late!)).toBe('breached');
    expect(states.get(conv.soon!)).toBe('due_soon');
    expect(states.get(id)).toBe('none');
  });

  it('shows nothing of another tenant: its conversation is 404 and not in the list', async () => {
    expect((await listed()).has(conv.b!)).toBe(false);
    const r = await w.v.call('GET', `/api/v1/tenants/${A}/conversations/${conv.b}`, undefined, w.s.supA);
    expect(r.status).toBe(404);
    // Its own tenant's agent sees it with the default target.
    expect((await listed(w.s.agentB, B)).get(conv.b!)!.sla).toMatchObject({
      state: 'ok',
      targetSeconds: DEFAULT_TARGET_SECONDS,
    });
  });
});
