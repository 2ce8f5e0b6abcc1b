// The customer CRM: encrypted fields, per-role visibility (agents see masked DOB and city only),
// blind-index lookups, merge, erasure (410), and script tags kept as data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCount, databaseBytes, slugs, startWorld, type World } from '../conversations/fixture.ts';
import { testDbKind } from '../helpers/db.ts';

describe(`customers (${testDbKind})`, () => {
  let w: World;
  let A: string;
  const profile = {
    name: 'Greta <script>alert(1)</script> Sommer',
    emails: ['greta.sommer@example.de'],
    phones: ['+49 30 23125 321'],
    address: { street: 'Lindenweg 7', postalCode: '10115', city: 'Berlin', country: 'DE' },
    dateOfBirth: '1985-04-12',
    customerNumber: 'AC-77001',
    language: 'de',
    notes: 'Ruft gern abends an.',
    consents: { marketing: false },
  };

  beforeAll(async () => {
    w = await startWorld();
    A = slugs(w).slugA;
  });
  afterAll(() => w.v.close());

  it('creates a profile and shows agents masked date of birth and only the city', async () => {
    const c = await w.v.call('POST', `/api/v1/tenants/${A}/customers`, profile, w.s.agentA1);
    expect(c.status).toBe(201);
    const id = c.json.id;
    const view = await w.v.call('GET', `/api/v1/tenants/${A}/customers/${id}`, undefined, w.s.agentA1);
    expect(view.status).toBe(200);
    expect(view.headers.get('content-type')).toMatch(/application\/json/);
    expect(view.json.name).toBe(profile.name); // data, returned as JSON, never rendered
    expect(view.json.dateOfBirth).toBe('**.**.1985');
    expect(view.json.address).toEqual({ city: 'Berlin' });
    expect(view.json.emails).toEqual(profile.emails);
    expect(await auditCount(w, w.a, 'customer.read', id)).toBe(1);

    const list = await w.v.call('GET', `/api/v1/tenants/${A}/customers?limit=100`, undefined, w.s.agentA1);
    expect(list.status).toBe(200);
    const ids = JSON.stringify(list.json)
      .match(/"id":"([^"]+)"/g)
      ?.map((x) => x.slice(6, -1));
    expect(ids).toContain(id);
    expect(
      (await w.v.call('GET', `/api/v1/tenants/${A}/customers?limit=101`, undefined, w.s.agentA1)).status,
    ).toBe(400);

    const bytes = await databaseBytes(w);
    for (const needle of ['greta.sommer@example.de', 'Lindenweg', 'Sommer', 'AC-77001'])
      expect(bytes.includes(Buffer.from(needle)), needle).toBe(false);
  });

  it('finds customers by e-mail, phone and customer number (POST lookup), within the tenant only', async () => {
    for (const by of [
      { email: 'GRETA.SOMMER@example.de' },
      { phone: '030 23125321' },
      { customerNumber: 'ac-77001' },
    ]) {
      const r = await w.v.call('POST', `/api/v1/tenants/${A}/customers/lookup`, by, w.s.agentA1);
      expect(r.status).toBe(200);
      expect(r.json.items).toHaveLength(1);
    }
    const none = await w.v.call(
      'POST',
      `/api/v1/tenants/${slugs(w).slugB}/customers/lookup`,
      { email: 'greta.sommer@example.de' },
      w.s.agentB,
    );
    expect(none.json.items).toEqual([]);
    expect((await w.v.call('POST', `/api/v1/tenants/${A}/customers/lookup`, {}, w.s.agentA1)).status).toBe(
      400,
    );
  });

  it('merges duplicates: the survivor gets the contact data and the conversations', async () => {
    const a = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/customers`,
      { name: 'Jan Dupe', emails: ['jan@example.de'] },
      w.s.agentA1,
    );
    const b = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/customers`,
      { phones: ['+49 30 23125 400'] },
      w.s.agentA1,
    );
    const call = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls`,
      { from: '+49 30 23125 400', to: '+49 30 23125 999', direction: 'inbound' },
      null,
      { authorization: `Bearer ${w.voiceToken}` },
    );
    await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls/${call.json.callId}/transcript`,
      { segments: [{ seq: 0, speaker: 'customer', text: 'Hallo, ich habe eine Frage zur Rechnung.' }] },
      null,
      { authorization: `Bearer ${w.voiceToken}` },
    );
    const m = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/customers/${a.json.id}/merge`,
      { otherId: b.json.id },
      w.s.agentA1,
    );
    expect(m.status).toBe(200);
    expect(m.json.phones).toEqual(['+49 30 23125 400']);
    const conv = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/conversations/${call.json.conversationId}`,
      undefined,
      w.s.supA,
    );
    expect(conv.json.customerId).toBe(a.json.id);
    expect(conv.json.messages[0].text).toBe('Hallo, ich habe eine Frage zur Rechnung.');
    const byPhone = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/customers/lookup`,
      { phone: '+49 30 23125 400' },
      w.s.agentA1,
    );
    expect(byPhone.json.items.map((x: { id: string }) => x.id)).toEqual([a.json.id]);
    expect(
      (
        await w.v.call(
          'POST',
          `/api/v1/tenants/${A}/customers/${a.json.id}/merge`,
          { otherId: b.json.id },
          w.s.agentA1,
        )
      ).status,
    ).toBe(409);
  });

  it('an erased (shredded) customer answers 410 data_erased', async () => {
    const c = await w.v.call('POST', `/api/v1/tenants/${A}/customers`, { name: 'Erika Gone' }, w.s.agentA1);
    await w.v.core.keyring.shredSubject(w.a, c.json.id);
    const r = await w.v.call('GET', `/api/v1/tenants/${A}/customers/${c.json.id}`, undefined, w.s.agentA1);
    expect(r.status).toBe(410);
    expect(r.json.error.code).toBe('data_erased');
  });

  it('rejects malformed profiles with 400 and updates with PATCH', async () => {
    expect(
      (await w.v.call('POST', `/api/v1/tenants/${A}/customers`, { dateOfBirth: 'yesterday' }, w.s.agentA1))
        .status,
    ).toBe(400);
    expect(
      (await w.v.call('POST', `/api/v1/tenants/${A}/customers`, { emails: 'x' }, w.s.agentA1)).status,
    ).toBe(400);
    expect(
      (await w.v.call('POST', `/api/v1/tenants/${A}/customers`, { isAdmin: true }, w.s.agentA1)).status,
    ).toBe(400);
    const c = await w.v.call('POST', `/api/v1/tenants/${A}/customers`, { name: 'Paula Patch' }, w.s.agentA1);
    const p = await w.v.call(
      'PATCH',
      `/api/v1/tenants/${A}/customers/${c.json.id}`,
      { notes: 'VIP', consents: { recording: true } },
      w.s.agentA1,
    );
    expect(p.status).toBe(200);
    expect(p.json).toMatchObject({ name: 'Paula Patch', notes: 'VIP', consents: { recording: true } });
  });
});
