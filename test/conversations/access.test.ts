// Tenant and queue isolation of the agent API, live updates, assignment, reveal, and exactly one
// audit read event per conversation open.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { testDbKind } from '../helpers/db.ts';
import { auditCount, ORIGIN, openWs, slugs, startWorld, type World, wsUrl } from './fixture.ts';

describe(`conversation access (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let B: string;
  let convA: string;
  let convB: string;
  let customerA: string;

  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A, slugB: B } = slugs(w));
    const a = await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { text: 'Hallo aus A, max@example.de', clientMessageId: 'acc-00000001' },
      null,
      ORIGIN,
    );
    const b = await w.v.call(
      'POST',
      `/api/v1/widget/${B}/messages`,
      { text: 'Hello from B', clientMessageId: 'acc-00000002' },
      null,
      ORIGIN,
    );
    convA = a.json.conversationId;
    convB = b.json.conversationId;
    customerA = (await w.v.call('GET', `/api/v1/tenants/${A}/conversations/${convA}`, undefined, w.s.supA))
      .json.customerId;
  });
  afterAll(() => w.v.close());

  it('an agent of tenant B cannot list, open, reply to or look up tenant A data', async () => {
    const s = w.s.agentB;
    expect((await w.v.call('GET', `/api/v1/tenants/${A}/conversations`, undefined, s)).status).toBe(404);
    expect((await w.v.call('GET', `/api/v1/tenants/${A}/conversations/${convA}`, undefined, s)).status).toBe(
      404,
    );
    expect(
      (await w.v.call('POST', `/api/v1/tenants/${A}/conversations/${convA}/messages`, { text: 'x' }, s))
        .status,
    ).toBe(404);
    expect(
      (await w.v.call('POST', `/api/v1/tenants/${A}/customers/lookup`, { email: 'max@example.de' }, s))
        .status,
    ).toBe(404);
    expect((await w.v.call('GET', `/api/v1/tenants/${A}/customers/${customerA}`, undefined, s)).status).toBe(
      404,
    );
    // Through their own tenant's URL, A's ids do not exist either (RLS).
    expect((await w.v.call('GET', `/api/v1/tenants/${B}/conversations/${convA}`, undefined, s)).status).toBe(
      404,
    );
    expect((await w.v.call('GET', `/api/v1/tenants/${B}/customers/${customerA}`, undefined, s)).status).toBe(
      404,
    );
    const own = await w.v.call('GET', `/api/v1/tenants/${B}/conversations`, undefined, s);
    expect(own.json.items.map((c: { id: string }) => c.id)).toEqual([convB]);
  });

  it('an agent outside the conversation queue gets 404 and an authz.denied event', async () => {
    const before = await auditCount(w, w.a, 'authz.denied', convA);
    expect(
      (await w.v.call('GET', `/api/v1/tenants/${A}/conversations/${convA}`, undefined, w.s.agentA2)).status,
    ).toBe(404);
    expect(
      (
        await w.v.call(
          'POST',
          `/api/v1/tenants/${A}/conversations/${convA}/messages`,
          { text: 'x' },
          w.s.agentA2,
        )
      ).status,
    ).toBe(404);
    expect(await auditCount(w, w.a, 'authz.denied', convA)).toBe(before + 2);
    const list = await w.v.call('GET', `/api/v1/tenants/${A}/conversations`, undefined, w.s.agentA2);
    expect(list.json.items).toEqual([]);
    // The supervisor sees every queue.
    expect(
      (await w.v.call('GET', `/api/v1/tenants/${A}/conversations/${convA}`, undefined, w.s.supA)).status,
    ).toBe(200);
  });

  it('records exactly one conversation.read per open and one customer.read per profile view', async () => {
    const c0 = await auditCount(w, w.a, 'conversation.read', convA);
    await w.v.call('GET', `/api/v1/tenants/${A}/conversations/${convA}`, undefined, w.s.agentA1);
    expect(await auditCount(w, w.a, 'conversation.read', convA)).toBe(c0 + 1);
    const p0 = await auditCount(w, w.a, 'customer.read', customerA);
    expect(
      (await w.v.call('GET', `/api/v1/tenants/${A}/customers/${customerA}`, undefined, w.s.agentA1)).status,
    ).toBe(200);
    expect(await auditCount(w, w.a, 'customer.read', customerA)).toBe(p0 + 1);
  });

  it('live updates reach agents of the queue only, with ids and no content', async () => {
    const headers = (s: { cookie: string; userAgent: string }) => ({
      cookie: s.cookie,
      'user-agent': s.userAgent,
    });
    const in1 = await openWs(wsUrl(w, `/api/v1/tenants/${A}/live`), headers(w.s.agentA1));
    const in2 = await openWs(wsUrl(w, `/api/v1/tenants/${A}/live`), headers(w.s.agentA2));
    await expect(openWs(wsUrl(w, `/api/v1/tenants/${A}/live`), headers(w.s.agentB))).rejects.toThrow(/404/);
    await expect(
      openWs(wsUrl(w, `/api/v1/tenants/${A}/live`), {
        ...headers(w.s.agentA1),
        origin: 'https://evil.example',
      }),
    ).rejects.toThrow(/403/);
    await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { text: 'LIVESECRET bitte', clientMessageId: 'acc-00000003' },
      null,
      ORIGIN,
    );
    const ev = await in1.next((m) => m.type === 'message.created');
    expect(ev.conversationId).toBeTruthy();
    expect(JSON.stringify(in1.messages)).not.toContain('LIVESECRET');
    // The hub sends to every socket in one pass, before in1 got its copy: once in2's pong is back,
    // anything sent to in2 has arrived.
    await in2.drained();
    expect(in2.messages.filter((m) => m.type === 'message.created')).toHaveLength(0);
    in1.ws.close();
    in2.ws.close();
  });

  it('assigns manually and round-robin, updates status, and only queue members can be assignees', async () => {
    const me = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/conversations/${convA}/assign`,
      { userId: w.agentA1.id },
      w.s.agentA1,
    );
    expect(me.status).toBe(200);
    expect(me.json.assigneeId).toBe(w.agentA1.id);
    expect(
      (
        await w.v.call(
          'POST',
          `/api/v1/tenants/${A}/conversations/${convA}/assign`,
          { userId: w.agentA2.id },
          w.s.supA,
        )
      ).status,
    ).toBe(400);
    const rr = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/conversations/${convA}/assign`,
      { mode: 'round_robin' },
      w.s.supA,
    );
    expect(rr.status).toBe(200);
    expect(rr.json.assigneeId).toBe(w.agentA1.id);
    const patch = await w.v.call(
      'PATCH',
      `/api/v1/tenants/${A}/conversations/${convA}`,
      { status: 'pending', priority: 'high', tags: ['refund', 'refund'] },
      w.s.agentA1,
    );
    expect(patch.status).toBe(200);
    expect(patch.json).toMatchObject({ status: 'pending', priority: 'high', tags: ['refund'] });
    expect(
      (
        await w.v.call(
          'PATCH',
          `/api/v1/tenants/${A}/conversations/${convA}`,
          { tags: ['<script>'] },
          w.s.agentA1,
        )
      ).status,
    ).toBe(400);
    const f = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/conversations?status=pending&assignee=me`,
      undefined,
      w.s.agentA1,
    );
    expect(f.json.items.map((c: { id: string }) => c.id)).toEqual([convA]);
  });

  it('notes are internal and tokenized values are revealed only with a reason, audited', async () => {
    // A tenant policy that tokenizes e-mail addresses in notes, set through the API (which also
    // refreshes the policy cache, so no waiting for it to expire).
    const admin = await w.v.login(await w.v.makeUser([{ role: 'tenant_admin', tenant: A }]));
    const policy = await w.v.call(
      'PUT',
      `/api/v1/tenants/${A}/settings/pii-policy`,
      {
        policy: {
          defaultOperator: 'keep',
          entities: { PAYMENT_CARD: { operator: 'redact' }, EMAIL: { operator: 'tokenize' } },
        },
      },
      admin,
    );
    expect(policy.status).toBe(200);
    const note = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/conversations/${convA}/notes`,
      { text: 'Kunde schreibt von lena.h@example.de' },
      w.s.agentA1,
    );
    expect(note.status).toBe(201);
    expect(note.json.text).not.toContain('lena.h@example.de');
    const token = /tok_[a-z0-9]{20}/.exec(note.json.text)?.[0];
    expect(token).toBeTruthy();
    expect(
      (
        await w.v.call(
          'POST',
          `/api/v1/tenants/${A}/conversations/${convA}/reveal`,
          { token, reason: 'short' },
          w.s.agentA1,
        )
      ).status,
    ).toBe(400);
    const before = await auditCount(w, w.a, 'value.reveal', convA);
    // Not assigned to the agent: the server refuses until the agent confirms the alert or
    // assigns it (one policy with the reveal_unassigned monitoring rule, issue 25).
    const reveal = (body: Record<string, unknown>) =>
      w.v.call('POST', `/api/v1/tenants/${A}/conversations/${convA}/reveal`, body, w.s.agentA1);
    await w.v.call('POST', `/api/v1/tenants/${A}/conversations/${convA}/assign`, { userId: null }, w.s.supA);
    const refused = await reveal({ token, reason: 'Kunde bittet um Rückruf per E-Mail' });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('assignment_required');
    expect(refused.json.error.details).toEqual([
      { path: '/acknowledgeUnassigned', message: 'reveal_unassigned' },
    ]);
    // The refused attempt is on record (denied), for investigators; nothing was revealed.
    expect(await auditCount(w, w.a, 'value.reveal', convA)).toBe(before + 1);
    const confirmed = await reveal({
      token,
      reason: 'Kunde bittet um Rückruf per E-Mail',
      acknowledgeUnassigned: true,
    });
    expect(confirmed.status).toBe(200);
    const [ev] = await w.v.core.db.withOwner((tx) =>
      rows<{ meta: Record<string, unknown> }>(
        tx,
        sql`select meta from audit_events where tenant_id = ${w.a} and action = 'value.reveal' order by seq desc limit 1`,
      ),
    );
    expect(ev!.meta.assigned).toBe(false);
    await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/conversations/${convA}/assign`,
      { userId: w.agentA1.id },
      w.s.agentA1,
    );
    const r = await reveal({ token, reason: 'Kunde bittet um Rückruf per E-Mail' });
    expect(r.status).toBe(200);
    expect(r.json.value).toBe('lena.h@example.de');
    expect(await auditCount(w, w.a, 'value.reveal', convA)).toBe(before + 3);
    expect(
      (
        await w.v.call(
          'POST',
          `/api/v1/tenants/${A}/conversations/${convA}/reveal`,
          { token, reason: 'Kunde bittet um Rückruf' },
          w.s.agentA2,
        )
      ).status,
    ).toBe(404);
    const history = await w.v.call('GET', `/api/v1/widget/${A}/messages`, undefined, null, ORIGIN);
    expect(history.status).toBe(401);
  }, 20_000);
});
