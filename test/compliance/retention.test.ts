// Retention: a policy of N days deletes exactly what is older and not on hold (controllable
// clock), a run stopped half-way resumes without deleting anything twice, a second run deletes
// nothing, legal holds suspend deletion, audit-event retention keeps the chain verifiable.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/audit/index.ts';
import { createRetention } from '../../src/compliance/index.ts';
import { systemContext } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { auditCount, slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { addRecordedCall, ageConversation, ageCustomer, DAY, exists, newConversation } from './helpers.ts';

describe(`retention (${testDbKind})`, () => {
  let w: World;
  let A: { id: string; slug: string };
  let B: { id: string; slug: string };
  let dpoA: Session;
  let dpoB: Session;
  const now = new Date();
  let clockAt = now;
  const clock = () => clockAt;
  const retention = () =>
    createRetention({
      db: w.v.core.db,
      keyring: w.v.core.keyring,
      audit: w.v.core.audit,
      signer: w.v.core.signer,
      clock,
    });
  const ctxA = () => systemContext({ ...A, name: A.slug });

  beforeAll(async () => {
    w = await startWorld();
    A = { id: w.a, slug: slugs(w).slugA };
    B = { id: w.b, slug: slugs(w).slugB };
    dpoA = await w.v.login(await w.v.makeUser([{ role: 'dpo', tenant: A.slug }]));
    dpoB = await w.v.login(await w.v.makeUser([{ role: 'dpo', tenant: B.slug }]));
  });
  afterAll(() => w.v.close());

  it('deletes exactly the expired, unheld data; resumes; a second run deletes nothing', async () => {
    const v = w.v;
    const chatOld = await newConversation(v, A, 'chat');
    const chatNew = await newConversation(v, A, 'chat');
    const chatHeld = await newConversation(v, A, 'chat');
    const chatOld2 = await newConversation(v, A, 'chat');
    const mailOld = await newConversation(v, A, 'email', { email: 'old@example.de' });
    const mailNew = await newConversation(v, A, 'email', { email: 'new@example.de' });
    const voiceOld = await newConversation(v, A, 'voice');
    const voiceNew = await newConversation(v, A, 'voice');
    const oldCall = await addRecordedCall(v, A.id, voiceNew.conversationId, voiceNew.customerId, 20);
    const newCall = await addRecordedCall(v, A.id, voiceNew.conversationId, voiceNew.customerId, 2);
    const profileOld = await newConversation(v, A, 'chat', { name: 'Alt Kunde' });
    const profileHeld = await newConversation(v, A, 'chat', { name: 'Gehalten' });
    for (const c of [chatOld, chatHeld, chatOld2, mailOld, voiceOld])
      await ageConversation(v, c.conversationId, 40);
    for (const c of [chatNew, mailNew, voiceNew]) await ageConversation(v, c.conversationId, 29);
    for (const c of [profileOld, profileHeld]) {
      await ageConversation(v, c.conversationId, 400);
      await ageCustomer(v, c.customerId, 500);
    }
    // A different tenant's identical data is untouched by A's policies.
    const otherTenant = await newConversation(v, B, 'chat');
    await ageConversation(v, otherTenant.conversationId, 400);

    for (const [category, days] of [
      ['chat', 30],
      ['email', 30],
      ['transcripts', 30],
      ['recordings', 10],
      ['customer_profiles', 365],
    ] as const) {
      const r = await v.call(
        'PUT',
        `/api/v1/tenants/${A.slug}/compliance/retention/policies/${category}`,
        { days },
        dpoA,
      );
      expect(r.status).toBe(200);
    }
    const hold = await v.call(
      'POST',
      `/api/v1/tenants/${A.slug}/compliance/legal-holds`,
      { scope: 'conversation', targetId: chatHeld.conversationId, reference: 'CASE-2026/17' },
      dpoA,
    );
    expect(hold.status).toBe(201);
    const hold2 = await v.call(
      'POST',
      `/api/v1/tenants/${A.slug}/compliance/legal-holds`,
      { scope: 'customer', targetId: profileHeld.customerId, reference: 'CASE-2026/18' },
      dpoA,
    );
    expect(hold2.status).toBe(201);

    // Stopped after two batches of one: the run stays open with its cursor.
    const r = retention();
    const partial = await r.run(ctxA(), { batchSize: 1, maxBatches: 2 });
    expect(partial.state).toBe('running');
    // The chat category covers the expired profile's old chat too.
    expect(partial.deleted.chat).toBe(2);
    // Later (a restart), the same run resumes at its own as_of, whatever the clock says now.
    clockAt = new Date(now.getTime() + 3 * DAY);
    const done = await r.run(ctxA(), { batchSize: 1 });
    expect(done.id).toBe(partial.id);
    expect(done.asOf).toBe(now.toISOString());
    expect(done.state).toBe('completed');
    expect(done.deleted).toEqual({ chat: 3, email: 1, transcripts: 1, recordings: 1, customer_profiles: 1 });
    expect(done.heldBack).toMatchObject({ chat: 2, customer_profiles: 1 });
    expect(JSON.stringify(done)).not.toMatch(/Erika|example\.de|Gehalten/);

    for (const c of [chatOld, chatOld2, mailOld, voiceOld])
      expect(await exists(v, 'conversations', c.conversationId)).toBe(false);
    for (const c of [chatNew, chatHeld, mailNew, voiceNew, profileHeld, otherTenant])
      expect(await exists(v, 'conversations', c.conversationId)).toBe(true);
    const calls = await v.core.db.withOwner((tx) =>
      rows<{ id: string; rec: boolean }>(
        tx,
        sql`select id, recording_ref_enc is not null as rec from calls where id in (${oldCall}, ${newCall})`,
      ),
    );
    expect(Object.fromEntries(calls.map((c) => [c.id, c.rec]))).toEqual({
      [oldCall]: false,
      [newCall]: true,
    });
    expect(
      await exists(
        v,
        'customers',
        profileOld.customerId,
        sql`and erased_at is not null and name_enc is null`,
      ),
    ).toBe(true);
    expect(await exists(v, 'conversations', profileOld.conversationId)).toBe(false);
    expect(await exists(v, 'customers', profileHeld.customerId, sql`and erased_at is null`)).toBe(true);
    const [tomb] = await v.core.db.withOwner((tx) =>
      rows<{ reason: string; request_id: string | null }>(
        tx,
        sql`select reason, request_id from customer_erasures where customer_id = ${profileOld.customerId}`,
      ),
    );
    expect(tomb).toEqual({ reason: 'retention', request_id: null });

    // The second run at the same time finds nothing (three days later, the 29-day-old chat expires).
    clockAt = now;
    const again = await r.run(ctxA());
    expect(again.id).not.toBe(done.id);
    expect(again.deleted).toEqual({ chat: 0, email: 0, transcripts: 0, recordings: 0, customer_profiles: 0 });

    // The report and the audit trail: counts, no content; the chain still verifies.
    expect(await auditCount(w, A.id, 'retention.run.complete', done.id)).toBe(1);
    const [complete] = await v.core.db.withOwner((tx) =>
      rows<{ meta: Record<string, unknown> }>(
        tx,
        sql`select meta from audit_events where tenant_id = ${A.id} and action = 'retention.run.complete' and resource_id = ${done.id}`,
      ),
    );
    expect(complete!.meta).toMatchObject({ deleted_chat: 3, held_chat: 2 });
    const list = await v.call('GET', `/api/v1/tenants/${A.slug}/compliance/retention/runs`, undefined, dpoA);
    expect(list.json.items.map((x: { id: string }) => x.id)).toEqual(
      expect.arrayContaining([done.id, again.id]),
    );
    expect((await verifyAuditLog(v.core.db, { tenantId: A.id })).ok).toBe(true);

    // A held customer cannot be erased on request either (Art. 17(3)(e)).
    const er = await v.call(
      'POST',
      `/api/v1/tenants/${A.slug}/privacy/requests`,
      {
        customerId: profileHeld.customerId,
        type: 'erasure',
        identityCheck: { method: 'email_confirmation' },
      },
      dpoA,
    );
    const refused = await v.call(
      'POST',
      `/api/v1/tenants/${A.slug}/privacy/customers/${profileHeld.customerId}/erase`,
      { requestId: er.json.id },
      dpoA,
    );
    expect(refused.status).toBe(409);

    // Releasing the holds lets the next run delete what had expired.
    for (const h of [hold, hold2])
      expect(
        (
          await v.call(
            'POST',
            `/api/v1/tenants/${A.slug}/compliance/legal-holds/${h.json.id}/release`,
            {},
            dpoA,
          )
        ).status,
      ).toBe(200);
    const after = await r.run(ctxA());
    expect(after.deleted).toMatchObject({ chat: 2, customer_profiles: 1 });
    expect(await exists(v, 'conversations', chatHeld.conversationId)).toBe(false);
    expect(await exists(v, 'conversations', otherTenant.conversationId)).toBe(true);
  });

  it('audit events: suspended by a legal hold, otherwise purged behind a signed anchor; the chain verifies', async () => {
    const v = w.v;
    const c = await newConversation(v, B, 'chat');
    const put = await v.call(
      'PUT',
      `/api/v1/tenants/${B.slug}/compliance/retention/policies/audit_events`,
      { days: 1 },
      dpoB,
    );
    expect(put.status).toBe(200);
    const hold = await v.call(
      'POST',
      `/api/v1/tenants/${B.slug}/compliance/legal-holds`,
      { scope: 'customer', targetId: c.customerId, reference: 'LIT-1' },
      dpoB,
    );
    const ctxB = systemContext({ ...B, name: B.slug });
    clockAt = new Date(Date.now() + 2 * DAY);
    const held = await retention().run(ctxB);
    expect(held.deleted.audit_events).toBe(0);
    expect(held.heldBack.audit_events).toBe(1);
    await v.call(
      'POST',
      `/api/v1/tenants/${B.slug}/compliance/legal-holds/${hold.json.id}/release`,
      {},
      dpoB,
    );
    const before = await auditCount(w, B.id, 'legal_hold.place');
    expect(before).toBe(1);
    const purged = await retention().run(ctxB);
    expect(purged.deleted.audit_events).toBeGreaterThan(5);
    expect(await auditCount(w, B.id, 'legal_hold.place')).toBe(0);
    const anchors = await v.core.db.withOwner((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from audit_retention_anchors where tenant_id = ${B.id}`,
      ),
    );
    expect(anchors[0]!.n).toBe(1);
    // The run's own completion event is written after the cut and remains.
    expect(await auditCount(w, B.id, 'retention.run.complete', purged.id)).toBe(1);
    const report = await verifyAuditLog(v.core.db, { tenantId: B.id });
    expect(report.ok).toBe(true);
    // Back at the real time, nothing is older than a day any more.
    clockAt = new Date();
    const again = await retention().run(ctxB);
    expect(again.deleted.audit_events).toBe(0);
    // The periodic job runs every tenant with an enabled policy, as the system.
    const scheduled = await retention().runAll((e) => {
      throw e;
    });
    expect(scheduled.length).toBeGreaterThanOrEqual(2);
    expect(scheduled.every((r) => r.trigger === 'schedule' && r.state === 'completed')).toBe(true);
  });

  it('only the DPO manages retention; other tenants answer 404; bad input is a 400', async () => {
    const v = w.v;
    const p = `/api/v1/tenants/${A.slug}/compliance/retention/policies/chat`;
    expect((await v.call('PUT', p, { days: 5 }, w.s.agentA1)).status).toBe(403);
    expect((await v.call('PUT', p, { days: 5 }, dpoB)).status).toBe(404);
    const bad = await v.call('PUT', p, { days: 0 }, dpoA);
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_input');
    expect(
      (
        await v.call(
          'PUT',
          `/api/v1/tenants/${A.slug}/compliance/retention/policies/other`,
          { days: 5 },
          dpoA,
        )
      ).status,
    ).toBe(400);
    const h = await v.call(
      'POST',
      `/api/v1/tenants/${A.slug}/compliance/legal-holds`,
      { scope: 'customer', targetId: '00000000-0000-4000-8000-000000000000', reference: 'X' },
      dpoA,
    );
    expect(h.status).toBe(404);
    expect(
      (await v.call('GET', `/api/v1/tenants/${A.slug}/compliance/retention/runs`, undefined, w.s.supA))
        .status,
    ).toBe(403);
  });
});
