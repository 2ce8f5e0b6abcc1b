// Rectification (Art. 16) as an action: the DPO applies the change through the request; the
// request keeps before/after evidence sealed under the customer's key (gone with an erasure), the
// audit log names the fields only.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

describe(`rectification through the subject request (${testDbKind})`, () => {
  let v: TestVigil;
  let dpo: Session;
  let sup: Session;
  const slug = 'rectify-a';
  const base = `/api/v1/tenants/${slug}`;
  beforeAll(async () => {
    v = await startTestVigil();
    await v.tenant(slug);
    dpo = await v.login(await v.makeUser([{ role: 'dpo', tenant: slug }]));
    sup = await v.login(await v.makeUser([{ role: 'supervisor', tenant: slug }]));
  });
  afterAll(() => v.close());

  const request = async (customerId: string, type: string) => {
    const r = await v.call(
      'POST',
      `${base}/privacy/requests`,
      { customerId, type, identityCheck: { method: 'id_document_sighted' } },
      dpo,
    );
    expect(r.status).toBe(201);
    return r.json.id as string;
  };

  it('applies the change, keeps sealed before/after evidence on the request, audits the fields', async () => {
    const c = await v.call(
      'POST',
      `${base}/customers`,
      { name: 'Greta Alt', emails: ['greta.alt@example.de'] },
      sup,
    );
    const customerId = c.json.id as string;
    const requestId = await request(customerId, 'rectification');
    const rectify = (body: unknown, s = dpo) =>
      v.call('POST', `${base}/privacy/customers/${customerId}/rectify`, body, s);

    expect((await rectify({ requestId, changes: { consents: { marketing: true } } })).status).toBe(400);
    expect((await rectify({ requestId, changes: {} })).status).toBe(400);
    expect((await rectify({ requestId, changes: { name: 'X' } }, sup)).status).toBe(403);
    const done = await rectify({
      requestId,
      changes: { name: 'Greta Neu', emails: ['greta.neu@example.de'] },
    });
    expect(done.status).toBe(200);
    expect(done.json.rectification).toMatchObject({
      fields: ['emails', 'name'],
      before: { name: 'Greta Alt', emails: ['greta.alt@example.de'] },
      after: { name: 'Greta Neu', emails: ['greta.neu@example.de'] },
    });
    // Applied: the profile and the lookup by the new address.
    expect((await v.call('GET', `${base}/customers/${customerId}`, undefined, dpo)).json.name).toBe(
      'Greta Neu',
    );
    const look = (email: string) => v.call('POST', `${base}/customers/lookup`, { email }, sup);
    expect((await look('greta.neu@example.de')).json.items.map((i: { id: string }) => i.id)).toEqual([
      customerId,
    ]);
    expect((await look('greta.alt@example.de')).json.items).toEqual([]);
    // The request is completed and shows its evidence; once only.
    const req = await v.call('GET', `${base}/privacy/requests/${requestId}`, undefined, dpo);
    expect(req.json).toMatchObject({ state: 'completed', rectification: { before: { name: 'Greta Alt' } } });
    expect((await rectify({ requestId, changes: { name: 'Again' } })).status).toBe(409);
    // Sealed at rest, and the audit event holds field names only.
    const [stored] = await v.core.db.withOwner((tx) =>
      rows<{ e: Uint8Array }>(
        tx,
        sql`select rectification_enc as e from subject_requests where id = ${requestId}`,
      ),
    );
    expect(Buffer.from(stored!.e).includes(Buffer.from('Greta Alt'))).toBe(false);
    const [ev] = await v.core.db.withOwner((tx) =>
      rows<{ meta: Record<string, unknown> }>(
        tx,
        sql`select meta from audit_events where action = 'privacy.rectify' and resource_id = ${customerId}`,
      ),
    );
    expect(ev!.meta).toEqual({ requestId, fields: 'emails,name' });

    // An erasure request cannot rectify; an erasure shreds the evidence with the customer.
    const erasure = await request(customerId, 'erasure');
    expect((await rectify({ requestId: erasure, changes: { name: 'Y' } })).status).toBe(409);
    const erased = await v.call(
      'POST',
      `${base}/privacy/customers/${customerId}/erase`,
      { requestId: erasure },
      dpo,
    );
    expect(erased.status).toBe(200);
    const after = await v.call('GET', `${base}/privacy/requests/${requestId}`, undefined, dpo);
    expect(after.status).toBe(200);
    expect(after.json.rectification).toBeUndefined();
  });
});
