// Must show, end to end on a running server: a customer with chat, e-mail and call history and a
// consent → the DSAR export holds all of it and the access history → erasure → the export says
// erased, nothing decrypts, search by e-mail finds nothing, the certificate is in the audit log
// and the log still verifies.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/audit/index.ts';
import { rows } from '../../src/platform/db.ts';
import { addRecordedCall, newConversation } from '../compliance/helpers.ts';
import { pdfText } from '../compliance/pdf.ts';
import { slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

describe(`DSAR across channels, end to end (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let dpo: Session;
  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A } = slugs(w));
    dpo = await w.v.login(await w.v.makeUser([{ role: 'dpo', tenant: A }]));
  });
  afterAll(() => w.v.close());

  it('exports chat, e-mail, calls, consents and access history; erasure leaves nothing readable', async () => {
    const t = { id: w.a, slug: A };
    const email = 'lena.schmidt@example.de';
    const mail = await newConversation(w.v, t, 'email', {
      email,
      name: 'Lena Schmidt',
      text: 'Meine Rechnung 2026-04 ist falsch.',
    });
    const customerId = mail.customerId;
    const chat = await newConversation(w.v, t, 'chat', {
      customerId,
      text: 'Ich schreibe wegen der Rechnung.',
    });
    const voice = await newConversation(w.v, t, 'voice', {
      customerId,
      text: 'Guten Tag, Schmidt am Apparat.',
    });
    const callId = await addRecordedCall(w.v, w.a, voice.conversationId, customerId, 1);
    const consent = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/compliance/consents`,
      { customerId, purpose: 'marketing', granted: true, source: 'web_form', textVersion: 'mkt-v3' },
      w.s.supA,
    );
    expect(consent.status).toBe(201);
    // An agent's read becomes part of the access history.
    expect(
      (
        await w.v.call(
          'GET',
          `/api/v1/tenants/${A}/conversations/${chat.conversationId}`,
          undefined,
          w.s.supA,
        )
      ).status,
    ).toBe(200);

    const ex = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/privacy/customers/${customerId}/export`,
      undefined,
      dpo,
    );
    expect(ex.status).toBe(200);
    expect(ex.json.profile.emails).toEqual([email]);
    expect(ex.json.conversations.map((c: { channel: string }) => c.channel).sort()).toEqual([
      'chat',
      'email',
      'voice',
    ]);
    const texts = ex.json.conversations.flatMap((c: { messages: Array<{ text: string }> }) =>
      c.messages.map((m) => m.text),
    );
    expect(texts).toEqual(
      expect.arrayContaining(['Ich schreibe wegen der Rechnung.', 'Guten Tag, Schmidt am Apparat.']),
    );
    expect(ex.json.calls.map((k: { id: string }) => k.id)).toEqual([callId]);
    expect(ex.json.consents.records[0]).toMatchObject({
      purpose: 'marketing',
      textVersion: 'mkt-v3',
      source: 'web_form',
    });
    const reads = ex.json.accessHistory.filter((h: { action: string }) => h.action === 'conversation.read');
    expect(reads[0]).toMatchObject({ resourceId: chat.conversationId, actorRoles: ['supervisor'] });

    // The readable PDF of the same export.
    const pdf = await fetch(
      `${w.v.url}/api/v1/tenants/${A}/privacy/customers/${customerId}/export?format=pdf`,
      {
        headers: { cookie: dpo.cookie, 'user-agent': dpo.userAgent },
      },
    );
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = pdfText(Buffer.from(await pdf.arrayBuffer()));
    for (const x of [
      email,
      'Ich schreibe wegen der Rechnung.',
      'Who accessed the data',
      'conversation.read',
      'mkt-v3',
      callId,
    ])
      expect(text).toContain(x);

    const [before] = await w.v.core.db.withOwner((tx) =>
      rows<{ body: Uint8Array; id: string }>(
        tx,
        sql`select id, body_enc as body from messages where conversation_id = ${mail.conversationId} limit 1`,
      ),
    );
    const er = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/privacy/requests`,
      { customerId, type: 'erasure', identityCheck: { method: 'email_confirmation' } },
      dpo,
    );
    const erased = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/privacy/customers/${customerId}/erase`,
      { requestId: er.json.id },
      dpo,
    );
    expect(erased.status).toBe(200);
    expect(erased.json.certificate).toMatchObject({
      conversations: 3,
      messages: 3,
      calls: 1,
      keysShredded: 1,
    });

    const after = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/privacy/customers/${customerId}/export`,
      undefined,
      dpo,
    );
    expect(after.json).toMatchObject({ erased: true, erasureRequestId: er.json.id });
    const look = await w.v.call('POST', `/api/v1/tenants/${A}/customers/lookup`, { email }, w.s.supA);
    expect(look.json.items).toEqual([]);
    await expect(
      w.v.core.keyring.decryptFieldText(
        { tenantId: w.a, table: 'messages', column: 'body_enc', rowId: before!.id, subjectId: customerId },
        Buffer.from(before!.body),
      ),
    ).rejects.toMatchObject({ code: 'data_erased' });
    const [cert] = await w.v.core.db.withOwner((tx) =>
      rows<{ meta: Record<string, unknown> }>(
        tx,
        sql`select meta from audit_events where tenant_id = ${w.a} and action = 'privacy.erasure' and resource_id = ${customerId}`,
      ),
    );
    expect(cert!.meta).toMatchObject({ requestId: er.json.id, calls: 1, conversations: 3 });
    expect(JSON.stringify(cert)).not.toMatch(/Lena|Schmidt|example\.de/);
    expect((await verifyAuditLog(w.v.core.db, { tenantId: w.a })).ok).toBe(true);
  });
});
