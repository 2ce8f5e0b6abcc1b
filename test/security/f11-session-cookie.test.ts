// Finding 11c (pen test, issue 20): with TLS (Secure cookies) the session cookie lacked the
// `__Host-` prefix, so a sibling subdomain or a plain-HTTP man in the middle could plant a
// `vigil_session` cookie (session fixation, cookie tossing). Now it is `__Host-vigil_session`
// (Secure, Path=/, no Domain) and the unprefixed name is ignored; without TLS the name is unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTotp, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

async function signIn(v: TestVigil, u: TestUser): Promise<string> {
  const a = await v.call('POST', '/api/v1/auth/login', { email: u.email, password: u.password });
  const b = await v.call('POST', '/api/v1/auth/mfa/totp', {
    challenge: a.json.challenge,
    code: freshTotp(u.totpSecret),
  });
  expect(b.status).toBe(200);
  return b.headers.get('set-cookie') ?? '';
}

describe(`session cookie name (${testDbKind})`, () => {
  let secure: TestVigil;
  let plain: TestVigil;

  beforeAll(async () => {
    // Secure cookies as behind a TLS-terminating proxy (TLS in Vigil itself implies the same).
    secure = await startTestVigil({ secureCookies: true });
    plain = await startTestVigil();
  }, 300_000);
  afterAll(async () => {
    await secure.close();
    await plain.close();
  });

  it('with Secure cookies the session is __Host-vigil_session; a planted unprefixed cookie is ignored', async () => {
    const setCookie = await signIn(secure, await secure.makeUser([{ role: 'agent', tenant: 'ck-a' }]));
    expect(setCookie).toMatch(/^__Host-vigil_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/;\s*Secure/i);
    expect(setCookie).toMatch(/;\s*Path=\//i);
    expect(setCookie).not.toMatch(/Domain=/i);
    const token = /__Host-vigil_session=([^;]+)/.exec(setCookie)![1];
    expect(
      (await secure.call('GET', '/api/v1/me', undefined, null, { cookie: `__Host-vigil_session=${token}` }))
        .status,
    ).toBe(200);
    const tossed = await secure.call('GET', '/api/v1/me', undefined, null, {
      cookie: `vigil_session=${token}`,
    });
    expect(tossed.status).toBe(401);
    expect(tossed.json.error.code).toBe('unauthenticated');
  });

  it('without Secure cookies the name stays vigil_session (demo, acceptance probe)', async () => {
    const setCookie = await signIn(plain, await plain.makeUser([{ role: 'agent', tenant: 'ck-b' }]));
    expect(setCookie).toMatch(/^vigil_session=[A-Za-z0-9_-]{43};/);
  });
});
