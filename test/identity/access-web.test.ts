// The Access and training page in a real Chromium: an agent acknowledges a required policy and
// registers this browser; a supervisor approves the device. axe-core checks both views.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTotp, type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';

const repo = join(import.meta.dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TENANT = 'web-access';

let v: TestVigil;
let browser: Browser;

async function signIn(page: Page, u: TestUser) {
  await page.goto(`${v.url}/`);
  await page.getByLabel('E-mail').fill(u.email);
  await page.getByLabel('Password').fill(u.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Authentication code').fill(freshTotp(u.totpSecret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}

async function axe(page: Page, name: string) {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const g = globalThis as unknown as {
      document: unknown;
      axe: { run(d: unknown, o: object): Promise<{ violations: Array<{ id: string; impact: string }> }> };
    };
    return (await g.axe.run(g.document, { resultTypes: ['violations'] })).violations.map((x) => ({
      id: x.id,
      impact: x.impact,
    }));
  })) as Array<{ id: string; impact: string }>;
  const bad = violations.filter((x) => x.impact === 'serious' || x.impact === 'critical');
  expect({ page: name, violations: bad }).toEqual({ page: name, violations: [] });
}

describe('access and training page', () => {
  let admin: Session;
  let adminUser: TestUser;
  let agent: TestUser;
  let supervisor: TestUser;

  beforeAll(async () => {
    const { build } = await import('vite');
    await build({ configFile: join(repo, 'web', 'vite.config.ts'), logLevel: 'warn' });
    v = await startTestVigil();
    await v.tenant(TENANT);
    adminUser = await v.makeUser([{ role: 'tenant_admin', tenant: TENANT }]);
    admin = await v.login(adminUser);
    agent = await v.makeUser([{ role: 'agent', tenant: TENANT }]);
    supervisor = await v.makeUser([{ role: 'supervisor', tenant: TENANT }]);
    await v.call(
      'POST',
      `/api/v1/tenants/${TENANT}/trainings`,
      { kind: 'policy', title: 'Clean desk policy', validityMonths: 12 },
      admin,
    );
    await v.call(
      'PUT',
      `/api/v1/tenants/${TENANT}/access/policies/agent`,
      { ipAllow: null, deviceApproval: true },
      admin,
    );
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
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await v?.close();
  });

  it('an agent registers the browser, waits for approval, then acknowledges the policy', async () => {
    const agentCtx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB' });
    const page = await agentCtx.newPage();
    await signIn(page, agent);
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Access and training' })
      .click();
    await page.getByRole('heading', { name: 'Access and training', level: 1 }).waitFor();
    // Device not yet approved: the training list itself is refused with a clear message.
    await page.getByText('This device is not approved for this client yet').first().waitFor();
    await page.getByRole('button', { name: 'Register this browser' }).click();
    await page.getByText('This browser is registered as device').waitFor();
    await axe(page, 'access (agent)');

    const supCtx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB' });
    const sup = await supCtx.newPage();
    await signIn(sup, supervisor);
    await sup.goto(`${v.url}/app/t/${TENANT}/access`);
    // The device files its approval request on its first tenant request.
    await page.reload();
    // Answered (still refused, now as a pending device) before the supervisor looks.
    await page.getByText('This device is not approved for this client yet').first().waitFor();
    await sup.reload();
    await sup.getByRole('button', { name: 'Approve' }).click();
    await sup.getByText('No devices waiting for approval').waitFor();
    await axe(sup, 'access (supervisor)');

    await page.reload();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('Valid', { exact: true }).waitFor();
    const me = await page.evaluate(
      async (slug) => (await fetch(`/api/v1/tenants/${slug}/conversations`)).status,
      TENANT,
    );
    expect(me).toBe(200);
    await agentCtx.close();
    await supCtx.close();
  }, 120_000);

  it('a tenant admin creates a SCIM token and maps a group to a role', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB' });
    const page = await ctx.newPage();
    await signIn(page, adminUser);
    await page.goto(`${v.url}/app/t/${TENANT}/access`);
    await page.getByRole('heading', { name: 'Provisioning from your identity provider (SCIM)' }).waitFor();
    await page.getByLabel('Name').fill('Entra ID');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.locator('code', { hasText: 'vscim_' }).textContent())!;
    expect(token).toMatch(/^vscim_/);
    await page.getByLabel('IdP group = role (one per line)').fill('Vigil Supervisors = supervisor');
    await page.getByRole('button', { name: 'Save role mapping' }).click();
    await page.getByText('Policy saved').first().waitFor();
    await axe(page, 'access (tenant admin)');
    const cfg = await v.call('GET', `/api/v1/tenants/${TENANT}/scim/config`, undefined, admin);
    expect(cfg.json).toEqual({
      defaultRole: 'agent',
      groupRoles: [{ group: 'Vigil Supervisors', role: 'supervisor' }],
    });
    const scim = await v.call('GET', '/scim/v2/ServiceProviderConfig', undefined, null, {
      authorization: `Bearer ${token}`,
    });
    expect(scim.status).toBe(200);
    await ctx.close();
  }, 120_000);
});
