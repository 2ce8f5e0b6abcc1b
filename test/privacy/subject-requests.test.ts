// Data-subject requests over HTTP: the register with deadlines, access export (JSON and HTML),
// erasure by crypto-shredding with a certificate in the audit log, restriction of processing, and
// who may call the privacy routes.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/audit/index.ts';
import { rows } from '../../src/platform/db.ts';
import { auditCount, ORIGIN, slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

describe(`data-subject requests (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let B: string;
  let dpoA: Session;
  let dpoB: Session;

  const newChatCustomer = async (text: string, email: string, id: string) => {
    const m = await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { text, clientMessageId: `dsar-${id}` },
      null,
      ORIGIN,
    );
    expect(m.status).toBe(201);
    const conv = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/conversations/${m.json.conversationId}`,
      undefined,
      w.s.supA,
    );
    const customerId = conv.json.customerId as string;
    const u = await w.v.call(
      'PATCH',
      `/api/v1/tenants/${A}/customers/${customerId}`,
      { name: 'Jana <b>Fischer</b>', emails: [email], dateOfBirth: '1990-02-03' },
      w.s.supA,
    );
    expect(u.status).toBe(200);
    return { customerId, conversationId: m.json.conversationId as string };
  };

  const request = async (customerId: string, type: string, s = dpoA) => {
    const r = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/privacy/requests`,
      { customerId, type, identityCheck: { method: 'email_confirmation' } },
      s,
    );
    return r;
  };

  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A, slugB: B } = slugs(w));
    dpoA = await w.v.login(await w.v.makeUser([{ role: 'dpo', tenant: A }]));
    dpoB = await w.v.login(await w.v.makeUser([{ role: 'dpo', tenant: B }]));
  });
  afterAll(() => w.v.close());

  it('registers requests with a one-month deadline and an identity check', async () => {
    const { customerId } = await newChatCustomer('Hallo, ich bin neu hier', 'reg@example.de', '00000001');
    const r = await request(customerId, 'access');
    expect(r.status).toBe(201);
    expect(r.json.state).toBe('received');
    expect(r.json.identityCheck.method).toBe('email_confirmation');
    const received = new Date(r.json.receivedAt);
    const due = new Date(r.json.dueAt);
    const days = (due.getTime() - received.getTime()) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(28);
    expect(days).toBeLessThanOrEqual(31);
    expect(r.json.overdue).toBe(false);

    // An old request is overdue.
    await w.v.core.db.withOwner((tx) =>
      tx.execute(sql`update subject_requests set received_at = now() - interval '40 days',
        due_at = now() - interval '9 days' where id = ${r.json.id}`),
    );
    const list = await w.v.call('GET', `/api/v1/tenants/${A}/privacy/requests`, undefined, dpoA);
    expect(list.status).toBe(200);
    const item = list.json.items.find((i: { id: string }) => i.id === r.json.id);
    expect(item.overdue).toBe(true);
    expect(list.json.overdue).toBeGreaterThanOrEqual(1);
    const one = await w.v.call('GET', `/api/v1/tenants/${A}/privacy/requests/${r.json.id}`, undefined, dpoA);
    expect(one.status).toBe(200);
    expect(one.json.customerId).toBe(customerId);
  });

  it('exports everything, then erases: nothing decrypts, nothing is found, the log verifies', async () => {
    const email = 'jana.fischer@example.de';
    const { customerId, conversationId } = await newChatCustomer(
      'Meine Bestellung ist nicht angekommen',
      email,
      '00000002',
    );
    const reply = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/conversations/${conversationId}/messages`,
      { text: 'Wir kümmern uns darum.' },
      w.s.supA,
    );
    expect(reply.status).toBe(201);

    const access = await request(customerId, 'access');
    const ex = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/privacy/customers/${customerId}/export`,
      undefined,
      dpoA,
    );
    expect(ex.status).toBe(200);
    expect(ex.json.erased).toBe(false);
    expect(ex.json.profile.name).toBe('Jana <b>Fischer</b>');
    expect(ex.json.profile.emails).toEqual([email]);
    expect(ex.json.profile.dateOfBirth).toBe('1990-02-03');
    expect(ex.json.conversations).toHaveLength(1);
    const texts = ex.json.conversations[0].messages.map((m: { text: string }) => m.text);
    expect(texts).toContain('Meine Bestellung ist nicht angekommen');
    expect(texts).toContain('Wir kümmern uns darum.');
    const history = ex.json.accessHistory as Array<{
      action: string;
      actorRoles: string[];
      resourceId: string;
    }>;
    const read = history.find((h) => h.action === 'conversation.read' && h.resourceId === conversationId);
    expect(read?.actorRoles).toEqual(['supervisor']);
    expect(history.some((h) => h.action === 'customer.update')).toBe(true);
    expect(ex.json.subjectRequests.map((r: { id: string }) => r.id)).toContain(access.json.id);
    // No other person's data in the history: no meta, no ip.
    expect(JSON.stringify(history)).not.toMatch(/"ip"|"meta"|staff\.test/);
    expect(await auditCount(w, w.a, 'customer.export', customerId)).toBe(1);

    const html = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/privacy/customers/${customerId}/export?format=html`,
      undefined,
      dpoA,
    );
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(html.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(html.text).toContain('Jana &lt;b&gt;Fischer&lt;/b&gt;');
    expect(html.text).not.toContain('<b>Fischer');

    // Erasure needs an erasure request for this customer.
    expect(
      (
        await w.v.call(
          'POST',
          `/api/v1/tenants/${A}/privacy/customers/${customerId}/erase`,
          { requestId: access.json.id },
          dpoA,
        )
      ).status,
    ).toBe(409);
    const er = await request(customerId, 'erasure');
    const [before] = await w.v.core.db.withOwner((tx) =>
      rows<{ n: Uint8Array }>(tx, sql`select name_enc as n from customers where id = ${customerId}`),
    );
    const ctx = {
      tenantId: w.a,
      table: 'customers',
      column: 'name_enc',
      rowId: customerId,
      subjectId: customerId,
    };
    expect(await w.v.core.keyring.decryptFieldText(ctx, Buffer.from(before!.n))).toBe('Jana <b>Fischer</b>');
    const erased = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/privacy/customers/${customerId}/erase`,
      { requestId: er.json.id },
      dpoA,
    );
    expect(erased.status).toBe(200);
    expect(erased.json.certificate.messages).toBe(2);
    expect(erased.json.certificate.conversations).toBe(1);
    expect(erased.json.certificate.keysShredded).toBe(1);

    // Afterwards: 410 for the profile, the export says erased, lookup finds nothing.
    const get = await w.v.call('GET', `/api/v1/tenants/${A}/customers/${customerId}`, undefined, w.s.supA);
    expect(get.status).toBe(410);
    expect(get.json.error.code).toBe('data_erased');
    const after = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/privacy/customers/${customerId}/export`,
      undefined,
      dpoA,
    );
    expect(after.status).toBe(200);
    expect(after.json).toMatchObject({ erased: true, customerId, erasureRequestId: er.json.id });
    expect(after.json.profile).toBeUndefined();
    const look = await w.v.call('POST', `/api/v1/tenants/${A}/customers/lookup`, { email }, w.s.supA);
    expect(look.status).toBe(200);
    expect(look.json.items).toEqual([]);
    expect(
      (await w.v.call('GET', `/api/v1/tenants/${A}/conversations/${conversationId}`, undefined, w.s.supA))
        .status,
    ).toBe(404);
    expect(
      (await w.v.call('GET', `/api/v1/tenants/${A}/privacy/requests/${er.json.id}`, undefined, dpoA)).json
        .state,
    ).toBe('completed');

    // Nothing of the person is left in a decryptable form: no rows, the key is gone.
    const left = await w.v.core.db.withOwner((tx) =>
      rows<{ c: number; m: number; e: boolean }>(
        tx,
        sql`select (select count(*)::int from conversations where customer_id = ${customerId}) as c,
          (select count(*)::int from messages where subject_id = ${customerId}) as m,
          (select name_enc is null and emails_enc is null and dob_enc is null from customers where id = ${customerId}) as e`,
      ),
    );
    expect(left[0]).toEqual({ c: 0, m: 0, e: true });
    // A copy of the old ciphertext (a backup) no longer decrypts: the subject key is shredded.
    await expect(w.v.core.keyring.decryptFieldText(ctx, Buffer.from(before!.n))).rejects.toMatchObject({
      code: 'data_erased',
    });

    // The certificate: ids and counts only.
    const [cert] = await w.v.core.db.withOwner((tx) =>
      rows<{ meta: Record<string, unknown> }>(
        tx,
        sql`select meta from audit_events where tenant_id = ${w.a} and action = 'privacy.erasure' and resource_id = ${customerId}`,
      ),
    );
    expect(cert?.meta).toMatchObject({
      requestId: er.json.id,
      messages: 2,
      conversations: 1,
      keysShredded: 1,
    });
    expect(JSON.stringify(cert?.meta)).not.toMatch(/example\.de|Jana|Fischer/);
    const report = await verifyAuditLog(w.v.core.db, { tenantId: w.a });
    expect(report.ok).toBe(true);

    // Erasing twice is refused.
    expect(
      (
        await w.v.call(
          'POST',
          `/api/v1/tenants/${A}/privacy/customers/${customerId}/erase`,
          { requestId: er.json.id },
          dpoA,
        )
      ).status,
    ).toBe(410);
  });

  it('restriction blocks replies and profile updates with 423; unrestrict restores', async () => {
    const { customerId, conversationId } = await newChatCustomer(
      'Bitte nicht mehr bearbeiten',
      'r@example.de',
      '00000003',
    );
    const req = await request(customerId, 'restriction');
    const r = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/privacy/customers/${customerId}/restrict`,
      { requestId: req.json.id },
      dpoA,
    );
    expect(r.status).toBe(200);
    const reply = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/conversations/${conversationId}/messages`,
      { text: 'Antwort' },
      w.s.supA,
    );
    expect(reply.status).toBe(423);
    expect(reply.json.error.code).toBe('processing_restricted');
    const upd = await w.v.call(
      'PATCH',
      `/api/v1/tenants/${A}/customers/${customerId}`,
      { notes: 'x' },
      w.s.supA,
    );
    expect(upd.status).toBe(423);
    expect(upd.json.error.code).toBe('processing_restricted');
    // Storage continues: the data is still there and exportable.
    const ex = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/privacy/customers/${customerId}/export`,
      undefined,
      dpoA,
    );
    expect(ex.json.restricted).toBe(true);
    expect(ex.json.profile.emails).toEqual(['r@example.de']);

    const u = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/privacy/customers/${customerId}/unrestrict`,
      { requestId: req.json.id },
      dpoA,
    );
    expect(u.status).toBe(200);
    expect(
      (
        await w.v.call(
          'POST',
          `/api/v1/tenants/${A}/conversations/${conversationId}/messages`,
          { text: 'Antwort' },
          w.s.supA,
        )
      ).status,
    ).toBe(201);
    expect(
      (await w.v.call('PATCH', `/api/v1/tenants/${A}/customers/${customerId}`, { notes: 'ok' }, w.s.supA))
        .status,
    ).toBe(200);
  });

  it('agents get 403, another tenant’s DPO gets 404', async () => {
    const { customerId } = await newChatCustomer('Hallo', 'x@example.de', '00000004');
    const paths: Array<[string, string, unknown?]> = [
      ['GET', `/api/v1/tenants/${A}/privacy/requests`],
      [
        'POST',
        `/api/v1/tenants/${A}/privacy/requests`,
        { customerId, type: 'access', identityCheck: { method: 'other' } },
      ],
      ['GET', `/api/v1/tenants/${A}/privacy/customers/${customerId}/export`],
      ['POST', `/api/v1/tenants/${A}/privacy/customers/${customerId}/erase`, { requestId: customerId }],
      ['POST', `/api/v1/tenants/${A}/privacy/customers/${customerId}/restrict`, { requestId: customerId }],
    ];
    for (const [m, p, b] of paths) {
      expect((await w.v.call(m, p, b, w.s.agentA1)).status).toBe(403);
      expect((await w.v.call(m, p, b, dpoB)).status).toBe(404);
    }
    // Through their own tenant's URL, A's customer does not exist for B's DPO.
    expect(
      (await w.v.call('GET', `/api/v1/tenants/${B}/privacy/customers/${customerId}/export`, undefined, dpoB))
        .status,
    ).toBe(404);
    expect((await request(customerId, 'access', dpoB)).status).toBe(404);
  });
});
