// Consent records: recording consent per call and marketing consent per customer, with source,
// time and text version; withdrawal stops the processing it covered.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { auditCount, slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

describe(`consent records (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let B: string;
  let dpoA: Session;
  let dpoB: Session;
  const p = () => `/api/v1/tenants/${A}/compliance/consents`;

  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A, slugB: B } = slugs(w));
    dpoA = await w.v.login(await w.v.makeUser([{ role: 'dpo', tenant: A }]));
    dpoB = await w.v.login(await w.v.makeUser([{ role: 'dpo', tenant: B }]));
  });
  afterAll(() => w.v.close());

  it('withdrawn recording consent: the recording is dropped and new recordings are refused', async () => {
    const auth = { authorization: `Bearer ${w.voiceToken}` };
    const call = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls`,
      { from: '+49 30 1111111', to: '+49 30 2222222', direction: 'inbound' },
      null,
      auth,
    );
    expect(call.status).toBe(201);
    const { callId, conversationId } = call.json;
    const conv = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/conversations/${conversationId}`,
      undefined,
      w.s.supA,
    );
    const customerId = conv.json.customerId as string;
    // Consent recorded by the agent for this call, with the text version read to the caller.
    const rec = await w.v.call(
      'POST',
      p(),
      {
        customerId,
        purpose: 'recording',
        callId,
        granted: true,
        source: 'agent',
        textVersion: 'rec-2026-01',
      },
      w.s.agentA1,
    );
    expect(rec.status).toBe(201);
    expect(rec.json).toMatchObject({
      purpose: 'recording',
      callId,
      source: 'agent',
      textVersion: 'rec-2026-01',
      active: true,
    });
    const ok = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls/${callId}/recording`,
      { ref: 's3://r/a.opus' },
      null,
      auth,
    );
    expect(ok.status).toBe(200);

    const wd = await w.v.call('POST', `${p()}/${rec.json.id}/withdraw`, {}, w.s.agentA1);
    expect(wd.status).toBe(200);
    expect(wd.json.active).toBe(false);
    const [k] = await w.v.core.db.withOwner((tx) =>
      rows<{ consent: string; rec: boolean }>(
        tx,
        sql`select consent, recording_ref_enc is not null as rec from calls where id = ${callId}`,
      ),
    );
    expect(k).toEqual({ consent: 'denied', rec: false });
    const refused = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls/${callId}/recording`,
      { ref: 's3://r/b.opus' },
      null,
      auth,
    );
    expect(refused.status).toBe(409);
    expect((await w.v.call('POST', `${p()}/${rec.json.id}/withdraw`, {}, w.s.agentA1)).status).toBe(409);

    const reg = await w.v.call('GET', `${p()}/customers/${customerId}`, undefined, dpoA);
    expect(reg.status).toBe(200);
    expect(reg.json.records[0]).toMatchObject({ id: rec.json.id, active: false });
    expect(reg.json.calls[0]).toMatchObject({ callId, consent: 'denied' });
    expect(await auditCount(w, w.a, 'consent.withdraw', customerId)).toBe(1);
  });

  it('withdrawn marketing consent turns the flag off and removes the customer from the audience', async () => {
    const created = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/customers`,
      { name: 'Max Muster', emails: ['max@example.de'] },
      w.s.supA,
    );
    expect(created.status).toBe(201);
    const customerId = created.json.id as string;
    const rec = await w.v.call(
      'POST',
      p(),
      { customerId, purpose: 'marketing', granted: true, source: 'web_form', textVersion: 'mkt-v3' },
      w.s.supA,
    );
    expect(rec.status).toBe(201);
    const aud = await w.v.call('GET', `${p()}/marketing-audience`, undefined, dpoA);
    expect(aud.json.customerIds).toContain(customerId);
    const prof = await w.v.call('GET', `/api/v1/tenants/${A}/customers/${customerId}`, undefined, w.s.supA);
    expect(prof.json.consents.marketing).toBe(true);

    expect((await w.v.call('POST', `${p()}/${rec.json.id}/withdraw`, {}, w.s.supA)).status).toBe(200);
    const aud2 = await w.v.call('GET', `${p()}/marketing-audience`, undefined, dpoA);
    expect(aud2.json.customerIds).not.toContain(customerId);
    const prof2 = await w.v.call('GET', `/api/v1/tenants/${A}/customers/${customerId}`, undefined, w.s.supA);
    expect(prof2.json.consents.marketing).toBe(false);
    // The audit trail: ids, purpose, text version; never the person's data.
    const events = await w.v.core.db.withOwner((tx) =>
      rows<{ meta: unknown }>(
        tx,
        sql`select meta from audit_events where tenant_id = ${w.a} and action like 'consent.%' and resource_id = ${customerId}`,
      ),
    );
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(events)).not.toMatch(/Max|example\.de/);
  });

  it('validates input, refuses agents reading the register and other tenants', async () => {
    const created = await w.v.call('POST', `/api/v1/tenants/${A}/customers`, { name: 'Eva' }, w.s.supA);
    const customerId = created.json.id as string;
    const bad = await w.v.call(
      'POST',
      p(),
      { customerId, purpose: 'spam', granted: true, source: 'agent', textVersion: 'v1' },
      dpoA,
    );
    expect(bad.status).toBe(400);
    const noVersion = await w.v.call(
      'POST',
      p(),
      { customerId, purpose: 'marketing', granted: true, source: 'agent', textVersion: '<b>' },
      dpoA,
    );
    expect(noVersion.status).toBe(400);
    expect((await w.v.call('GET', `${p()}/customers/${customerId}`, undefined, w.s.agentA1)).status).toBe(
      403,
    );
    expect((await w.v.call('GET', `${p()}/customers/${customerId}`, undefined, dpoB)).status).toBe(404);
    expect(
      (
        await w.v.call(
          'GET',
          `/api/v1/tenants/${B}/compliance/consents/customers/${customerId}`,
          undefined,
          dpoB,
        )
      ).status,
    ).toBe(404);
  });
});
