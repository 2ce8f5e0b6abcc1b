// OIDC single sign-on against a real OpenID Provider (oidc-provider) over real sockets:
// authorization code + PKCE, state bound to the browser, nonce, MFA from `amr`, domain allow-list.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTotp, type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { CookieJar, get, startTestIdp, type TestIdp } from './sso-helpers.ts';

const UA = 'sso-browser';

describe('OIDC single sign-on', () => {
  let v: TestVigil;
  let idp: TestIdp;
  let admin: Session;

  beforeAll(async () => {
    // The test IdP listens on loopback: the explicit opt-in for private identity providers.
    v = await startTestVigil({ ssoAllowPrivateIdps: true });
    await v.tenant('sso-a');
    idp = await startTestIdp({
      redirectUris: [`${v.url}/api/v1/auth/oidc/corp/callback`],
      clientSecret: 'client-secret-for-tests-0123456789',
    });
    admin = await v.login(await v.makeUser([{ role: 'platform_admin' }]));
    const r = await v.call(
      'POST',
      '/api/v1/admin/identity-providers',
      {
        slug: 'corp',
        allowedDomains: ['staff.test'],
        oidc: {
          issuer: idp.issuer,
          clientId: 'vigil',
          clientSecret: 'client-secret-for-tests-0123456789',
          mfaClaim: 'amr',
          mfaValues: ['mfa', 'otp'],
          phishingResistantValues: ['phr', 'hwk'],
        },
      },
      admin,
    );
    expect(r.status).toBe(201);
  });
  afterAll(async () => {
    await v.close();
    await idp.close();
  });

  /** The browser's walk: Vigil start → IdP (scripted user) → Vigil callback; returns the callback answer. */
  async function signIn(
    account: string,
    amr: string | null,
    opts: { tamper?: (state: string) => Promise<void> } = {},
  ) {
    const jar = new CookieJar();
    let r = await get(`${v.url}/api/v1/auth/oidc/corp/start`, jar, UA);
    expect(r.status).toBe(302);
    let url = r.headers.get('location')!;
    expect(url.startsWith(idp.issuer)).toBe(true);
    const authz = new URL(url);
    expect(authz.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authz.searchParams.get('nonce')).toBeTruthy();
    for (let i = 0; i < 10 && !url.startsWith(v.url); i++) {
      r = await get(url, jar, UA);
      url = new URL(r.headers.get('location')!, url).href;
      if (url.includes('/interaction/')) url += `?account=${account}${amr ? `&amr=${amr}` : ''}`;
    }
    expect(url.startsWith(`${v.url}/api/v1/auth/oidc/corp/callback`)).toBe(true);
    if (opts.tamper) await opts.tamper(new URL(url).searchParams.get('state')!);
    const cb = await get(url, jar, UA);
    return { cb, jar, callbackUrl: url, location: cb.headers.get('location') ?? '' };
  }

  async function account(u: TestUser | { email: string; id: string }) {
    const sub = `sub-${u.id.slice(0, 8)}`;
    idp.accounts.set(sub, { email: u.email });
    return sub;
  }
  const auditFor = (action: string, outcome: string) =>
    v.core.db.withOwner(
      async (tx) =>
        (
          (await tx.execute(
            sql`select actor_id, resource_id, meta from audit_events where action = ${action} and outcome = ${outcome} order by time`,
          )) as unknown as {
            rows: Array<{ actor_id: string | null; resource_id: string; meta: Record<string, unknown> }>;
          }
        ).rows,
    );

  it('an IdP login with MFA asserted (amr) yields a session at once and links the identity', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'sso-a' }]);
    const sub = await account(u);
    const { cb, location, jar } = await signIn(sub, 'pwd,mfa');
    expect(cb.status).toBe(303);
    expect(location).toBe('/');
    const cookie = /vigil_session=[^;]+/.exec(cb.headers.getSetCookie().join('\n'))?.[0];
    expect(cookie).toBeTruthy();
    expect(jar.get(v.url, 'vigil_sso')).toBeUndefined();
    const me = await v.call('GET', '/api/v1/me', undefined, { cookie: cookie!, csrf: 'x', userAgent: UA });
    expect(me.status).toBe(200);
    expect(me.json.user.id).toBe(u.id);
    const sessions = await v.call('GET', '/api/v1/me/sessions', undefined, {
      cookie: cookie!,
      csrf: 'x',
      userAgent: UA,
    });
    expect(sessions.json.sessions[0].kind).toBe('sso');
    const links = await v.core.db.withOwner((tx) =>
      tx.execute(sql`select user_id, subject from identity_links where user_id = ${u.id}`),
    );
    expect((links as unknown as { rows: unknown[] }).rows).toEqual([{ user_id: u.id, subject: sub }]);
    const ok = (await auditFor('auth.oidc', 'success')).filter((e) => e.actor_id === u.id);
    expect(ok.length).toBe(1);
    expect(JSON.stringify(ok)).not.toContain(u.email);
  });

  it('without MFA in the ID token Vigil asks for its own second factor, and TOTP completes it', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'sso-a' }]);
    const { cb, location } = await signIn(await account(u), 'pwd');
    expect(cb.status).toBe(303);
    expect(cb.headers.getSetCookie().join('\n')).not.toContain('vigil_session=');
    const m = /^\/#sso-challenge=([^&]+)&mfa=totp$/.exec(location);
    expect(m).not.toBeNull();
    const done = await v.call(
      'POST',
      '/api/v1/auth/mfa/totp',
      { challenge: decodeURIComponent(m![1]!), code: freshTotp(u.totpSecret) },
      null,
      { 'user-agent': UA },
    );
    expect(done.status).toBe(200);
    const [s] = (
      (await v.core.db.withOwner((tx) =>
        tx.execute(sql`select kind, auth_methods from sessions where user_id = ${u.id}`),
      )) as unknown as { rows: Array<{ kind: string; auth_methods: string[] }> }
    ).rows;
    expect(s).toEqual({ kind: 'sso', auth_methods: ['oidc', 'totp'] });
  });

  it('refuses an e-mail domain outside the allow-list, and an identity without a Vigil account', async () => {
    const email = `x${Date.now()}@elsewhere.test`;
    const outsider = await v.tenancy.createUser({
      email,
      displayName: 'Outsider',
      password: 'Kq7#vT2-zLw9!pRb4',
      memberships: [],
    });
    const r1 = await signIn(await account({ id: outsider.id, email }), 'mfa');
    expect(r1.location).toBe('/#sso-error=sso_domain_not_allowed');
    idp.accounts.set('sub-nobody', { email: 'nobody-here@staff.test' });
    const r2 = await signIn('sub-nobody', 'mfa');
    expect(r2.location).toBe('/#sso-error=sso_no_account');
    const denied = (await auditFor('auth.oidc', 'denied')).map((e) => e.meta.reason);
    expect(denied).toEqual(expect.arrayContaining(['sso_domain_not_allowed', 'sso_no_account']));
    expect(JSON.stringify(await auditFor('auth.oidc', 'denied'))).not.toContain('nobody-here');
  });

  it('checks state: a replayed callback, another browser or a missing cookie is refused', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'sso-a' }]);
    const sub = await account(u);
    const a = await signIn(sub, 'mfa');
    expect(a.location).toBe('/');
    // The same callback URL again (same browser cookie): the state was single use.
    const again = await fetch(a.callbackUrl, {
      redirect: 'manual',
      headers: { 'user-agent': UA, cookie: 'vigil_sso=whatever' },
    });
    expect(again.headers.get('location')).toBe('/#sso-error=sso_state_invalid');
    // A fresh walk whose callback arrives without the browser-binding cookie.
    const jar = new CookieJar();
    let r = await get(`${v.url}/api/v1/auth/oidc/corp/start`, jar, UA);
    let url = r.headers.get('location')!;
    for (let i = 0; i < 10 && !url.startsWith(v.url); i++) {
      r = await get(url, jar, UA);
      url = new URL(r.headers.get('location')!, url).href;
      if (url.includes('/interaction/')) url += `?account=${sub}&amr=mfa`;
    }
    const noCookie = await get(url, jar, UA, ['vigil_sso']);
    expect(noCookie.headers.get('location')).toBe('/#sso-error=sso_state_invalid');
    // An unknown state.
    const forged = await get(`${v.url}/api/v1/auth/oidc/corp/callback?state=forged&code=x`, jar, UA);
    expect(forged.headers.get('location')).toBe('/#sso-error=sso_state_invalid');
  });

  it("for a role requiring a phishing-resistant factor, only an IdP-asserted phishing-resistant method skips Vigil's factor", async () => {
    const tenantId = await v.tenant('sso-pr');
    await v.core.db.withOwner((tx) =>
      tx.execute(
        sql`insert into phishing_resistant_policies (tenant_id, role) values (${tenantId}, 'agent')`,
      ),
    );
    const u = await v.makeUser([{ role: 'agent', tenant: 'sso-pr' }]);
    const sub = await account(u);
    const plainMfa = await signIn(sub, 'pwd,mfa');
    expect(plainMfa.location).toMatch(/^\/#sso-challenge=/);
    const phr = await signIn(sub, 'hwk,phr');
    expect(phr.location).toBe('/');
    const [s] = (
      (await v.core.db.withOwner((tx) =>
        tx.execute(sql`select auth_methods from sessions where user_id = ${u.id}`),
      )) as unknown as { rows: Array<{ auth_methods: string[] }> }
    ).rows;
    expect(s!.auth_methods).toEqual(['oidc', 'idp_phr']);
  });

  it('checks the nonce: an ID token for another sign-in attempt is refused', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'sso-a' }]);
    const { location } = await signIn(await account(u), 'mfa', {
      tamper: async (state) => {
        const { sha256 } = await import('../../src/auth/tokens.ts');
        await v.core.db.withOwner((tx) =>
          tx.execute(
            sql`update sso_states set nonce = 'another-attempts-nonce' where state_hash = ${sha256(state)}`,
          ),
        );
      },
    });
    expect(location).toBe('/#sso-error=sso_token_invalid');
  });
});
