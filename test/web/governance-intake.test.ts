// A customer in a real Chromium files a privacy request on the tenant's public page (proof of
// work in the browser, no login), takes the code from the mail that reached the SMTP sink,
// confirms it on the status page the link opens (token in the fragment only), and, once the DPO
// fulfilled the request, downloads the export with a second mailed code. No CSP violation, axe
// clean, no address or token in any URL, nothing in web storage; the page also speaks German.
// The DPO then sees the intakes in the console and reads what an objecting requester wrote.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solve } from '../../src/governance/pow.ts';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { type Gateways, startGateways, waitFor } from '../verification/world.ts';
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

const suffix = randomBytes(3).toString('hex');
const SLUG = `web-dsar-${suffix}`;
const address = `page-${suffix}@example.test`;

describe(`public privacy-request page (${testDbKind})`, () => {
  let v: TestVigil;
  let g: Gateways;
  let browser: Browser;
  let dpo: Session;
  let dpoUser: TestUser;
  let customerId = '';

  beforeAll(async () => {
    await ensureWebBuild();
    g = await startGateways();
    v = await startTestVigil({
      smtpRelayUrl: `smtp://127.0.0.1:${g.smtpPort}`,
      dsarPowBits: 10,
      dsarRequestsPerMinute: 1000,
    });
    await v.tenant(SLUG);
    dpoUser = await v.makeUser([{ role: 'dpo', tenant: SLUG }]);
    dpo = await v.login(dpoUser);
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

  it('the DPO sees the intakes in the console and reads an objection on demand', async () => {
    const pub = `/api/v1/public/tenants/${SLUG}/privacy-requests`;
    const ch = await v.call('GET', `${pub}/challenge`);
    const grounds = `No marketing calls, please (${suffix})`;
    const filed = await v.call('POST', pub, {
      type: 'objection',
      email: address,
      details: grounds,
      challenge: ch.json.challenge,
      nonce: solve(ch.json.challenge, ch.json.difficulty),
    });
    expect(filed.status).toBe(202);
    const w = await newPage(browser, { baseUrl: v.url });
    await signIn(w.page, v.url, dpoUser);
    await w.page.getByRole('navigation').getByRole('link', { name: 'Governance' }).click();
    const table = w.page.getByRole('table', {
      name: 'Requests from the public form and the privacy mailbox',
    });
    const row = table.getByRole('row').filter({ hasText: 'Objection' });
    await row.getByText('Form · code by e-mail').waitFor();
    await row.getByText('Unconfirmed').waitFor();
    await table.getByRole('row').filter({ hasText: 'Access' }).getByText('Export provided').waitFor();
    await row.getByRole('button', { name: 'What the requester wrote' }).click();
    await w.page.getByRole('dialog').getByText(grounds).waitFor();
    await axe(w.page, 'governance intakes');
    expect(w.errors).toEqual([]);
    expectCsrfOnWrites(w);
    await w.ctx.close();
  });

  it('works without WebCrypto: a plain-HTTP host that is not localhost solves the work in script', async () => {
    const insecure = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--host-resolver-rules=MAP dsar.test 127.0.0.1'],
    });
    try {
      const base = v.url.replace('127.0.0.1', 'dsar.test');
      const w = await newPage(insecure, { baseUrl: base });
      await w.page.goto(`${base}/privacy/${SLUG}`);
      expect(await w.page.evaluate(() => globalThis.isSecureContext)).toBe(false);
      await w.page.getByLabel('Your e-mail address').fill(`nobody-${suffix}@example.test`);
      await w.page.getByRole('button', { name: 'Send request' }).click();
      await w.page.getByRole('heading', { name: 'Request received' }).waitFor();
      expect(w.errors).toEqual([]);
    } finally {
      await insecure.close();
    }
  });
});
