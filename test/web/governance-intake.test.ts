// A customer in a real Chromium files a privacy request on the tenant's public page (proof of
// work in the browser, no login), takes the code from the mail that reached the SMTP sink,
// confirms it on the status page the link opens (token in the fragment only), and, once the DPO
// fulfilled the request, downloads the export with a second mailed code. No CSP violation, axe
// clean, no address or token in any URL, nothing in web storage; the page also speaks German.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { type Gateways, startGateways, waitFor } from '../verification/world.ts';
import { axe, expectNoPersonalDataInUrlsOrStorage, launch, newPage, shot } from './browser.ts';

const suffix = randomBytes(3).toString('hex');
const SLUG = `web-dsar-${suffix}`;
const address = `page-${suffix}@example.test`;

describe(`public privacy-request page (${testDbKind})`, () => {
  let v: TestVigil;
  let g: Gateways;
  let browser: Browser;
  let dpo: Session;
  let customerId = '';

  beforeAll(async () => {
    g = await startGateways();
    v = await startTestVigil({
      smtpRelayUrl: `smtp://127.0.0.1:${g.smtpPort}`,
      dsarPowBits: 10,
      dsarRequestsPerMinute: 1000,
    });
    await v.tenant(SLUG);
    dpo = await v.login(await v.makeUser([{ role: 'dpo', tenant: SLUG }]));
    const agent = await v.login(await v.makeUser([{ role: 'agent', tenant: SLUG }]));
    const c = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/customers`,
      { name: 'Jana Beispiel', emails: [address] },
      agent,
    );
    customerId = c.json.id;
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await v?.close();
    await g?.close();
  });

  const codes = async (n: number) => {
    const mails = await waitFor(async () => {
      const m = g.mail.filter((x) => JSON.stringify(x.to).includes(address));
      return m.length >= n ? m : null;
    });
    return /code: (\d{6})/.exec(mails[n - 1]!.text ?? '')![1]!;
  };

  it('files, verifies, follows and downloads without logging in', async () => {
    const w = await newPage(browser, { baseUrl: v.url });
    const { page } = w;
    await page.goto(`${v.url}/privacy/${SLUG}`);
    await page.getByRole('heading', { level: 1, name: `Privacy request to Tenant ${SLUG}` }).waitFor();
    await axe(page, 'privacy form');
    await page.getByLabel('A copy of my data (access, Art. 15)').check();
    await page.getByLabel('Your e-mail address').fill(address);
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByRole('heading', { name: 'Request received' }).waitFor();
    await shot(page, 'privacy-form-filed');
    const href = (await page.getByRole('link', { name: 'Follow your request' }).getAttribute('href'))!;
    const token = href.split('#')[1]!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await page.getByRole('link', { name: 'Follow your request' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your privacy request' }).waitFor();
    await page.getByText('Waiting for your code').waitFor();
    await axe(page, 'privacy status');

    const wrong = await codes(1).then((c) => (c === '000000' ? '111111' : '000000'));
    await page.getByLabel('Code (6 digits)', { exact: true }).fill(wrong);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('The code is wrong or expired.').waitFor();
    await page.getByLabel('Code (6 digits)', { exact: true }).fill(await codes(1));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Confirmed, being handled').waitFor();

    // The DPO fulfils the access request in the console's API.
    const list = await v.call('GET', `/api/v1/tenants/${SLUG}/governance/dsar-intakes`, undefined, dpo);
    const intake = list.json.items.find((i: { customerId: string }) => i.customerId === customerId);
    const f = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/governance/dsar-intakes/${intake.id}/fulfil`,
      undefined,
      dpo,
    );
    expect(f.status).toBe(200);

    await page.reload();
    await page.getByText('Your data is ready to download').waitFor();
    await page.getByLabel('Download code (6 digits)').fill(await codes(2));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('privacy-export.json');
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(exported.customerId).toBe(customerId);
    expect(exported.profile.emails).toEqual([address]);
    await page.getByText('The download has started.').waitFor();
    await axe(page, 'privacy status fulfilled');
    await shot(page, 'privacy-status-fulfilled');

    expect(w.errors).toEqual([]);
    await expectNoPersonalDataInUrlsOrStorage(w, [address, token]);
    await w.ctx.close();
  });

  it('speaks the browser language (German) and keeps the CSP', async () => {
    const w = await newPage(browser, { baseUrl: v.url, locale: 'de-DE' });
    await w.page.goto(`${v.url}/privacy/${SLUG}`);
    await w.page.getByRole('heading', { level: 1, name: `Datenschutzanfrage an Tenant ${SLUG}` }).waitFor();
    await w.page.getByRole('link', { name: 'FR' }).click();
    await w.page
      .getByRole('heading', { level: 1, name: `Demande de confidentialité à Tenant ${SLUG}` })
      .waitFor();
    await axe(w.page, 'privacy form fr');
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });
});
