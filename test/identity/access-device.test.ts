// Device policy: a device key (httpOnly cookie) bound to the session; a new device reaches a
// tenant's data only after a supervisor of that tenant approved it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { auditActions } from './helpers.ts';

const withDevice = (s: Session, device: string): Session => ({
  ...s,
  cookie: `${s.cookie}; vigil_device=${device}`,
});

describe('device policy', () => {
  let v: TestVigil;
  let admin: Session;
  let supervisor: Session;
  let agentUser: TestUser;
  let agent: Session;
  let tenantA: string;
  let firstDevice = '';
  const read = (s: Session, slug = 'dev-a') =>
    v.call('GET', `/api/v1/tenants/${slug}/conversations`, undefined, s);

  async function registerDevice(s: Session): Promise<{ deviceId: string; token: string }> {
    const r = await v.call('POST', '/api/v1/devices', undefined, s);
    expect(r.status).toBe(201);
    const setCookie = r.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/vigil_device=[^;]+;.*HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    return { deviceId: r.json.deviceId, token: /vigil_device=([^;]+)/.exec(setCookie)![1]! };
  }

  beforeAll(async () => {
    v = await startTestVigil();
    tenantA = await v.tenant('dev-a');
    await v.tenant('dev-b');
    admin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: 'dev-a' }]));
    supervisor = await v.login(await v.makeUser([{ role: 'supervisor', tenant: 'dev-a' }]));
    agentUser = await v.makeUser([
      { role: 'agent', tenant: 'dev-a' },
      { role: 'agent', tenant: 'dev-b' },
    ]);
    agent = await v.login(agentUser);
    const p = await v.call(
      'PUT',
      '/api/v1/tenants/dev-a/access/policies/agent',
      { ipAllow: null, deviceApproval: true },
      admin,
    );
    expect(p.status).toBe(200);
  });
  afterAll(() => v.close());

  it('refuses an unregistered device, then a registered but unapproved one', async () => {
    const none = await read(agent);
    expect(none.status).toBe(403);
    expect(none.json.error.code).toBe('device_not_approved');
    // Other tenants without the policy are unaffected.
    expect((await read(agent, 'dev-b')).status).toBe(200);

    const d = await registerDevice(agent);
    firstDevice = d.token;
    const pending = await read(withDevice(agent, d.token));
    expect(pending.status).toBe(403);
    expect(pending.json.error).toMatchObject({
      code: 'device_not_approved',
      details: [{ path: 'deviceId', message: d.deviceId }],
    });
    const reasons = (await auditActions(v, tenantA, 'access.denied')).map((e) => e.meta.reason);
    expect(reasons).toEqual(expect.arrayContaining(['unregistered', 'pending']));
  });

  it('a supervisor of the tenant approves; the agent cannot approve', async () => {
    const list = await v.call(
      'GET',
      '/api/v1/tenants/dev-a/access/devices?status=pending',
      undefined,
      supervisor,
    );
    expect(list.status).toBe(200);
    const mine = list.json.devices.filter((x: { userId: string }) => x.userId === agentUser.id);
    expect(mine).toHaveLength(1);
    const deviceId = mine[0].deviceId as string;
    expect(
      (await v.call('POST', `/api/v1/tenants/dev-a/access/devices/${deviceId}/approve`, undefined, agent))
        .status,
    ).toBe(403);
    const ok = await v.call(
      'POST',
      `/api/v1/tenants/dev-a/access/devices/${deviceId}/approve`,
      undefined,
      supervisor,
    );
    expect(ok.status).toBe(200);
    expect(await auditActions(v, tenantA, 'device.approve')).toHaveLength(1);
    expect((await read(withDevice(agent, firstDevice))).status).toBe(200);
    // Without its device key the same session is refused again.
    expect((await read(agent)).json.error.code).toBe('device_not_approved');
  });

  it('the approved device works; another device on the same session is refused', async () => {
    const approved = await v.call(
      'GET',
      '/api/v1/tenants/dev-a/access/devices?status=approved',
      undefined,
      supervisor,
    );
    expect(approved.json.devices).toHaveLength(1);
    const second = await v.login(agentUser, { userAgent: 'agent-laptop-2' });
    const other = await registerDevice(second);
    // Session 1 is bound to device 1: presenting device 2's key on it is a mismatch.
    const mismatch = await read(withDevice(agent, other.token));
    expect(mismatch.json.error.code).toBe('device_not_approved');
    expect(
      (await auditActions(v, tenantA, 'access.denied')).some((e) => e.meta.reason === 'device_mismatch'),
    ).toBe(true);
    // Device 2 is pending in its own session until approved.
    expect((await read(withDevice(second, other.token))).json.error.code).toBe('device_not_approved');
    await v.call(
      'POST',
      `/api/v1/tenants/dev-a/access/devices/${other.deviceId}/approve`,
      undefined,
      supervisor,
    );
    expect((await read(withDevice(second, other.token))).status).toBe(200);
  });

  it('a rejected device stays out, and nobody approves their own device', async () => {
    const third = await v.login(await v.makeUser([{ role: 'agent', tenant: 'dev-a' }]), {
      userAgent: 'agent-phone',
    });
    const d = await registerDevice(third);
    expect((await read(withDevice(third, d.token))).status).toBe(403);
    await v.call('POST', `/api/v1/tenants/dev-a/access/devices/${d.deviceId}/reject`, undefined, supervisor);
    const r = await read(withDevice(third, d.token));
    expect(r.json.error.code).toBe('device_not_approved');
    expect((await auditActions(v, tenantA, 'access.denied')).some((e) => e.meta.reason === 'rejected')).toBe(
      true,
    );

    await v.call(
      'PUT',
      '/api/v1/tenants/dev-a/access/policies/supervisor',
      { ipAllow: null, deviceApproval: true },
      admin,
    );
    const supDevice = await registerDevice(supervisor);
    // The supervisor's own device is now pending; the supervisor may not approve it.
    expect((await read(withDevice(supervisor, supDevice.token))).status).toBe(403);
    await v.call('DELETE', '/api/v1/tenants/dev-a/access/policies/supervisor', undefined, admin);
    const self = await v.call(
      'POST',
      `/api/v1/tenants/dev-a/access/devices/${supDevice.deviceId}/approve`,
      undefined,
      supervisor,
    );
    expect(self.status).toBe(403);
    expect(self.json.error.code).toBe('forbidden');
  });
});
