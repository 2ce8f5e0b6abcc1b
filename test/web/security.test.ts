// The security officer's console in a real Chromium against a real Vigil: a scripted insider
// (many profile views through the API) raises an alert that appears live; the officer opens its
// evidence, suspends the agent from the alert (the agent's session is refused at once),
// acknowledges it, revokes another user's active session, searches the audit log and verifies it
// with the latest signed checkpoint.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { axe, ensureWebBuild, expectCsrfOnWrites, launch, newPage, shot, signIn } from './browser.ts';

const SLUG = 'web-sec';

describe(`security officer console (${testDbKind})`, () => {
  let v: TestVigil;
  let browser: Browser;
  let so: TestUser;
  let soApi: Session;
  let insider: TestUser;
  let colleague: TestUser;
  const customers: string[] = [];

  beforeAll(async () => {
    await ensureWebBuild();
    v = await startTestVigil();
    await v.tenant(SLUG);
    so = await v.makeUser([{ role: 'security_officer', tenant: SLUG }]);
    insider = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    colleague = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    const sup = await v.makeUser([{ role: 'supervisor', tenant: SLUG }]);
    const s = await v.login(sup);
    for (let i = 0; i < 30; i++) {
      const r = await v.call('POST', `/api/v1/tenants/${SLUG}/customers`, { name: `Kunde ${i}` }, s);
      expect(r.status).toBe(201);
      customers.push(r.json.id);
    }
    soApi = await v.login(so);
    // A lower burst threshold keeps the scripted insider short; the response stays "alert" so
    // that the suspension is the officer's decision in the console.
    const rule = await v.call(
      'PUT',
      `/api/v1/tenants/${SLUG}/monitoring/rules/view_burst`,
      { threshold: 20, action: 'alert' },
      soApi,
    );
    expect(rule.status).toBe(200);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await v?.close();
  });

  it('an insider alert appears live; the officer suspends the agent from it and the agent is refused', async () => {
    const w = await newPage(browser, { baseUrl: v.url });
    const { page } = w;
    await signIn(page, v.url, so);
    await page.getByRole('navigation').getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
    await page.getByText('No alerts').waitFor();

    // The scripted insider: 30 profile views in a few seconds with a stolen or abused session.
    const agentSession = await v.login(insider);
    for (const id of customers)
      expect(
        (await v.call('GET', `/api/v1/tenants/${SLUG}/customers/${id}`, undefined, agentSession)).status,
      ).toBe(200);
    const link = page.getByRole('link', { name: 'Burst of customer profile views' });
    await link.waitFor({ timeout: 15_000 });
    await axe(page, 'alerts (live)');
    await shot(page, '30-alert-live');
    await link.click();
    await page.getByRole('heading', { name: 'Burst of customer profile views', level: 1 }).waitFor();
    await page.getByText(/\d+ audit events/).waitFor();
    const subject = page.getByTestId('alert-subject');
    await subject.getByText('Active', { exact: true }).waitFor();
    await axe(page, 'alert detail');

    await page.getByRole('button', { name: 'Suspend user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('Burst of profile views, confirmed with the team lead');
    await dialog.getByRole('button', { name: 'Suspend' }).click();
    await page.getByText('Test User is suspended').waitFor();
    await subject.getByText('Suspended', { exact: true }).waitFor();
    const refused = await v.call(
      'GET',
      `/api/v1/tenants/${SLUG}/customers/${customers[0]}`,
      undefined,
      agentSession,
    );
    expect(refused.status).toBe(401);
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('Acknowledged', { exact: true }).first().waitFor();
    await shot(page, '31-alert-suspended');
    const alerts = await v.call(
      'GET',
      `/api/v1/tenants/${SLUG}/alerts?subjectId=${insider.id}`,
      undefined,
      soApi,
    );
    expect(alerts.json.items.map((a: { state: string }) => a.state)).toContain('acknowledged');
    expect(JSON.stringify(alerts.json)).not.toContain('Kunde');

    // Active sessions: the colleague's session is revoked from the user list.
    const colleagueSession = await v.login(colleague);
    await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const row = page
      .locator('table tbody tr', { has: page.getByRole('cell', { name: 'Active', exact: true }) })
      .filter({
        hasText: 'Agent',
      });
    await expect.poll(() => row.count()).toBe(1);
    await row.getByRole('button', { name: 'Sessions of Test User' }).click();
    const sessions = page.getByRole('dialog');
    await sessions.getByRole('button', { name: 'Revoke' }).first().click();
    await sessions.getByRole('cell', { name: 'Ended' }).first().waitFor();
    expect((await v.call('GET', '/api/v1/me', undefined, colleagueSession)).status).toBe(401);
    await axe(page, 'user sessions');
    await shot(page, '32-sessions-revoked');
    await sessions.getByRole('button', { name: 'Close' }).click();

    // Audit: search, verify, the latest signed checkpoint.
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByLabel('Action').fill('alert.update');
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.locator('table tbody tr');
    // Actions read as words; the code stays in the cell's title.
    await expect.poll(async () => (await rows.allInnerTexts()).join('\n')).toContain('Alert updated');
    const signNow = page.getByRole('button', { name: 'Sign a checkpoint now' });
    if (await signNow.isVisible()) await signNow.click();
    await page.getByText('Signing key').waitFor();
    await page.getByRole('button', { name: 'Verify audit log' }).click();
    await page.getByTestId('verify-result').getByText('Audit log intact').waitFor();
    await axe(page, 'audit');
    await shot(page, '33-audit-verified');
    expectCsrfOnWrites(w);
    expect(w.writes.map((x) => x.url)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/suspend$/),
        expect.stringMatching(/\/audit\/verify$/),
      ]),
    );
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });
});
