// Tenant offboarding: export for the client, then the purge (only with that export's digest),
// crypto-shredding the tenant keys, with a certificate in the audit log that still verifies.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/audit/index.ts';
import { rows } from '../../src/platform/db.ts';
import { startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { newConversation } from './helpers.ts';

describe(`tenant offboarding (${testDbKind})`, () => {
  let v: TestVigil;
  beforeAll(async () => {
    v = await startTestVigil();
  });
  afterAll(() => v.close());

  it('exports, refuses a purge without that export, purges, shreds and certifies', async () => {
    const slug = `off-${randomBytes(3).toString('hex')}`;
    const id = await v.tenant(slug);
    const keep = await v.tenant(`${slug}-keep`);
    const dpo = await v.login(await v.makeUser([{ role: 'dpo', tenant: slug }]));
    const admin = await v.login(await v.makeUser([{ role: 'platform_admin' }]));
    const c1 = await newConversation(v, { id, slug }, 'chat', {
      name: 'Offboard Kundin',
      email: 'kundin@example.de',
    });
    await newConversation(v, { id, slug }, 'email', { customerId: c1.customerId });
    const other = await newConversation(v, { id: keep, slug: `${slug}-keep` }, 'chat');
    const [enc] = await v.core.db.withOwner((tx) =>
      rows<{ n: Uint8Array }>(tx, sql`select name_enc as n from customers where id = ${c1.customerId}`),
    );

    expect((await v.call('POST', `/api/v1/admin/tenants/${slug}/offboarding/export`, {}, dpo)).status).toBe(
      403,
    );
    const ex = await v.call('POST', `/api/v1/admin/tenants/${slug}/offboarding/export`, {}, admin);
    expect(ex.status).toBe(200);
    expect(ex.json.customers).toHaveLength(1);
    expect(ex.json.customers[0].profile.emails).toEqual(['kundin@example.de']);
    expect(ex.json.customers[0].conversations).toHaveLength(2);
    expect(ex.json.processingRecord.activities.length).toBeGreaterThan(0);
    expect(ex.json.digest).toMatch(/^[0-9a-f]{64}$/);

    const purge = (body: unknown) =>
      v.call('POST', `/api/v1/admin/tenants/${slug}/offboarding/purge`, body, admin);
    expect((await purge({ confirmSlug: slug, exportDigest: 'a'.repeat(64) })).status).toBe(409);
    expect((await purge({ confirmSlug: `${slug}-keep`, exportDigest: ex.json.digest })).status).toBe(422);
    const done = await purge({ confirmSlug: slug, exportDigest: ex.json.digest });
    expect(done.status).toBe(200);
    expect(done.json.certificate).toMatchObject({
      customers: 1,
      conversations: 2,
      messages: 2,
      keyDestroyed: true,
    });
    expect((await purge({ confirmSlug: slug, exportDigest: ex.json.digest })).status).toBe(410);

    // Nothing of the tenant's customers remains, and old ciphertext no longer decrypts.
    const left = await v.core.db.withOwner((tx) =>
      rows<{ c: number; m: number; s: string }>(
        tx,
        sql`select (select count(*)::int from customers where tenant_id = ${id}) as c,
          (select count(*)::int from messages where tenant_id = ${id}) as m,
          (select status from tenants where id = ${id}) as s`,
      ),
    );
    expect(left[0]).toEqual({ c: 0, m: 0, s: 'offboarded' });
    v.core.keyring.clearCache();
    await expect(
      v.core.keyring.decryptFieldText(
        {
          tenantId: id,
          table: 'customers',
          column: 'name_enc',
          rowId: c1.customerId,
          subjectId: c1.customerId,
        },
        Buffer.from(enc!.n),
      ),
    ).rejects.toBeTruthy();
    // Members lose access; the other tenant is untouched.
    expect((await v.call('GET', `/api/v1/tenants/${slug}/privacy/requests`, undefined, dpo)).status).toBe(
      404,
    );
    const [o] = await v.core.db.withOwner((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from conversations where id = ${other.conversationId}`,
      ),
    );
    expect(o!.n).toBe(1);

    // The certificate is in both chains, without personal data, and both chains verify.
    const certs = await v.core.db.withOwner((tx) =>
      rows<{ tenant_id: string | null; meta: Record<string, unknown> }>(
        tx,
        sql`select tenant_id, meta from audit_events where action = 'tenant.offboarding.certificate' and resource_id = ${id}`,
      ),
    );
    expect(certs.map((c) => c.tenant_id).sort()).toEqual([id, null].sort());
    expect(JSON.stringify(certs)).not.toMatch(/Kundin|example\.de/);
    expect((await verifyAuditLog(v.core.db, { tenantId: id })).ok).toBe(true);
    expect((await verifyAuditLog(v.core.db, { tenantId: null })).ok).toBe(true);
  });
});
