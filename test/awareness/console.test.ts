// The agent's awareness console in a real Chromium: locked out by the module's gate training, the
// agent reads the module, fails nothing, passes its quiz, and the training gate opens; the report
// button hands a suspicious mail to the security team.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { axe, ensureWebBuild, launch, newPage, signIn } from '../web/browser.ts';
import { GATE_MODULE } from './world.ts';

const SLUG = `web-aware-${Math.random().toString(36).slice(2, 8)}`;

describe(`awareness console (${testDbKind})`, () => {
  let v: TestVigil;
  let browser: Browser;
  let agent: TestUser;

  beforeAll(async () => {
    await ensureWebBuild();
    v = await startTestVigil();
    await v.tenant(SLUG);
    agent = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    const officer = await v.login(await v.makeUser([{ role: 'security_officer', tenant: SLUG }]));
    const r = await v.call('POST', `/api/v1/tenants/${SLUG}/awareness/modules`, GATE_MODULE, officer);
    expect(r.status).toBe(201);
    browser = await launch();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await v?.close();
  });

  it('walks an agent through a module and its quiz, and the training gate opens', async () => {
    const a = await newPage(browser, { baseUrl: v.url });
    await signIn(a.page, v.url, agent);
    const status = () =>
      a.page.evaluate(async (slug) => (await fetch(`/api/v1/tenants/${slug}/conversations`)).status, SLUG);
    expect(await status()).toBe(403);
    await a.page.getByRole('navigation').getByRole('link', { name: 'Security awareness' }).click();
    await a.page.getByRole('heading', { name: 'Security awareness', level: 1 }).waitFor();
    await a.page.getByRole('button', { name: 'Phishing basics' }).click();
    await a.page.getByRole('heading', { name: 'What to do' }).waitFor();
    await a.page.getByText('Check the sender').waitFor();
    await axe(a.page, 'awareness module');
    await a.page.getByLabel('refuse and report').check();
    await a.page.getByLabel('Urgency').check();
    await a.page.getByLabel('Unknown domain').check();
    await a.page.getByRole('button', { name: 'Submit answers' }).click();
    await a.page.getByText('Passed with 100 %').waitFor();
    await expect.poll(status, { timeout: 15_000 }).toBe(200);

    await a.page
      .getByLabel('Suspicious message')
      .fill('Subject: Invoice\n\nPay now at http://invoice-pay.example');
    await a.page.getByRole('button', { name: 'Report phishing' }).click();
    await a.page.getByText('The security team has been alerted.').waitFor();
    expect(a.errors).toEqual([]);
  });
});
