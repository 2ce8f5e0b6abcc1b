// The DPO's subject-request page in a real Chromium against a real Vigil: find a person (the
// search term goes in a POST body, never a URL), record access, erasure and restriction requests
// with their deadline, export, erase (crypto-shred, audited) and restrict / lift.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import {
  axe,
  ensureWebBuild,
  expectCsrfOnWrites,
  expectNoPersonalDataInUrlsOrStorage,
  launch,
  newPage,
  shot,
  signIn,
} from './browser.ts';

const SLUG = 'web-dpo';
const JANA = { name: 'Jana Beispiel', emails: ['jana.beispiel@example.org'], customerNumber: 'AC-70001' };
const TOM = { name: 'Tom Probe', emails: ['tom.probe@example.org'] };

describe(`DPO subject requests in the browser (${testDbKind})`, () => {
  let v: TestVigil;
  let browser: Browser;
  let dpo: TestUser;
  let agentApi: Session;
  let supApi: Session;
  let janaId: string;
  let tomId: string;

  beforeAll(async () => {
    await ensureWebBuild();
    v = await startTestVigil();
    await v.tenant(SLUG);
    dpo = await v.makeUser([{ role: 'dpo', tenant: SLUG }]);
    const sup = await v.makeUser([{ role: 'supervisor', tenant: SLUG }]);
    const agent = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    const s = await v.login(sup);
    supApi = s;
    agentApi = await v.login(agent);
    janaId = (await v.call('POST', `/api/v1/tenants/${SLUG}/customers`, JANA, s)).json.id;
    tomId = (await v.call('POST', `/api/v1/tenants/${SLUG}/customers`, TOM, s)).json.id;
    expect(janaId).toBeTruthy();
    expect(tomId).toBeTruthy();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await v?.close();
  });

  const record = async (page: import('playwright-core').Page, email: string, type: string) => {
    const card = page.locator('section.card', { has: page.getByRole('heading', { name: 'New request' }) });
    await card.getByLabel('Search term').fill(email);
    await card.getByRole('button', { name: 'Find' }).click();
    await card.getByLabel('Data subject').waitFor();
    await card.getByLabel('Request', { exact: true }).selectOption(type);
    await card.getByLabel('Identity checked by').selectOption('id_document_sighted');
    await card.getByRole('button', { name: 'Record request' }).click();
    await page.getByText('Request recorded').first().waitFor();
  };

  it('exports, erases and restricts through subject requests with deadlines', async () => {
    const w = await newPage(browser, { baseUrl: v.url });
    const { page } = w;
    await signIn(page, v.url, dpo);
    await page.getByRole('navigation').getByRole('link', { name: 'Subject requests' }).click();
    await page.getByRole('heading', { name: 'Subject requests', level: 1 }).waitFor();
    await page.getByText('No subject requests').waitFor();
    await axe(page, 'dpo empty');

    // Access: export with the access history, then complete.
    await record(page, JANA.emails[0]!, 'access');
    const rows = page.locator('table tbody tr');
    const access = rows.filter({ hasText: 'Access (export)' });
    await access.getByText(/\d+ days left/).waitFor();
    await access.getByRole('button', { name: 'Export data' }).click();
    await page
      .getByTestId('export-summary')
      .getByText(/access records/)
      .waitFor();
    await axe(page, 'dpo export');
    await shot(page, '40-dpo-export');
    await access.getByRole('button', { name: 'Mark completed' }).click();
    await access.getByText('Completed', { exact: true }).waitFor();

    // Restriction: processing (changes) stops with 423 until lifted.
    await record(page, TOM.emails[0]!, 'restriction');
    const restriction = rows.filter({ hasText: 'Restriction' });
    await restriction.getByRole('button', { name: 'Restrict processing' }).click();
    await restriction.getByText('In effect', { exact: true }).waitFor();
    const change = () =>
      v.call('PATCH', `/api/v1/tenants/${SLUG}/customers/${tomId}`, { language: 'de' }, supApi);
    expect((await change()).status).toBe(423);
    await restriction.getByRole('button', { name: 'Lift restriction' }).click();
    await restriction.getByText('Completed', { exact: true }).waitFor();
    expect((await change()).status).toBe(200);

    // Erasure: irreversible, confirmed in a dialog, audited with a certificate.
    await record(page, JANA.emails[0]!, 'erasure');
    const erasure = rows.filter({ hasText: 'Erasure' });
    await erasure.getByRole('button', { name: 'Erase' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('cannot be undone', { exact: false }).waitFor();
    await axe(page, 'dpo erase dialog');
    await shot(page, '41-dpo-erase');
    await dialog.getByRole('button', { name: 'Erase irreversibly' }).click();
    await page.getByText('Data erased', { exact: false }).first().waitFor();
    await erasure.getByText('Completed', { exact: true }).waitFor();
    expect(
      (await v.call('GET', `/api/v1/tenants/${SLUG}/customers/${janaId}`, undefined, agentApi)).status,
    ).toBe(410);
    const events = await v.call(
      'GET',
      `/api/v1/tenants/${SLUG}/audit/events?action=privacy.erasure&resourceId=${janaId}`,
      undefined,
      await v.login(dpo),
    );
    expect(events.status).toBe(200);
    expect(events.json.events).toHaveLength(1);
    await axe(page, 'dpo requests');
    await shot(page, '42-dpo-requests');

    await expectNoPersonalDataInUrlsOrStorage(w, [JANA.name, JANA.emails[0]!, TOM.emails[0]!, TOM.name]);
    expectCsrfOnWrites(w);
    expect(w.writes.length).toBeGreaterThanOrEqual(9);
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });
});
