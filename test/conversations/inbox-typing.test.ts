// Typing indicators (issue 25) over the real sockets: the visitor's typing reaches the agents of
// the conversation's queue only, an agent's reaches the visitor; ids only, rate-limited, nothing
// stored; an agent cannot signal typing into a conversation outside their queues.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typingLimiter } from '../../src/conversations/index.ts';
import { rows } from '../../src/platform/db.ts';
import { testDbKind } from '../helpers/db.ts';
import { ORIGIN, openWs, slugs, startWorld, type World, wsUrl } from './fixture.ts';

describe(`typing indicators (${testDbKind})`, () => {
  let w: World;
  let A: string;
  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A } = slugs(w));
  });
  afterAll(() => w.v.close());

  const agentHeaders = (s: { cookie: string; userAgent: string }) => ({
    cookie: s.cookie,
    'user-agent': s.userAgent,
  });
  const count = async (tenantId: string, table: 'messages' | 'audit_events') => {
    const [r] = await w.v.core.db.withOwner((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from ${sql.identifier(table)} where tenant_id = ${tenantId}`,
      ),
    );
    return r!.n;
  };

  it('goes both ways, to the right people only, limited and never stored', async () => {
    const sent = await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { text: 'Hallo, ist jemand da?', clientMessageId: 'typing-000001' },
      null,
      ORIGIN,
    );
    expect(sent.status).toBe(201);
    const conversationId = sent.json.conversationId as string;
    const a1 = await openWs(wsUrl(w, `/api/v1/tenants/${A}/live`), agentHeaders(w.s.agentA1));
    const a2 = await openWs(wsUrl(w, `/api/v1/tenants/${A}/live`), agentHeaders(w.s.agentA2));
    const visitor = await openWs(
      wsUrl(w, `/api/v1/widget/${A}/ws?token=${encodeURIComponent(sent.json.visitorToken)}`),
      ORIGIN,
    );
    const messages0 = await count(w.a, 'messages');
    const audit0 = await count(w.a, 'audit_events');

    // Visitor → agents of the queue (agentA1), not agentA2 of another queue.
    visitor.ws.send(JSON.stringify({ type: 'typing' }));
    visitor.ws.send(JSON.stringify({ type: 'typing' })); // within two seconds: dropped
    const hint = await a1.next((m) => m.type === 'typing');
    expect(hint).toEqual({ type: 'typing', conversationId, from: 'visitor' });
    await new Promise((r) => setTimeout(r, 300));
    await a1.drained();
    await a2.drained();
    expect(a1.messages.filter((m) => m.type === 'typing')).toHaveLength(1);
    expect(a2.messages.filter((m) => m.type === 'typing')).toHaveLength(0);

    // Agent → visitor; an agent outside the queue and a malformed frame reach nobody.
    a2.ws.send(JSON.stringify({ type: 'typing', conversationId }));
    a1.ws.send(JSON.stringify({ type: 'typing', conversationId: 'not-a-uuid' }));
    a1.ws.send('{ broken');
    await new Promise((r) => setTimeout(r, 300));
    await visitor.drained();
    expect(visitor.messages.filter((m) => m.type === 'typing')).toHaveLength(0);
    a1.ws.send(JSON.stringify({ type: 'typing', conversationId }));
    expect(await visitor.next((m) => m.type === 'typing')).toEqual({
      type: 'typing',
      author: 'agent',
      conversationId,
    });
    // The typing agent is not told about their own typing.
    await new Promise((r) => setTimeout(r, 200));
    await a1.drained();
    expect(a1.messages.filter((m) => m.type === 'typing' && m.from === 'agent')).toHaveLength(0);

    expect(await count(w.a, 'messages')).toBe(messages0);
    expect(await count(w.a, 'audit_events')).toBe(audit0);
    for (const s of [a1, a2, visitor]) s.ws.close();
  });

  it('limits a sender to one hint per conversation every two seconds and twenty a minute', () => {
    let now = 0;
    const allow = typingLimiter(2000, 20, () => now);
    expect(allow('c1')).toBe(true);
    expect(allow('c1')).toBe(false);
    expect(allow('c2')).toBe(true);
    now = 2000;
    expect(allow('c1')).toBe(true);
    let passed = 3;
    for (let i = 0; i < 40; i++) if (allow(`k${i}`)) passed++;
    expect(passed).toBe(20);
    now = 62_000;
    expect(allow('c1')).toBe(true);
  });
});
