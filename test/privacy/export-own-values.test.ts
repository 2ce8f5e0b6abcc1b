// Art. 15: the subject access export gives the subject their own values that the tenant's policy
// tokenized (decrypted), while another person's data in the same message stays masked; the
// export's audit event counts them.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { newConversation } from '../compliance/helpers.ts';
import { startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

describe(`subject export with the subject's own tokenized values (${testDbKind})`, () => {
  let v: TestVigil;
  beforeAll(async () => {
    v = await startTestVigil();
  });
  afterAll(() => v.close());

  it('decrypts the subject’s own phone and address, keeps the neighbour’s number masked, audits it', async () => {
    const slug = 'own-values';
    const tenant = { id: await v.tenant(slug), slug };
    const admin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: slug }]));
    const tokenize = { operator: 'tokenize' };
    const policy = await v.call(
      'PUT',
      `/api/v1/tenants/${slug}/settings/pii-policy`,
      { policy: { entities: { PHONE: tokenize, POSTAL_ADDRESS: tokenize, EMAIL: tokenize } } },
      admin,
    );
    expect(policy.status).toBe(200);
    const sup = await v.login(await v.makeUser([{ role: 'supervisor', tenant: slug }]));
    const customer = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/customers`,
      {
        name: 'Greta Eigen',
        emails: ['greta.eigen@example.de'],
        phones: ['+49 30 1234567'],
        address: { street: 'Hauptstraße 5', postalCode: '10115', city: 'Berlin', country: 'DE' },
      },
      sup,
    );
    expect(customer.status).toBe(201);
    const customerId = customer.json.id as string;
    const conv = await newConversation(v, tenant, 'chat', {
      customerId,
      text:
        'Meine Nummer ist +49 30 1234567 und ich wohne in der Hauptstraße 5, 10115 Berlin. ' +
        'Mein Nachbar hat die Nummer +49 40 7654321, schreiben Sie an greta.eigen@example.de.',
    });
    // The stored message holds tokens, not the values.
    const [stored] = await v.core.db.withOwner((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from pii_tokens where conversation_id = ${conv.conversationId}`,
      ),
    );
    expect(stored!.n).toBeGreaterThanOrEqual(3);

    const dpo = await v.login(await v.makeUser([{ role: 'dpo', tenant: slug }]));
    const ex = await v.call(
      'GET',
      `/api/v1/tenants/${slug}/privacy/customers/${customerId}/export`,
      undefined,
      dpo,
    );
    expect(ex.status).toBe(200);
    const text = ex.json.conversations[0].messages[0].text as string;
    expect(text).toContain('+49 30 1234567');
    expect(text).toContain('Hauptstraße 5');
    expect(text).toContain('greta.eigen@example.de');
    expect(text).not.toContain('7654321');
    expect(text).toContain('Nummer [PHONE]');
    expect(ex.json.ownValues).toBe(3);
    const [event] = await v.core.db.withOwner((tx) =>
      rows<{ meta: Record<string, unknown> }>(
        tx,
        sql`select meta from audit_events where action = 'customer.export' and resource_id = ${customerId}`,
      ),
    );
    expect(event!.meta).toMatchObject({ ownValues: 3, erased: false });
    // The agent's view of the same conversation still shows placeholders only.
    const agentView = await v.call(
      'GET',
      `/api/v1/tenants/${slug}/conversations/${conv.conversationId}`,
      undefined,
      sup,
    );
    expect(JSON.stringify(agentView.json)).not.toContain('1234567');
  });
});
