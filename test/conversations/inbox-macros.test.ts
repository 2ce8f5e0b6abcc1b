// Canned replies and macros (issue 25) and the customer panel on a real Vigil: supervisors and
// tenant admins write macros (audited), agents cannot; agents render them for a conversation with
// placeholders filled from what they may see, through the PII outbound guard; the panel shows
// the linked customer masked by the tenant's policy and reveals under the assignment policy.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { auditCount, slugs, startWorld, type World } from './fixture.ts';

describe(`macros and the customer panel (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let B: string;
  let admin: Session;
  let convId: string;
  let customerId: string;
  const call = (method: string, path: string, body: unknown, s: Session) =>
    w.v.call(method, `/api/v1/tenants/${A}${path}`, body, s);

  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A, slugB: B } = slugs(w));
    admin = await w.v.login(await w.v.makeUser([{ role: 'tenant_admin', tenant: A }]));
    // E-mail addresses are tokenized in conversations: the panel masks them too.
    const policy = await call(
      'PUT',
      '/settings/pii-policy',
      { policy: { defaultOperator: 'keep', entities: { EMAIL: { operator: 'tokenize' } } } },
      admin,
    );
    expect(policy.status).toBe(200);
    const c = await call(
      'POST',
      '/customers',
      { name: 'Ottilie Brandauer', emails: ['ottilie.b@example.org'], customerNumber: 'K-4711' },
      w.s.supA,
    );
    customerId = c.json.id;
    const r = await w.v.app.contact!.ingest.ingestMessage(systemContext({ id: w.a, slug: A, name: A }), {
      channel: 'chat',
      direction: 'inbound',
      author: { type: 'customer', id: null },
      text: 'Hallo, bitte schreiben Sie an ottilie.b@example.org',
      idempotencyKey: `${A}:macros:1`,
      lang: 'de',
      newConversation: { channel: 'chat', customer: { id: customerId }, queueId: w.queueA1 },
    });
    convId = r.conversationId;
  });
  afterAll(() => w.v.close());

  let macroId: string;

  it('supervisors and admins write macros (audited); agents cannot; bad placeholders and duplicates are refused', async () => {
    const body = {
      name: 'Begrüßung',
      language: 'de',
      body: 'Hallo {{customer.firstName}}, hier ist {{agent.firstName}}.',
    };
    expect((await call('POST', '/macros', body, w.s.agentA1)).status).toBe(403);
    const created = await call('POST', '/macros', body, w.s.supA);
    expect(created.status).toBe(201);
    macroId = created.json.id;
    expect(await auditCount(w, w.a, 'macro.create', macroId)).toBe(1);
    expect((await call('POST', '/macros', body, admin)).status).toBe(409);
    const typo = await call(
      'POST',
      '/macros',
      { ...body, name: 'x', body: 'Hallo {{customer.fristName}}' },
      admin,
    );
    expect(typo.status).toBe(400);
    expect(typo.json.error.details).toEqual([{ path: '/body', message: 'customer.fristName' }]);
    expect((await call('POST', '/macros', { ...body, language: 'deu' }, admin)).status).toBe(400);
    const en = await call(
      'POST',
      '/macros',
      { name: 'Thanks', language: 'en', body: 'Thank you!', setStatus: 'resolved' },
      admin,
    );
    expect(en.status).toBe(201);
    const patched = await call(
      'PATCH',
      `/macros/${en.json.id}`,
      { body: 'Thank you, {{customer.name}}!' },
      w.s.supA,
    );
    expect(patched.status).toBe(200);
    expect(patched.json.setStatus).toBe('resolved');
    expect(await auditCount(w, w.a, 'macro.update', en.json.id)).toBe(1);

    const de = await call('GET', '/macros?language=de', undefined, w.s.agentA1);
    expect(de.json.items.map((m: { name: string }) => m.name)).toEqual(['Begrüßung']);
    expect((await call('GET', '/macros', undefined, w.s.agentA1)).json.items).toHaveLength(2);
    // Another tenant sees none of them and cannot touch them.
    const other = await w.v.call('GET', `/api/v1/tenants/${B}/macros`, undefined, w.s.agentB);
    expect(other.json.items).toEqual([]);
    expect((await w.v.call('GET', `/api/v1/tenants/${A}/macros`, undefined, w.s.agentB)).status).toBe(404);
    expect((await call('DELETE', `/macros/${en.json.id}`, undefined, w.s.agentA1)).status).toBe(403);
    expect((await call('DELETE', `/macros/${en.json.id}`, undefined, w.s.supA)).status).toBe(204);
    expect((await call('DELETE', `/macros/${en.json.id}`, undefined, w.s.supA)).status).toBe(404);
    expect(await auditCount(w, w.a, 'macro.delete', en.json.id)).toBe(1);
  });

  it('renders a macro for the agent with placeholders from what the agent may see', async () => {
    await w.v.core.db.withPlatform((tx) =>
      tx.execute(sql`update users set display_name = 'Karla Kundendienst' where id = ${w.agentA1.id}`),
    );
    const r = await call('POST', `/conversations/${convId}/macros/${macroId}/render`, undefined, w.s.agentA1);
    expect(r.status).toBe(200);
    expect(r.json.text).toBe('Hallo Ottilie, hier ist Karla.');
    expect(await auditCount(w, w.a, 'macro.use', convId)).toBe(1);
    // Not in the agent's queue: 404, like the conversation itself.
    expect(
      (await call('POST', `/conversations/${convId}/macros/${macroId}/render`, undefined, w.s.agentA2))
        .status,
    ).toBe(404);
  });

  it('blocks a macro that would disclose another person’s e-mail address (outbound guard)', async () => {
    const bad = await call(
      'POST',
      '/macros',
      {
        name: 'Weiterleitung',
        language: 'de',
        body: 'Schreiben Sie an hans.meier@example.com, {{customer.firstName}}.',
      },
      w.s.supA,
    );
    const r = await call(
      'POST',
      `/conversations/${convId}/macros/${bad.json.id}/render`,
      undefined,
      w.s.agentA1,
    );
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe('outbound_blocked');
    expect(r.text).not.toContain('hans.meier');
    const [ev] = await w.v.core.db.withOwner((tx) =>
      rows<{ meta: Record<string, unknown> }>(
        tx,
        sql`select meta from audit_events where tenant_id = ${w.a} and action = 'automation.reply.blocked' order by seq desc limit 1`,
      ),
    );
    expect(ev!.meta).toMatchObject({ source: 'macro', macroId: bad.json.id, types: 'EMAIL' });
  });

  it('fills the customer panel from the linked customer, masked by the tenant policy, revealed under the assignment policy', async () => {
    const p = await call('GET', `/conversations/${convId}/customer-panel`, undefined, w.s.agentA1);
    expect(p.status).toBe(200);
    const field = (f: string) => p.json.fields.find((x: { field: string }) => x.field === f);
    expect(field('name')).toEqual({ field: 'name', count: 1, values: ['Ottilie Brandauer'], masked: false });
    expect(field('emails')).toEqual({ field: 'emails', count: 1, values: [], masked: true });
    expect(field('customerNumber').values).toEqual(['K-4711']);
    expect(p.text).not.toContain('ottilie.b@');
    expect(p.json.given).toEqual([{ type: 'EMAIL', token: expect.stringMatching(/^tok_/) }]);
    expect(
      (await call('GET', `/conversations/${convId}/customer-panel`, undefined, w.s.agentA2)).status,
    ).toBe(404);
    expect(
      (
        await w.v.call(
          'GET',
          `/api/v1/tenants/${A}/conversations/${convId}/customer-panel`,
          undefined,
          w.s.agentB,
        )
      ).status,
    ).toBe(404);

    const reveal = (body: Record<string, unknown>) =>
      call('POST', `/conversations/${convId}/customer-panel/reveal`, body, w.s.agentA1);
    const refused = await reveal({ field: 'emails', reason: 'Kundin möchte Bestätigung per E-Mail' });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('assignment_required');
    expect((await reveal({ field: 'emails', reason: 'kurz' })).status).toBe(400);
    await call('POST', `/conversations/${convId}/assign`, { userId: w.agentA1.id }, w.s.agentA1);
    const before = await auditCount(w, w.a, 'value.reveal', convId);
    const ok = await reveal({ field: 'emails', reason: 'Kundin möchte Bestätigung per E-Mail' });
    expect(ok.status).toBe(200);
    expect(ok.json.values).toEqual(['ottilie.b@example.org']);
    expect(await auditCount(w, w.a, 'value.reveal', convId)).toBe(before + 1);
  });
});
