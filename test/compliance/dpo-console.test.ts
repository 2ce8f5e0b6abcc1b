// The DPO compliance console in a real Chromium against a real Vigil: the page renders every
// section under the strict CSP, saving a retention policy and recording a breach work through the
// UI, and axe-core finds no serious accessibility violations.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTotp, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';

const repo = join(import.meta.dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TENANT = 'dpo-web';

describe('DPO compliance console', () => {
  let v: TestVigil;
  let browser: Browser;
  let dpo: TestUser;

  beforeAll(async () => {
    const { build } = await import('vite');
    await build({ configFile: join(repo, 'web', 'vite.config.ts'), logLevel: 'warn' });
    v = await startTestVigil();
    await v.tenant(TENANT);
    dpo = await v.makeUser([{ role: 'dpo', tenant: TENANT }]);
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
  });
  afterAll(async () => {
    await browser?.close();
    await v?.close();
  });

  it('renders, saves a policy, records a breach, passes axe', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${v.url}/`);
    await page.getByLabel('E-mail').fill(dpo.email);
    await page.getByLabel('Password').fill(dpo.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Authentication code').fill(freshTotp(dpo.totpSecret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Compliance' })
      .click();
    await page.getByRole('heading', { name: 'Compliance', level: 1 }).waitFor();
    for (const h of [
      'Subject requests and deadlines',
      'Retention policies',
      'Retention runs',
      'Legal holds',
      'Breach register',
      'Consents',
      'Access reviews',
      'Documents',
    ])
      await expect(page.getByRole('heading', { name: h }).count()).resolves.toBeGreaterThan(0);

    await page.getByLabel('Data category').selectOption('email');
    await page.getByLabel('Days').fill('400');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByRole('cell', { name: '400' }).waitFor();

    await page.getByLabel('Title').fill('Misdirected e-mail batch');
    await page.getByLabel('Detected at').fill('2026-01-10T09:30');
    await page.getByRole('button', { name: 'Record breach' }).click();
    await page.getByRole('cell', { name: 'Misdirected e-mail batch' }).waitFor();
    const row = await page.getByRole('row').filter({ hasText: 'Misdirected e-mail batch' }).textContent();
    expect(row).toMatch(/overdue/);

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
    expect(violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')).toEqual([]);
    mkdirSync(join(repo, 'test-results', 'web'), { recursive: true });
    await page.screenshot({ path: join(repo, 'test-results', 'web', 'dpo-compliance.png'), fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
