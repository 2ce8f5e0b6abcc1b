// Tenant admins set the PII policy; the PCI rule survives whatever they send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestVigil, type TestVigil } from '../helpers/app.ts';

describe('PII policy settings', () => {
  let v: TestVigil;
  beforeAll(async () => {
    v = await startTestVigil();
    await v.tenant('pol-a');
  });
  afterAll(() => v.close());

  it('stores the policy, coerces card and CVV to safe operators and audits the change', async () => {
    const admin = await v.makeUser([{ role: 'tenant_admin', tenant: 'pol-a' }]);
    const s = await v.login(admin);
    const put = await v.call(
      'PUT',
      '/api/v1/tenants/pol-a/settings/pii-policy',
      {
        policy: {
          defaultOperator: 'keep',
          minScore: 0.5,
          entities: {
            PAYMENT_CARD: { operator: 'keep' },
            CARD_CVV: { operator: 'keep' },
            EMAIL: { operator: 'redact' },
          },
        },
      },
      s,
    );
    expect(put.status).toBe(200);
    expect(put.json.warnings.length).toBeGreaterThanOrEqual(2);
    expect(['redact', 'mask']).toContain(put.json.policy.entities.PAYMENT_CARD.operator);
    expect(put.json.policy.entities.CARD_CVV.operator).toBe('redact');
    expect(put.json.policy.entities.EMAIL.operator).toBe('redact');
    const get = await v.call('GET', '/api/v1/tenants/pol-a/settings/pii-policy', undefined, s);
    expect(get.json.policy.entities.EMAIL.operator).toBe('redact');
    const bad = await v.call(
      'PUT',
      '/api/v1/tenants/pol-a/settings/pii-policy',
      { policy: { defaultOperator: 'shout' } },
      s,
    );
    // Unknown operators are not stored: they fall back to a valid one and are reported.
    expect(bad.status).toBe(200);
    expect(bad.json.warnings.length).toBeGreaterThan(0);
    expect(['redact', 'mask', 'tokenize', 'pseudonymize', 'keep']).toContain(bad.json.policy.defaultOperator);
  });

  it('agents cannot change it', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: 'pol-a' }]);
    const s = await v.login(agent);
    expect((await v.call('PUT', '/api/v1/tenants/pol-a/settings/pii-policy', { policy: {} }, s)).status).toBe(
      403,
    );
  });
});
