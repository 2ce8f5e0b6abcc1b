// The client security report's training section comes from the tenant's training completions:
// coverage per role, expired and overdue, counted at report time (was a fixed "not recorded").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

const T = 'training-report';

describe(`security report: training from completions (${testDbKind})`, () => {
  let v: TestVigil;
  let admin: Session;
  let so: Session;

  beforeAll(async () => {
    v = await startTestVigil();
    admin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: T }]));
    so = await v.login(await v.makeUser([{ role: 'security_officer', tenant: T }]));
  }, 120_000);
  afterAll(() => v?.close());

  it('reports coverage per role with expired and overdue completions', async () => {
    const before = await v.call('GET', `/api/v1/tenants/${T}/compliance/security-report`, undefined, so);
    expect(before.status).toBe(200);
    expect(before.json.training).toMatchObject({
      evidence: 'training_completions',
      activeTrainings: 0,
      byRole: {},
    });

    const [valid, lapsed, never] = [
      await v.makeUser([{ role: 'agent', tenant: T }]),
      await v.makeUser([{ role: 'agent', tenant: T }]),
      await v.makeUser([{ role: 'agent', tenant: T }]),
    ];
    const sup = await v.makeUser([{ role: 'supervisor', tenant: T }]);
    const t = await v.call(
      'POST',
      `/api/v1/tenants/${T}/trainings`,
      { title: 'Security awareness', validityMonths: 12, requiredRoles: ['agent', 'supervisor'] },
      admin,
    );
    expect(t.status).toBe(201);
    const complete = async (userId: string, completedAt?: string) => {
      const r = await v.call(
        'POST',
        `/api/v1/tenants/${T}/trainings/${t.json.id}/completions`,
        { userId, ...(completedAt ? { completedAt } : {}) },
        admin,
      );
      expect(r.status).toBe(201);
    };
    await complete(valid.id);
    await complete(sup.id);
    await complete(lapsed.id, new Date(Date.now() - 400 * 86_400_000).toISOString());

    const r = await v.call('GET', `/api/v1/tenants/${T}/compliance/security-report`, undefined, so);
    expect(r.status).toBe(200);
    expect(r.json.training).toEqual({
      evidence: 'training_completions',
      activeTrainings: 1,
      byRole: {
        agent: { members: 3, compliant: 1, coveragePercent: 33.3, expired: 1, overdue: 1 },
        supervisor: { members: 1, compliant: 1, coveragePercent: 100, expired: 0, overdue: 0 },
      },
      expired: 1,
      overdue: 1,
    });
    expect(JSON.stringify(r.json.training)).not.toContain(never.id);
  });
});
