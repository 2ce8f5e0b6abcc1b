// Finding 11e (pen test, issue 20): there was no password change, no reset by an admin, and so no
// check that either ends other sessions. Attacks: a stolen session survives the victim's password
// change; a tenant admin resets the password of a platform account or of another tenant's user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

const STRONG = 'Lantern-quartz-orbit-7719';

describe(`password change and reset (${testDbKind})`, () => {
  let v: TestVigil;

  beforeAll(async () => {
    v = await startTestVigil();
  }, 300_000);
  afterAll(() => v.close());

  const firstFactor = (u: TestUser, password: string) =>
    v.call('POST', '/api/v1/auth/login', { email: u.email, password });
  const me = (s: Session) => v.call('GET', '/api/v1/me', undefined, s);

  it('a user changes their password: policy checked, current password required, every other session ends', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'pw-a' }]);
    const mine = await v.login(u);
    const stolen = await v.login(u, { userAgent: 'attacker-browser' });
    expect((await me(stolen)).status).toBe(200);

    const wrong = await v.call(
      'POST',
      '/api/v1/me/password',
      { currentPassword: 'nope-nope', newPassword: STRONG },
      mine,
    );
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('invalid_credentials');
    const weak = await v.call(
      'POST',
      '/api/v1/me/password',
      { currentPassword: u.password, newPassword: 'password1234' },
      mine,
    );
    expect(weak.status).toBe(422);
    expect(weak.json.error.code).toBe('weak_password');
    expect((await me(stolen)).status).toBe(200);

    const ok = await v.call(
      'POST',
      '/api/v1/me/password',
      { currentPassword: u.password, newPassword: STRONG },
      mine,
    );
    expect(ok.status).toBe(200);
    expect(ok.json.otherSessionsEnded).toBe(1);
    expect((await me(stolen)).status).toBe(401);
    expect((await me(mine)).status).toBe(200);
    expect((await firstFactor(u, u.password)).status).toBe(401);
    expect((await firstFactor(u, STRONG)).status).toBe(200);
  });

  it('a tenant admin resets a member: all their sessions end, the old password dies, a one-time token sets a new one', async () => {
    const admin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: 'pw-b' }]));
    const u = await v.makeUser([{ role: 'agent', tenant: 'pw-b' }]);
    const s = await v.login(u);
    const r = await v.call('POST', `/api/v1/tenants/pw-b/users/${u.id}/password-reset`, undefined, admin);
    expect(r.status).toBe(200);
    expect(r.json.sessionsEnded).toBe(1);
    expect((await me(s)).status).toBe(401);
    expect((await firstFactor(u, u.password)).status).toBe(401);

    const weak = await v.call('POST', '/api/v1/auth/password-reset', {
      token: r.json.resetToken,
      newPassword: 'short',
    });
    expect(weak.json.error.code).toBe('weak_password');
    const done = await v.call('POST', '/api/v1/auth/password-reset', {
      token: r.json.resetToken,
      newPassword: STRONG,
    });
    expect(done.status).toBe(200);
    expect((await firstFactor(u, STRONG)).status).toBe(200);
    const replay = await v.call('POST', '/api/v1/auth/password-reset', {
      token: r.json.resetToken,
      newPassword: `${STRONG}-2`,
    });
    expect(replay.status).toBe(401);
    expect((await firstFactor(u, STRONG)).status).toBe(200);
  });

  it('a tenant admin cannot reset a platform account, another tenant’s user, a shared account or themselves', async () => {
    const adminUser = await v.makeUser([{ role: 'tenant_admin', tenant: 'pw-c' }]);
    const admin = await v.login(adminUser);
    const platform = await v.makeUser([{ role: 'platform_admin' }, { role: 'agent', tenant: 'pw-c' }]);
    const foreign = await v.makeUser([{ role: 'agent', tenant: 'pw-d' }]);
    const shared = await v.makeUser([
      { role: 'agent', tenant: 'pw-c' },
      { role: 'agent', tenant: 'pw-d' },
    ]);
    const reset = (id: string) =>
      v.call('POST', `/api/v1/tenants/pw-c/users/${id}/password-reset`, undefined, admin);
    const p = await reset(platform.id);
    expect(p.status).toBe(403);
    expect(p.json.error.code).toBe('forbidden');
    const f = await reset(foreign.id);
    expect(f.status).toBe(404);
    expect(f.json.error.code).toBe('not_found');
    expect((await reset(shared.id)).status).toBe(403);
    expect((await reset(adminUser.id)).status).toBe(403);
    // Nothing changed for any of them.
    for (const u of [platform, foreign, shared, adminUser])
      expect((await firstFactor(u, u.password)).status).toBe(200);
    // An agent cannot reset anyone.
    const agent = await v.login(await v.makeUser([{ role: 'agent', tenant: 'pw-c' }]));
    expect(
      (await v.call('POST', `/api/v1/tenants/pw-c/users/${shared.id}/password-reset`, undefined, agent))
        .status,
    ).toBe(403);
  });
});
