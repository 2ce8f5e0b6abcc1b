// The web consoles in a real Chromium against a real Vigil: sign-in with TOTP (and enrolment),
// language switch, sessions, suspension by a security officer, audit verification, sign-out,
// axe-core accessibility checks and the strict CSP. Screenshots go to test-results/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.ts';
import { freshTotp, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import {
  axe,
  ensureWebBuild,
  expectCsrfOnWrites,
  launch,
  repo,
  shot,
  signIn as signInAt,
  type Watched,
  newPage as watchedPage,
} from './browser.ts';

const TENANT = 'web-acme';

let v: TestVigil;
let browser: Browser;
let so: TestUser;
let agent: TestUser;
const watched = new Map<Page, Watched>();

const signIn = (page: Page, u: TestUser) => signInAt(page, v.url, u);
async function newPage() {
  const w = await watchedPage(browser, { baseUrl: v.url });
  watched.set(w.page, w);
  return w;
}
/** CSP violations and page errors; every state change also carried the CSRF token. */
const cspErrors = (page: Page) => {
  expectCsrfOnWrites(watched.get(page)!);
  return watched.get(page)!.errors;
};

describe('web console', () => {
  beforeAll(async () => {
    // Built from the current sources (once for all browser test files) so no test runs a stale bundle.
    await ensureWebBuild();
    v = await startTestVigil();
    await v.tenant(TENANT);
    so = await v.makeUser([{ role: 'security_officer', tenant: TENANT }]);
    agent = await v.makeUser([{ role: 'agent', tenant: TENANT }]);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await v?.close();
  });

  it('serves the console with the strict CSP and no inline script', async () => {
    const dist = join(repo, 'web', 'dist');
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      expect(m[1]).toMatch(/\bsrc=/);
      expect(m[2]!.trim()).toBe('');
    }
    expect(html).not.toMatch(/\sstyle=|<style/i);
    for (const path of ['/', '/app', `/app/t/${TENANT}/users`]) {
      const r = await v.call('GET', path);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/text\/html/);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(r.text).toBe(html);
    }
    const asset = readdirSync(join(dist, 'assets')).find((f) => f.endsWith('.js'))!;
    const a = await v.call('GET', `/assets/${asset}`);
    expect(a.status).toBe(200);
    expect(a.headers.get('cache-control')).toContain('immutable');
    expect((await v.call('GET', '/assets/..%2Fsrc%2Fmain.tsx')).status).toBe(404);
    expect((await v.call('GET', '/assets/missing.js')).status).toBe(404);
  });

  it('signs in with password and TOTP, switches language, lists and revokes a session, signs out', async () => {
    const { ctx, page } = await newPage();
    await page.goto(`${v.url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await axe(page, 'sign-in');
    await shot(page, '01-sign-in');

    // wrong password: a clear, translated error
    await page.getByLabel('E-mail').fill(so.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('E-mail or password is not correct.').waitFor();

    // wrong code, then the right one
    await page.getByLabel('Password').fill(so.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('That code is not correct').waitFor();
    await axe(page, 'sign-in code step');
    await shot(page, '02-sign-in-code-error');
    await page.getByLabel('Authentication code').fill(freshTotp(so.totpSecret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    expect(page.url()).not.toContain(so.email);
    expect(page.url()).not.toContain('@');
    await axe(page, 'dashboard');
    await shot(page, '03-dashboard');

    // nothing personal kept in web storage
    const storage = await page.evaluate(() => {
      const g = globalThis as unknown as {
        localStorage: { length: number };
        sessionStorage: { length: number };
      };
      return { l: g.localStorage.length, s: g.sessionStorage.length };
    });
    expect(storage).toEqual({ l: 0, s: 0 });

    // German and back
    await page.getByTestId('language').selectOption('de');
    await page.getByRole('heading', { name: 'Übersicht', level: 1 }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    await shot(page, '04-dashboard-de');
    await page.getByTestId('language').selectOption('en');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();

    // a reload keeps the session (CSRF token fetched again from /api/v1/me)
    await page.reload();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();

    // a second session (another device), listed and revoked
    const other = await v.login(so, { userAgent: 'other-device' });
    expect((await v.call('GET', '/api/v1/me', undefined, other)).status).toBe(200);
    await page.getByRole('navigation').getByRole('link', { name: 'Account and sessions' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    const rows = page.locator('table tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByText('This session').waitFor();
    await axe(page, 'account');
    await shot(page, '05-sessions');
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Session ended').first().waitFor();
    await page.getByRole('cell', { name: 'Ended' }).waitFor();
    const refused = await v.call('GET', '/api/v1/me', undefined, other);
    expect(refused.status).toBe(401);
    await shot(page, '06-session-revoked');

    // sign out: back to sign-in, the session cookie no longer works
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    expect(me).toBe(401);
    expect(cspErrors(page)).toEqual([]);
    await ctx.close();
  });

  it('a security officer suspends an agent (whose next request is refused) and verifies the audit log', async () => {
    const agentSession = await v.login(agent);
    expect((await v.call('GET', '/api/v1/me', undefined, agentSession)).status).toBe(200);

    // another security officer: TOTP codes may not be reused, and the first test used two of so's
    const so2 = await v.makeUser([{ role: 'security_officer', tenant: TENANT }]);
    const { ctx, page } = await newPage();
    await signIn(page, so2);
    await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await page.locator('table tbody tr').first().waitFor();
    await axe(page, 'users');
    await shot(page, '07-users');

    // the agent's sessions
    const agentRow = page.locator('table tbody tr', { hasText: 'Agent' });
    await expect.poll(() => agentRow.count()).toBe(1);
    await agentRow.getByRole('button', { name: 'Sessions of Test User' }).click();
    await page.getByRole('dialog').getByRole('cell', { name: 'Active' }).first().waitFor();
    await shot(page, '07b-user-sessions');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await agentRow.getByRole('button', { name: 'Suspend Test User' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Suspend Test User' }).waitFor();
    await dialog.getByRole('button', { name: 'Suspend' }).click();
    await dialog.getByText('at least 3 characters').first().waitFor();
    await axe(page, 'suspend dialog');
    await dialog.getByLabel('Reason').fill('Suspicious bulk access reported by the team lead');
    await shot(page, '08-suspend-dialog');
    await dialog.getByRole('button', { name: 'Suspend' }).click();
    await page.getByText('Test User is suspended').waitFor();
    await agentRow.getByRole('cell', { name: 'Suspended' }).waitFor();
    await shot(page, '09-suspended');

    const refused = await v.call('GET', '/api/v1/me', undefined, agentSession);
    expect(refused.status).toBe(401);
    expect(refused.json.error.code).toMatch(/account_suspended|session_expired|unauthenticated/);

    // audit: search and verify
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.locator('table tbody tr').first().waitFor();
    // suspension is a platform-chain event; the tenant chain holds e.g. the searches themselves
    const rows = page.locator('table tbody tr');
    await page.getByLabel('Action').fill('audit.search');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(async () => (await rows.allInnerTexts()).every((r) => r.includes('Audit log searched')))
      .toBe(true);
    expect(await rows.count()).toBeGreaterThan(0);
    await page.getByLabel('Action').fill('no.such_action');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No audit events match these filters.').waitFor();
    await page.getByRole('button', { name: 'Reset' }).click();
    await rows.first().waitFor();
    await page.getByRole('button', { name: 'Verify audit log' }).click();
    await page.getByTestId('verify-result').getByText('Audit log intact').waitFor();
    await axe(page, 'audit');
    await shot(page, '10-audit-verified');

    await page.getByRole('navigation').getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
    await page
      .getByText(/No alerts|Observed/)
      .first()
      .waitFor();
    await axe(page, 'alerts');
    await shot(page, '11-alerts');
    expect(cspErrors(page)).toEqual([]);
    await ctx.close();
  });

  it('first sign-in enrols TOTP with the QR code and shows the recovery codes once', async () => {
    const fresh = await v.makeUser(
      [
        { role: 'agent', tenant: TENANT },
        { role: 'tenant_admin', tenant: TENANT },
      ],
      { enrolled: false },
    );
    const { ctx, page } = await newPage();
    await page.goto(`${v.url}/`);
    await page.getByLabel('E-mail').fill(fresh.email);
    await page.getByLabel('Password').fill(fresh.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const uri = await page.getByLabel('Or add this key by hand').inputValue();
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    const secret = new URL(uri).searchParams.get('secret')!;
    await axe(page, 'enrolment');
    await shot(page, '12-enrol');
    await page.getByLabel('Authentication code').fill(totpCode(secret, Date.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    expect(await page.locator('.recovery-codes li').count()).toBe(10);
    await shot(page, '13-recovery-codes');
    await page.getByRole('button', { name: 'I have stored them' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();

    // the agent inbox and the tenant admin pages render their states accessibly
    await page.getByRole('navigation').getByRole('link', { name: 'Inbox' }).click();
    await page
      .getByText(/Inbox zero|No conversation selected/)
      .first()
      .waitFor();
    await axe(page, 'inbox');
    await shot(page, '14-inbox');
    await page.getByRole('navigation').getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Name').fill('telephony');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await page.getByLabel('Token', { exact: true }).inputValue();
    expect(token).toMatch(/^vgl_/);
    await axe(page, 'tokens');
    await shot(page, '15-api-token');

    // Tenant settings: the verification policy and the PII treatment per kind of data.
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Tenant settings', level: 1 }).waitFor();
    await page.getByLabel('Correct answers required').fill('1');
    await page.getByLabel('Customer number', { exact: true }).uncheck();
    await page.getByRole('button', { name: 'Save', exact: true }).first().click();
    await page.getByText('Settings saved').first().waitFor();
    await page.getByLabel('Treatment of EMAIL').selectOption('tokenize');
    await page.getByRole('button', { name: 'Save', exact: true }).last().click();
    await expect
      .poll(() =>
        page.evaluate(async (slug) => {
          type Policies = {
            policy: { required: number; factors: string[]; entities: Record<string, { operator: string }> };
          };
          const get = async (p: string) =>
            (await (await fetch(`/api/v1/tenants/${slug}/settings/${p}`)).json()) as Policies;
          const [v, p] = await Promise.all([get('verification-policy'), get('pii-policy')]);
          return {
            required: v.policy.required,
            factors: v.policy.factors,
            email: p.policy.entities.EMAIL?.operator,
          };
        }, TENANT),
      )
      .toEqual({ required: 1, factors: ['date_of_birth', 'postcode'], email: 'tokenize' });
    await axe(page, 'settings');
    await shot(page, '16-settings');
    expect(cspErrors(page)).toEqual([]);
    await ctx.close();
  });
});
