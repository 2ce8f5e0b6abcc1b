// Administration across roles: suspension, other users' sessions, roles, tenants, API tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestVigil, type TestVigil } from '../helpers/app.ts';

describe('administration', () => {
  let v: TestVigil;
  beforeAll(async () => {
    v = await startTestVigil();
    await v.tenant('adm-a');
    await v.tenant('adm-b');
  });
  afterAll(() => v.close());

  it('a security officer suspends an agent: the next request is refused, sessions show revoked, lifting restores', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: 'adm-a' }]);
    const so = await v.makeUser([{ role: 'security_officer', tenant: 'adm-a' }]);
    const sa = await v.login(agent);
    const ss = await v.login(so);
    const r = await v.call(
      'POST',
      `/api/v1/tenants/adm-a/users/${agent.id}/suspend`,
      { reason: 'mass profile views' },
      ss,
    );
    expect(r.status).toBe(200);
    expect((await v.call('GET', '/api/v1/me', undefined, sa)).status).toBe(401);
    const sessions = await v.call('GET', `/api/v1/tenants/adm-a/users/${agent.id}/sessions`, undefined, ss);
    expect(sessions.json.sessions[0]).toMatchObject({
      revokedReason: 'suspended',
      revokedAt: expect.any(String),
    });
    const login = await v.call('POST', '/api/v1/auth/login', {
      email: agent.email,
      password: agent.password,
    });
    expect(login.json.error.code).toBe('account_suspended');
    expect(
      (await v.call('POST', `/api/v1/tenants/adm-a/users/${agent.id}/unsuspend`, { reason: 'reviewed' }, ss))
        .status,
    ).toBe(200);
    await v.login(agent);
  });

  it('cannot act on users outside the tenant (404) nor without the role (403)', async () => {
    const foreign = await v.makeUser([{ role: 'agent', tenant: 'adm-b' }]);
    const so = await v.makeUser([{ role: 'security_officer', tenant: 'adm-a' }]);
    const agent = await v.makeUser([{ role: 'agent', tenant: 'adm-a' }]);
    const ss = await v.login(so);
    const sa = await v.login(agent);
    expect(
      (await v.call('POST', `/api/v1/tenants/adm-a/users/${foreign.id}/suspend`, { reason: 'probe' }, ss))
        .status,
    ).toBe(404);
    expect(
      (await v.call('POST', `/api/v1/tenants/adm-b/users/${foreign.id}/suspend`, { reason: 'probe' }, ss))
        .status,
    ).toBe(404);
    const denied = await v.call(
      'POST',
      `/api/v1/tenants/adm-a/users/${so.id}/suspend`,
      { reason: 'probe' },
      sa,
    );
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe('forbidden');
  });

  it('a tenant admin grants and revokes roles; the platform admin creates tenants and users', async () => {
    const admin = await v.makeUser([{ role: 'tenant_admin', tenant: 'adm-a' }]);
    const pa = await v.makeUser([{ role: 'platform_admin' }]);
    const sp = await v.login(pa);
    const t = await v.call('POST', '/api/v1/admin/tenants', { slug: 'adm-new', name: 'New Client' }, sp);
    expect(t.status).toBe(201);
    expect(
      (await v.call('POST', '/api/v1/admin/tenants', { slug: 'adm-new', name: 'Again' }, sp)).status,
    ).toBe(409);
    const u = await v.call(
      'POST',
      '/api/v1/admin/users',
      {
        email: 'new.agent@staff.test',
        displayName: 'New Agent',
        password: 'correct-horse-battery-staple-42',
        memberships: [{ tenantSlug: 'adm-a', role: 'agent' }],
      },
      sp,
    );
    expect(u.status).toBe(201);
    const weak = await v.call(
      'POST',
      '/api/v1/admin/users',
      { email: 'weak@staff.test', displayName: 'Weak', password: 'password1234', memberships: [] },
      sp,
    );
    expect(weak.status).toBe(422);
    expect(weak.json.error.code).toBe('weak_password');
    const sa = await v.login(admin);
    // A data-reading role waits for a second tenant admin (four-eyes, issue 20).
    const asked = await v.call(
      'POST',
      `/api/v1/tenants/adm-a/users/${u.json.id}/roles`,
      { role: 'supervisor' },
      sa,
    );
    expect(asked.status).toBe(202);
    const second = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: 'adm-a' }]));
    expect(
      (
        await v.call(
          'POST',
          `/api/v1/tenants/adm-a/role-requests/${asked.json.requestId}/approve`,
          undefined,
          second,
        )
      ).status,
    ).toBe(200);
    const users = await v.call('GET', '/api/v1/tenants/adm-a/users', undefined, sa);
    expect(users.json.users.find((x: { id: string }) => x.id === u.json.id).roles).toEqual([
      'agent',
      'supervisor',
    ]);
    expect(
      (await v.call('DELETE', `/api/v1/tenants/adm-a/users/${u.json.id}/roles/supervisor`, undefined, sa))
        .status,
    ).toBe(200);
    // Tenant admins do not reach the platform routes.
    expect((await v.call('GET', '/api/v1/admin/tenants', undefined, sa)).status).toBe(403);
  });

  it('issues API tokens shown once, stored hashed, revocable', async () => {
    const admin = await v.makeUser([{ role: 'tenant_admin', tenant: 'adm-a' }]);
    const sa = await v.login(admin);
    const t = await v.call(
      'POST',
      '/api/v1/tenants/adm-a/api-tokens',
      { name: 'telephony', scopes: ['calls:write'] },
      sa,
    );
    expect(t.status).toBe(201);
    expect(t.json.token).toMatch(/^vgl_/);
    const { sql } = await import('drizzle-orm');
    const stored = await v.core.db.withOwner((tx) =>
      tx.execute(sql`select * from api_tokens where id = ${t.json.id}`),
    );
    expect(JSON.stringify(stored)).not.toContain(t.json.token.slice(4));
    expect(
      (await v.call('DELETE', `/api/v1/tenants/adm-a/api-tokens/${t.json.id}`, undefined, sa)).status,
    ).toBe(200);
    expect(
      (await v.call('DELETE', `/api/v1/tenants/adm-a/api-tokens/${t.json.id}`, undefined, sa)).status,
    ).toBe(404);
  });
});
