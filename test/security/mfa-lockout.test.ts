// Issue 20, finding 4 (medium): after the account locked (429 account_locked), a TOTP challenge
// issued before the lock still completed with a correct code. Now the lock is checked when the
// factor is completed, locking ends every open challenge, and wrong codes count per account
// across challenges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.ts';
import { type Res, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

describe(`the lockout holds at the second factor (${testDbKind})`, () => {
  let v: TestVigil;
  beforeAll(async () => {
    // Three failures lock for one second (doubling per lock), so the test can wait the lock out.
    v = await startTestVigil({ lockoutThreshold: 3, lockoutBaseSeconds: 1 });
  });
  afterAll(() => v.close());

  const password = (u: TestUser, pw = u.password) =>
    v.call('POST', '/api/v1/auth/login', { email: u.email, password: pw });
  const totp = (challenge: string, code: string) =>
    v.call('POST', '/api/v1/auth/mfa/totp', { challenge, code });
  const challenge = async (u: TestUser) => {
    const r = await password(u);
    expect(r.status, r.text).toBe(200);
    return r.json.challenge as string;
  };
  const noSession = (r: Res) => expect(r.headers.get('set-cookie') ?? '').not.toMatch(/vigil_session=[^;]/);
  const wrongCode = (u: TestUser) => (totpCode(u.totpSecret, Date.now()) === '000000' ? '111111' : '000000');

  it('lock the account, then complete a challenge issued before: refused, no session', async () => {
    const u = await v.makeUser([]);
    const before = await challenge(u);
    for (let i = 0; i < 3; i++) expect((await password(u, 'wrong-password-123')).status).toBe(401);
    expect((await password(u)).json.error.code).toBe('account_locked');
    const r = await totp(before, totpCode(u.totpSecret, Date.now()));
    expect(r.status).toBe(429);
    expect(r.json.error.code).toBe('account_locked');
    noSession(r);
  });

  it('wrong codes count per account across challenges; the lock ends the challenges still open', async () => {
    const u = await v.makeUser([]);
    const open = [await challenge(u), await challenge(u), await challenge(u), await challenge(u)];
    // One wrong code on each of three challenges: the third locks the account.
    for (const c of open.slice(0, 3))
      expect((await totp(c, wrongCode(u))).json.error.code).toBe('invalid_mfa_code');
    const right = await totp(open[3]!, totpCode(u.totpSecret, Date.now()));
    expect(right.json.error.code).toBe('account_locked');
    noSession(right);
    // Once the lock is over, a challenge from before it is dead; a new sign-in works.
    const deadline = Date.now() + 30_000;
    let fresh: Res = await password(u);
    while (fresh.status === 429 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      fresh = await password(u);
    }
    expect(fresh.status).toBe(200);
    const stale = await totp(open[3]!, totpCode(u.totpSecret, Date.now()));
    expect(stale.status).toBe(401);
    expect(stale.json.error.code).toBe('unauthenticated');
    noSession(stale);
    const ok = await totp(fresh.json.challenge, totpCode(u.totpSecret, Date.now()));
    expect(ok.status).toBe(200);
  });
});
