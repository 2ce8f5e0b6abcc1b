// Network policy: per tenant and role, CIDR allow-lists for IPv4 and IPv6. Vigil runs behind a
// proxy whose X-Forwarded-For it is configured to trust (trustProxy), as in a real deployment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { auditActions } from './helpers.ts';

describe('network policy', () => {
  let v: TestVigil;
  let admin: Session;
  let agentUser: TestUser;
  let agent: Session;
  let tenantA: string;
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const read = (slug: string, ip: string, s: Session = agent) =>
    v.call('GET', `/api/v1/tenants/${slug}/conversations`, undefined, s, from(ip));

  beforeAll(async () => {
    v = await startTestVigil({ trustProxy: true });
    tenantA = await v.tenant('net-a');
    await v.tenant('net-b');
    admin = await v.login(
      await v.makeUser([
        { role: 'tenant_admin', tenant: 'net-a' },
        { role: 'security_officer', tenant: 'net-a' },
      ]),
    );
    agentUser = await v.makeUser([
      { role: 'agent', tenant: 'net-a' },
      { role: 'agent', tenant: 'net-b' },
    ]);
    agent = await v.login(agentUser);
  });
  afterAll(() => v.close());

  it('validates and normalises the ranges', async () => {
    const bad = await v.call(
      'PUT',
      '/api/v1/tenants/net-a/access/policies/agent',
      { ipAllow: ['10.0.0.0/33'], deviceApproval: false },
      admin,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_input');
    const ok = await v.call(
      'PUT',
      '/api/v1/tenants/net-a/access/policies/agent',
      { ipAllow: ['10.20.9.9/16', '2001:db8:42::/48', '192.0.2.7'], deviceApproval: false },
      admin,
    );
    expect(ok.status).toBe(200);
    expect(ok.json.ipAllow).toEqual(['10.20.0.0/16', '2001:db8:42::/48', '192.0.2.7/32']);
    // An agent may not change the policy.
    const agentTry = await v.call(
      'PUT',
      '/api/v1/tenants/net-a/access/policies/agent',
      { ipAllow: null, deviceApproval: false },
      agent,
      from('10.20.0.1'),
    );
    expect(agentTry.status).toBe(403);
  });

  it('admits addresses inside the list (IPv4, IPv6, IPv4-mapped) and refuses the rest', async () => {
    expect((await read('net-a', '10.20.3.4')).status).toBe(200);
    expect((await read('net-a', '192.0.2.7')).status).toBe(200);
    expect((await read('net-a', '2001:db8:42:1::99')).status).toBe(200);
    expect((await read('net-a', '::ffff:10.20.1.1')).status).toBe(200);
    for (const ip of ['10.21.0.1', '192.0.2.8', '2001:db8:43::1', '::1']) {
      const r = await read('net-a', ip);
      expect({ ip, status: r.status, code: r.json.error?.code }).toEqual({
        ip,
        status: 403,
        code: 'network_not_allowed',
      });
      expect(r.text).not.toContain(ip);
    }
  });

  it("is the tenant's and the role's policy only", async () => {
    // Another tenant of the same agent has no policy: reachable from anywhere.
    expect((await read('net-b', '10.21.0.1')).status).toBe(200);
    // The tenant admin's role has no policy either.
    expect(
      (await v.call('GET', '/api/v1/tenants/net-a/access/policies', undefined, admin, from('10.21.0.1')))
        .status,
    ).toBe(200);
    // '*' covers every role of the tenant.
    await v.call(
      'PUT',
      '/api/v1/tenants/net-a/access/policies/*',
      { ipAllow: ['198.51.100.0/24'], deviceApproval: false },
      admin,
    );
    const adminOut = await v.call(
      'GET',
      '/api/v1/tenants/net-a/access/policies',
      undefined,
      admin,
      from('10.21.0.1'),
    );
    expect(adminOut.json.error.code).toBe('network_not_allowed');
    expect(
      (
        await v.call(
          'DELETE',
          '/api/v1/tenants/net-a/access/policies/*',
          undefined,
          admin,
          from('198.51.100.1'),
        )
      ).status,
    ).toBe(200);
    expect(
      (await v.call('GET', '/api/v1/tenants/net-a/access/policies', undefined, admin, from('10.21.0.1')))
        .status,
    ).toBe(200);
    // A non-member still gets 404, not a hint about the policy.
    const stranger = await v.login(await v.makeUser([{ role: 'agent', tenant: 'net-b' }]));
    expect((await read('net-a', '10.21.0.1', stranger)).status).toBe(404);
  });

  it('records every refusal and raises an alert on repeated refusals', async () => {
    const denied = (await auditActions(v, tenantA, 'access.denied')).filter(
      (e) => e.actor_id === agentUser.id,
    );
    expect(denied.length).toBeGreaterThanOrEqual(4);
    expect(denied[0]).toMatchObject({
      outcome: 'denied',
      meta: expect.objectContaining({ code: 'network_not_allowed', reason: 'role:agent' }),
    });
    let alerts: Array<{ ruleId: string }> = [];
    for (let i = 0; i < 30 && !alerts.length; i++) {
      await v.app.monitor.flush();
      alerts = (await v.app.monitor.listAlerts(tenantA, { subjectId: agentUser.id })).items;
      if (!alerts.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(alerts.map((a) => a.ruleId)).toContain('access_policy_denied');
  });
});

describe('network policy without a trusted proxy', () => {
  let v: TestVigil;
  afterAll(() => v?.close());

  it('uses the socket address and ignores a forged X-Forwarded-For', async () => {
    v = await startTestVigil();
    await v.tenant('net-direct');
    const admin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: 'net-direct' }]));
    const agent = await v.login(await v.makeUser([{ role: 'agent', tenant: 'net-direct' }]));
    const read = (headers: Record<string, string> = {}) =>
      v.call('GET', '/api/v1/tenants/net-direct/conversations', undefined, agent, headers);
    const policy = (ipAllow: string[]) =>
      v.call(
        'PUT',
        '/api/v1/tenants/net-direct/access/policies/agent',
        { ipAllow, deviceApproval: false },
        admin,
      );
    // The test client connects over loopback (127.0.0.1, or ::1 on an IPv6 socket).
    expect((await policy(['127.0.0.0/8', '::1/128'])).status).toBe(200);
    expect((await read()).status).toBe(200);
    expect((await policy(['10.0.0.0/8'])).status).toBe(200);
    expect((await read()).json.error.code).toBe('network_not_allowed');
    // Claiming an allowed address in a header does not help when no proxy is trusted.
    expect((await read({ 'x-forwarded-for': '10.1.2.3' })).json.error.code).toBe('network_not_allowed');
  });
});
