// Passkeys in a real Chromium with a CDP virtual authenticator (CTAP2, internal, resident key,
// user verification): registration, sign-in with the passkey as second factor, step-up, and the
// "phishing-resistant factor required" policy that makes TOTP insufficient for a role.
import { existsSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.ts';
import { freshTotp, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TENANT = 'pk-acme';

// biome-ignore lint/suspicious/noExplicitAny: test responses are inspected freely
type Answer = { status: number; json: any };

/**
 * Runs in the page: the API calls and the WebAuthn ceremonies exactly as a browser client makes
 * them (JSON options → navigator.credentials → JSON credential), at Vigil's own origin.
 */
const PAGE_CLIENT = `
window.b64u = {
  dec: (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)),
  enc: (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, ''),
};
window.api = async (method, path, body, csrf) => {
  const r = await fetch(path, { method, headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, json: await r.json().catch(() => null) };
};
window.createPasskey = async (o) => {
  const c = await navigator.credentials.create({ publicKey: { ...o, challenge: b64u.dec(o.challenge),
    user: { ...o.user, id: b64u.dec(o.user.id) },
    excludeCredentials: (o.excludeCredentials || []).map((x) => ({ ...x, id: b64u.dec(x.id) })) } });
  return { id: c.id, rawId: b64u.enc(c.rawId), type: c.type, clientExtensionResults: {},
    response: { clientDataJSON: b64u.enc(c.response.clientDataJSON), attestationObject: b64u.enc(c.response.attestationObject),
      transports: undefined } };
};
window.usePasskey = async (o) => {
  const c = await navigator.credentials.get({ publicKey: { ...o, challenge: b64u.dec(o.challenge),
    allowCredentials: (o.allowCredentials || []).map((x) => ({ ...x, id: b64u.dec(x.id) })) } });
  const r = { clientDataJSON: b64u.enc(c.response.clientDataJSON), authenticatorData: b64u.enc(c.response.authenticatorData),
    signature: b64u.enc(c.response.signature) };
  if (c.response.userHandle) r.userHandle = b64u.enc(c.response.userHandle);
  return { id: c.id, rawId: b64u.enc(c.rawId), type: c.type, clientExtensionResults: {}, response: r };
};`;

describe('passkeys in Chromium (virtual authenticator)', () => {
  let v: TestVigil;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let agent: TestUser;
  let admin: TestUser;
  let authenticatorId: string;

  const inPage = <T = Answer>(fn: string, ...args: unknown[]): Promise<T> =>
    page.evaluate(
      ([f, a]) =>
        (globalThis as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[f as string]!(
          ...(a as unknown[]),
        ),
      [fn, args] as const,
    ) as Promise<T>;

  /** Password, then the passkey: the whole sign-in inside the browser. Returns the final answer. */
  async function signInWithPasskey(u: TestUser): Promise<Answer> {
    const a = await inPage('api', 'POST', '/api/v1/auth/login', { email: u.email, password: u.password });
    expect(a.status).toBe(200);
    const o = await inPage('api', 'POST', '/api/v1/auth/mfa/webauthn/options', {
      challenge: a.json.challenge,
    });
    expect(o.status).toBe(200);
    const credential = await inPage<unknown>('usePasskey', o.json.options);
    return inPage('api', 'POST', '/api/v1/auth/mfa/webauthn', { challenge: a.json.challenge, credential });
  }
  /** `fresh: false` sends the current valid code without reserving a step (for attempts that must be refused). */
  async function signInWithTotp(u: TestUser, fresh = true): Promise<Answer> {
    const a = await inPage('api', 'POST', '/api/v1/auth/login', { email: u.email, password: u.password });
    const code = fresh ? freshTotp(u.totpSecret) : totpCode(u.totpSecret);
    return inPage('api', 'POST', '/api/v1/auth/mfa/totp', { challenge: a.json.challenge, code });
  }

  beforeAll(async () => {
    v = await startTestVigil();
    agent = await v.makeUser([{ role: 'agent', tenant: TENANT }]);
    admin = await v.makeUser([{ role: 'tenant_admin', tenant: TENANT }]);
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    const ctx = await browser.newContext();
    page = await ctx.newPage();
    cdp = await ctx.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
    // `localhost` (a secure context and a valid RP id; an IP address is neither).
    await page.goto(`${v.url.replace('127.0.0.1', 'localhost')}/healthz`);
    await page.evaluate(PAGE_CLIENT);
  });
  afterAll(async () => {
    await browser?.close();
    await v?.close();
  });

  it('registers a passkey for a signed-in user (stored in the authenticator and in Vigil)', async () => {
    const s = await signInWithTotp(agent);
    expect(s.status).toBe(200);
    const o = await inPage('api', 'POST', '/api/v1/me/passkeys/options', {}, s.json.csrfToken);
    expect(o.status).toBe(200);
    expect(o.json.options.rp.id).toBe('localhost');
    expect(o.json.options.authenticatorSelection.userVerification).toBe('required');
    const credential = await inPage<{ id: string }>('createPasskey', o.json.options);
    const r = await inPage('api', 'POST', '/api/v1/me/passkeys', { credential }, s.json.csrfToken);
    expect(r.status).toBe(201);
    const inAuthenticator = (await cdp.send('WebAuthn.getCredentials', {
      authenticatorId,
    })) as { credentials: Array<{ credentialId: string; isResidentCredential: boolean }> };
    expect(inAuthenticator.credentials).toHaveLength(1);
    const list = await inPage('api', 'GET', '/api/v1/me/passkeys');
    expect(list.json.passkeys).toHaveLength(1);
    expect(list.json.passkeys[0].id).toBe(r.json.id);
    await inPage('api', 'POST', '/api/v1/auth/logout', undefined, s.json.csrfToken);
  });

  it('signs in with password + passkey; the session records the passkey', async () => {
    const done = await signInWithPasskey(agent);
    expect(done.status).toBe(200);
    expect(done.json.user.id).toBe(agent.id);
    const me = await inPage('api', 'GET', '/api/v1/me');
    expect(me.status).toBe(200);
    const rows = (await v.core.db.withOwner((tx) =>
      tx.execute(
        sql`select auth_methods from sessions where user_id = ${agent.id} order by created_at desc limit 1`,
      ),
    )) as unknown as { rows: Array<{ auth_methods: string[] }> };
    expect(rows.rows[0]!.auth_methods).toEqual(['pwd', 'webauthn']);
    await inPage('api', 'POST', '/api/v1/auth/logout', undefined, done.json.csrfToken);
  });

  it('a role under "phishing-resistant factor required" cannot complete sign-in or step-up with TOTP, but can with the passkey', async () => {
    const adminSession = await v.login(admin);
    const set = await v.call(
      'PUT',
      `/api/v1/tenants/${TENANT}/identity/phishing-resistant`,
      { allRoles: false, roles: ['agent'] },
      adminSession,
    );
    expect(set.status).toBe(200);
    const totp = await signInWithTotp(agent, false);
    expect(totp.status).toBe(403);
    expect(totp.json.error.code).toBe('phishing_resistant_required');
    // The tenant admin's role is not under the policy: TOTP still works for them.
    expect((await signInWithTotp(admin)).status).toBe(200);
    await inPage(
      'api',
      'POST',
      '/api/v1/auth/logout',
      undefined,
      (await inPage('api', 'GET', '/api/v1/me')).json.csrfToken,
    );

    const pk = await signInWithPasskey(agent);
    expect(pk.status).toBe(200);
    const csrf = pk.json.csrfToken;
    const stepTotp = await inPage(
      'api',
      'POST',
      '/api/v1/auth/step-up',
      { code: totpCode(agent.totpSecret) },
      csrf,
    );
    expect(stepTotp.json.error.code).toBe('phishing_resistant_required');
    const so = await inPage('api', 'POST', '/api/v1/auth/step-up/webauthn/options', {}, csrf);
    const credential = await inPage<unknown>('usePasskey', so.json.options);
    const step = await inPage('api', 'POST', '/api/v1/auth/step-up/webauthn', { credential }, csrf);
    expect(step.status).toBe(200);
    const denied = (await v.core.db.withOwner((tx) =>
      tx.execute(
        sql`select count(*)::int as n from audit_events where actor_id = ${agent.id} and action = 'auth.mfa'
            and outcome = 'denied' and meta->>'reason' = 'phishing_resistant_required'`,
      ),
    )) as unknown as { rows: Array<{ n: number }> };
    expect(denied.rows[0]!.n).toBe(1);
  });

  it('a passkey assertion cannot be replayed', async () => {
    const a = await inPage('api', 'POST', '/api/v1/auth/login', {
      email: agent.email,
      password: agent.password,
    });
    const o = await inPage('api', 'POST', '/api/v1/auth/mfa/webauthn/options', {
      challenge: a.json.challenge,
    });
    const credential = await inPage<unknown>('usePasskey', o.json.options);
    expect(
      (await inPage('api', 'POST', '/api/v1/auth/mfa/webauthn', { challenge: a.json.challenge, credential }))
        .status,
    ).toBe(200);
    const b = await inPage('api', 'POST', '/api/v1/auth/login', {
      email: agent.email,
      password: agent.password,
    });
    const replay = await inPage('api', 'POST', '/api/v1/auth/mfa/webauthn', {
      challenge: b.json.challenge,
      credential,
    });
    expect(replay.status).toBe(401);
    expect(replay.json.error.code).toBe('webauthn_failed');
  });

  it('the console offers passkeys: registration on the account page, then "Use a passkey" at sign-in', async () => {
    const u = await v.makeUser([{ role: 'supervisor', tenant: TENANT }]);
    const base = v.url.replace('127.0.0.1', 'localhost');
    // A fresh browser profile: no cookies from the API-level tests above.
    const uiContext = await browser.newContext();
    const ui = await uiContext.newPage();
    const uiCdp = await uiContext.newCDPSession(ui);
    await uiCdp.send('WebAuthn.enable');
    await uiCdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    await ui.goto(`${base}/`);
    await ui.getByLabel('E-mail').fill(u.email);
    await ui.getByLabel('Password').fill(u.password);
    await ui.getByRole('button', { name: 'Continue' }).click();
    await ui.getByLabel('Authentication code').fill(freshTotp(u.totpSecret));
    await ui.getByRole('button', { name: 'Verify' }).click();
    await ui.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await ui.goto(`${base}/app/account`);
    await ui.getByRole('button', { name: 'Add a passkey' }).click();
    await ui.getByText('Passkey added.').waitFor();
    await ui.getByRole('button', { name: 'Sign out' }).first().click();
    await ui.getByLabel('E-mail').fill(u.email);
    await ui.getByLabel('Password').fill(u.password);
    await ui.getByRole('button', { name: 'Continue' }).click();
    await ui.getByRole('button', { name: 'Use a passkey' }).click();
    await ui.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const rows = (await v.core.db.withOwner((tx) =>
      tx.execute(
        sql`select auth_methods from sessions where user_id = ${u.id} order by created_at desc limit 1`,
      ),
    )) as unknown as { rows: Array<{ auth_methods: string[] }> };
    expect(rows.rows[0]!.auth_methods).toEqual(['pwd', 'webauthn']);
    await uiContext.close();
  });
});
