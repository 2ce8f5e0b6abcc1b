// The DPO in a real Chromium: writes and signs a DPIA, sees the review task once the tenant admin
// relaxes the MFA policy, and objects to a new sub-processor the operator announced.
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { axe, ensureWebBuild, launch, newPage, signIn } from './browser.ts';

const SLUG = `web-gov-${randomBytes(3).toString('hex')}`;

describe(`privacy governance in the console (${testDbKind})`, () => {
  let v: TestVigil;
  let browser: Browser;
  let dpo: TestUser;
  let admin: Session;
  let operator: Session;

  beforeAll(async () => {
    await ensureWebBuild();
    v = await startTestVigil();
    await v.tenant(SLUG);
    dpo = await v.makeUser([{ role: 'dpo', tenant: SLUG }]);
    admin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: SLUG }]));
    operator = await v.login(await v.makeUser([{ role: 'platform_admin' }]));
    await v.call(
      'PUT',
      `/api/v1/tenants/${SLUG}/identity/phishing-resistant`,
      { allRoles: false, roles: ['agent'] },
      admin,
    );
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await v?.close();
  });

  it('walks the DPO through a DPIA and a sub-processor change', async () => {
    const { page } = await newPage(browser, { baseUrl: v.url });
    await signIn(page, v.url, dpo);
    await page.getByRole('navigation').getByRole('link', { name: 'Governance' }).click();
    await page.getByRole('heading', { name: 'Privacy governance', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'New DPIA' }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Processing activity').fill('voice');
    await form
      .getByLabel('Description of the processing')
      .fill('Customer service by telephone for the client.');
    await form
      .getByLabel('Necessity and proportionality')
      .fill('Only what the enquiry needs; retention rules delete.');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByText('DPIA created').waitFor();
    const row = page.getByRole('row').filter({ hasText: 'voice' });
    await row.getByRole('button', { name: 'Sign' }).click();
    const sign = page.getByRole('dialog');
    await sign.getByLabel('DPO opinion').fill('Residual risks are acceptable with the linked controls.');
    await sign.getByRole('button', { name: 'Sign' }).click();
    await page.getByText('DPIA signed').waitFor();
    await axe(page, 'governance');

    await v.call(
      'PUT',
      `/api/v1/tenants/${SLUG}/identity/phishing-resistant`,
      { allRoles: false, roles: [] },
      admin,
    );
    await v.call(
      'POST',
      '/api/v1/admin/sub-processors',
      {
        name: 'Nimbus Hosting AG',
        service: 'backup storage',
        dataCategories: ['encrypted backups'],
        countries: ['CH'],
        transferMechanism: 'adequacy',
        tenants: [SLUG],
      },
      operator,
    );
    await page.reload();
    await page.getByText('Review the DPIA for voice: a linked control changed').waitFor();
    const notice = page.getByRole('row').filter({ hasText: 'Nimbus Hosting AG' });
    await notice.getByRole('button', { name: 'Object' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('Backups must stay in the EU.');
    await dialog.getByRole('button', { name: 'Object' }).click();
    await page.getByText('Objection recorded').waitFor();
    await notice.getByText('Objected').waitFor();
    await axe(page, 'governance after objection');
  });
});
