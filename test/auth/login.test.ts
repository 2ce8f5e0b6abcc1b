// Sign-in end to end over HTTP: MFA is mandatory, lockout grows, revocation and timeouts bite.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.ts';
import { freshTotp, startTestVigil, type TestVigil } from '../helpers/app.ts';

describe('authentication', () => {
  let v: TestVigil;
  beforeAll(async () => {
    v = await startTestVigil({ lockoutThreshold: 10, lockoutBaseSeconds: 60 });
    await v.tenant('auth-a');
  });
  afterAll(() => v.close());

  it('a password alone reaches no data: no cookie, /me and tenant routes answer 401', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'auth-a' }]);
    const r = await v.call('POST', '/api/v1/auth/login', { email: u.email, password: u.password });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ mfa: 'totp', challenge: expect.any(String) });
    expect(r.headers.get('set-cookie') ?? '').not.toContain('vigil_session');
    // The challenge is not a session: presenting it as a cookie gets nothing.
    const asCookie = { cookie: `vigil_session=${r.json.challenge}`, csrf: 'x', userAgent: 'vigil-test' };
    expect((await v.call('GET', '/api/v1/me', undefined, asCookie)).status).toBe(401);
    expect((await v.call('GET', '/api/v1/me/sessions', undefined, asCookie)).status).toBe(401);
  });

  it('completes sign-in with TOTP; the cookie is HttpOnly and SameSite=Strict; a TOTP code cannot be replayed', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'auth-a' }]);
    const a = await v.call('POST', '/api/v1/auth/login', { email: u.email, password: u.password });
    const code = freshTotp(u.totpSecret);
    const b = await v.call('POST', '/api/v1/auth/mfa/totp', { challenge: a.json.challenge, code });
    expect(b.status).toBe(200);
    const setCookie = b.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/vigil_session=[A-Za-z0-9_-]{43}/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(b.json.user.memberships).toEqual([
      { tenant: expect.objectContaining({ slug: 'auth-a' }), role: 'agent' },
    ]);
    // Same code again on a new challenge: refused.
    const a2 = await v.call('POST', '/api/v1/auth/login', { email: u.email, password: u.password });
    const replay = await v.call('POST', '/api/v1/auth/mfa/totp', { challenge: a2.json.challenge, code });
    expect(replay.status).toBe(401);
    expect(replay.json.error.code).toBe('invalid_mfa_code');
  });

  it('a wrong TOTP code is refused and the challenge dies after 5 attempts', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'auth-a' }]);
    const a = await v.call('POST', '/api/v1/auth/login', { email: u.email, password: u.password });
    // Wrong for every step the server could accept while the attempts run (±1 step, a minute either way).
    const valid = new Set(
      [-60_000, -30_000, 0, 30_000, 60_000].map((d) => totpCode(u.totpSecret, Date.now() + d)),
    );
    let wrong = '000000';
    while (valid.has(wrong)) wrong = String(Number(wrong) + 1).padStart(6, '0');
    for (let i = 0; i < 5; i++) {
      const r = await v.call('POST', '/api/v1/auth/mfa/totp', { challenge: a.json.challenge, code: wrong });
      expect(r.status).toBe(401);
    }
    const late = await v.call('POST', '/api/v1/auth/mfa/totp', {
      challenge: a.json.challenge,
      code: freshTotp(u.totpSecret),
    });
    expect(late.status).toBe(401);
    expect(late.json.error.code).toBe('unauthenticated');
  });

  it('10 wrong passwords lock the account for a growing period, even for the right password', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'auth-a' }]);
    for (let i = 0; i < 10; i++) {
      const r = await v.call('POST', '/api/v1/auth/login', {
        email: u.email,
        password: 'wrong-password-123',
      });
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('invalid_credentials');
    }
    const locked = await v.call('POST', '/api/v1/auth/login', { email: u.email, password: u.password });
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe('account_locked');
    const first = Number(locked.headers.get('retry-after'));
    expect(first).toBeGreaterThan(50);
    expect(first).toBeLessThanOrEqual(60);
    // Let the first lock expire (in the database), fail 10 more times: the second lock is longer.
    await v.core.db.withOwner((tx) =>
      tx.execute(sql`update users set locked_until = now() - interval '1 second' where id = ${u.id}`),
    );
    for (let i = 0; i < 10; i++)
      await v.call('POST', '/api/v1/auth/login', { email: u.email, password: 'wrong-password-123' });
    const again = await v.call('POST', '/api/v1/auth/login', { email: u.email, password: u.password });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(first * 1.5);
  });

  it('an unknown account answers exactly like a wrong password', async () => {
    const r = await v.call('POST', '/api/v1/auth/login', {
      email: 'nobody@staff.test',
      password: 'whatever-password',
    });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('invalid_credentials');
  });

  it('a revoked session is refused on its next request; logout revokes', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'auth-a' }]);
    const s1 = await v.login(u);
    const s2 = await v.login(u);
    expect((await v.call('GET', '/api/v1/me', undefined, s1)).status).toBe(200);
    const list = await v.call('GET', '/api/v1/me/sessions', undefined, s2);
    const other = list.json.sessions.find((x: { current: boolean }) => !x.current);
    expect(list.json.sessions).toHaveLength(2);
    expect((await v.call('DELETE', `/api/v1/me/sessions/${other.id}`, undefined, s2)).status).toBe(200);
    const refused = await v.call('GET', '/api/v1/me', undefined, s1);
    expect(refused.status).toBe(401);
    expect((await v.call('POST', '/api/v1/auth/logout', undefined, s2)).status).toBe(200);
    expect((await v.call('GET', '/api/v1/me', undefined, s2)).status).toBe(401);
  });

  it('state changes need the CSRF token; the cookie is bound to its user agent', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'auth-a' }]);
    const s = await v.login(u);
    const noCsrf = await v.call('POST', '/api/v1/auth/logout', undefined, s, { 'x-csrf-token': 'forged' });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json.error.code).toBe('csrf_failed');
    const stolen = await v.call('GET', '/api/v1/me', undefined, { ...s, userAgent: 'another-browser' });
    expect(stolen.status).toBe(401);
    expect((await v.call('GET', '/api/v1/me', undefined, s)).status).toBe(200);
  });

  it('idle and absolute timeouts end a session', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'auth-a' }]);
    const s1 = await v.login(u);
    const s2 = await v.login(u);
    await v.core.db.withOwner((tx) =>
      tx.execute(
        sql`update sessions set idle_expires_at = now() - interval '1 second' where user_id = ${u.id} and created_at = (select min(created_at) from sessions where user_id = ${u.id})`,
      ),
    );
    await v.core.db.withOwner((tx) =>
      tx.execute(
        sql`update sessions set absolute_expires_at = now() - interval '1 second' where user_id = ${u.id} and idle_expires_at > now()`,
      ),
    );
    const r1 = await v.call('GET', '/api/v1/me', undefined, s1);
    const r2 = await v.call('GET', '/api/v1/me', undefined, s2);
    expect([r1.status, r2.status]).toEqual([401, 401]);
    expect(r1.json.error.code).toBe('session_expired');
  });

  it('first sign-in without TOTP enrols: QR + otpauth URI, then recovery codes that work once', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'auth-a' }], { enrolled: false });
    const a = await v.call('POST', '/api/v1/auth/login', { email: u.email, password: u.password });
    expect(a.json.mfa).toBe('totp_enrol');
    expect(a.json.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    const secret = new URL(a.json.otpauthUri).searchParams.get('secret')!;
    const b = await v.call('POST', '/api/v1/auth/mfa/totp', {
      challenge: a.json.challenge,
      code: freshTotp(secret),
    });
    expect(b.status).toBe(200);
    expect(b.json.recoveryCodes).toHaveLength(10);
    const code = b.json.recoveryCodes[0];
    const c = await v.call('POST', '/api/v1/auth/login', { email: u.email, password: u.password });
    expect(c.json.mfa).toBe('totp');
    expect(
      (await v.call('POST', '/api/v1/auth/mfa/recovery', { challenge: c.json.challenge, code })).status,
    ).toBe(200);
    const d = await v.call('POST', '/api/v1/auth/login', { email: u.email, password: u.password });
    expect(
      (await v.call('POST', '/api/v1/auth/mfa/recovery', { challenge: d.json.challenge, code })).status,
    ).toBe(401);
  });

  it('a suspended user cannot sign in and loses live sessions at once', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'auth-a' }]);
    const s = await v.login(u);
    const { createAuthService } = await import('../../src/auth/service.ts');
    const auth = createAuthService({
      db: v.core.db,
      config: v.core.config,
      audit: v.core.audit,
      secrets: v.core.secrets,
    });
    await auth.suspendUser(u.id, 'test', { ip: '127.0.0.1', uaHash: 'x', userId: null });
    expect((await v.call('GET', '/api/v1/me', undefined, s)).status).toBe(401);
    const r = await v.call('POST', '/api/v1/auth/login', { email: u.email, password: u.password });
    expect(r.json.error.code).toBe('account_suspended');
  });
});
