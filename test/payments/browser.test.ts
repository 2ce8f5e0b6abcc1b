// The hosted payment page in real Chromium: a good test card is charged, a decline card is
// declined, the page's own script runs under its strict CSP without a single violation, nothing
// loads from anywhere else, it cannot be framed, and afterwards the full card number is in no
// table, no log line and no agent response.
import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { World } from '../conversations/fixture.ts';
import type { Res } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { type Gateways, openCall, startGateways, startPaymentsWorld } from '../verification/world.ts';
import { findCardTraces, recordScan } from './scan.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const GOOD = '4242424242424242';
const DECLINE = '4000000000000002';

describe(`hosted payment page in Chromium (${testDbKind})`, () => {
  let g: Gateways;
  let w: World & { slugA: string; slugB: string };
  let browser: Browser;
  const agentResponses: Res[] = [];
  const agent = async (method: string, path: string, body?: unknown) => {
    const r = await w.v.call(method, path, body, w.s.agentA1);
    agentResponses.push(r);
    return r;
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    g = await startGateways();
    w = await startPaymentsWorld(g);
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
    await w?.v.close();
    await g?.close();
  });

  /** A page that records CSP violations, console errors and every URL it requests. */
  async function watchedPage() {
    const page = await browser.newPage();
    const seen = { violations: [] as string[], errors: [] as string[], urls: [] as string[] };
    // Runs before the page's own code (injected by the browser, not subject to the page's CSP).
    await page.addInitScript({
      content: `window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`,
    });
    page.on('console', (m) => {
      if (m.type() === 'error') seen.errors.push(m.text());
    });
    page.on('request', (r) => seen.urls.push(r.url()));
    const violations = async (p: Page) => (await p.evaluate('window.__csp')) as string[];
    return { page, seen, violations };
  }

  async function payOnPage(link: string, pan: string, shot: string) {
    const { page, seen, violations } = await watchedPage();
    const res = await page.goto(link);
    expect(res?.status()).toBe(200);
    const headers = res!.headers();
    await page.getByLabel('Card number').pressSequentially(pan, { delay: 5 });
    // The page's own script (same origin, allowed by the CSP) formats the number as it is typed.
    await expect
      .poll(() => page.getByLabel('Card number').inputValue())
      .toBe(pan.replace(/(\d{4})(?=\d)/g, '$1 '));
    await page.getByLabel('Expiry (MM/YY)').pressSequentially('1230');
    expect(await page.getByLabel('Expiry (MM/YY)').inputValue()).toBe('12/30');
    await page.getByLabel('Security code').fill('123');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForSelector('#result');
    const status = await page.getAttribute('#result', 'data-status');
    const text = await page.textContent('main');
    mkdirSync('test-results/payments', { recursive: true });
    await page.screenshot({ path: `test-results/payments/${shot}.png` });
    const v = await violations(page);
    await page.close();
    return { status, text: text ?? '', headers, seen, violations: v };
  }

  it('a good card is charged and a decline card is declined, under a strict CSP with no violations', async () => {
    const { conversationId: conv } = await openCall(w, '+49 30 555 0150');
    const base = `/api/v1/tenants/${w.slugA}/conversations/${conv}/payments`;
    const c1 = await agent('POST', base, {
      amountMinor: 12_345,
      currency: 'EUR',
      reference: 'INV-9001',
      method: 'link',
    });
    expect(c1.status).toBe(201);
    const ok = await payOnPage(c1.json.link, GOOD, 'succeeded');
    expect(ok.status).toBe('succeeded');
    expect(ok.text).toContain('123.45 EUR');
    expect(ok.text).toContain('ending in 4242');

    const c2 = await agent('POST', base, {
      amountMinor: 500,
      currency: 'EUR',
      reference: 'INV-9002',
      method: 'link',
    });
    const declined = await payOnPage(c2.json.link, DECLINE, 'declined');
    expect(declined.status).toBe('declined');
    expect(declined.text).toContain('Nothing was charged');

    for (const r of [ok, declined]) {
      expect(r.violations).toEqual([]);
      // A decline answers 402, which Chromium reports as a failed resource; anything else is an error.
      expect(r.seen.errors.filter((e) => !/status of 402/.test(e))).toEqual([]);
      // Only Vigil itself: the page, its stylesheet and script (no third parties at all).
      const origins = new Set(r.seen.urls.map((u) => new URL(u).origin));
      expect([...origins]).toEqual([new URL(w.v.url).origin]);
      expect(r.seen.urls.some((u) => u.endsWith('/pay/assets/pay.js'))).toBe(true);
      const csp = r.headers['content-security-policy'] ?? '';
      const directives = Object.fromEntries(
        csp.split(';').map((d) => {
          const [k, ...vals] = d.trim().split(/\s+/);
          return [k, vals.join(' ')];
        }),
      );
      expect(directives['default-src']).toBe("'none'");
      expect(directives['script-src']).toBe("'self'");
      expect(directives['style-src']).toBe("'self'");
      expect(directives['frame-ancestors']).toBe("'none'");
      expect(directives['form-action']).toBe("'self'");
      expect(csp).not.toMatch(/unsafe-|https?:|\*/);
      expect(r.headers['cache-control']).toBe('no-store');
    }

    // The agent sees status, brand and last four, nothing more.
    const list = await agent('GET', base);
    expect(list.json.payments.map((p: { status: string; card: unknown }) => [p.status, p.card])).toEqual([
      ['declined', { brand: 'visa', last4: '0002' }],
      ['succeeded', { brand: 'visa', last4: '4242' }],
    ]);
    await agent('GET', `/api/v1/tenants/${w.slugA}/conversations/${conv}/timeline`);
    await agent('GET', `/api/v1/tenants/${w.slugA}/conversations/${conv}`);

    // The full card numbers are nowhere: every table as text, the database bytes, the logs, the
    // agent's responses.
    const scan = await findCardTraces(
      w,
      [GOOD, DECLINE],
      agentResponses.map((r) => r.text),
    );
    expect(scan.dumpLength).toBeGreaterThan(10_000);
    recordScan('browser', scan, agentResponses.length);
    expect(scan.hits).toEqual([]);
  });

  it('the page refuses to be framed by another site', async () => {
    const { conversationId: conv } = await openCall(w, '+49 30 555 0151');
    const c = await agent('POST', `/api/v1/tenants/${w.slugA}/conversations/${conv}/payments`, {
      amountMinor: 100,
      currency: 'EUR',
      reference: 'FRAME-1',
      method: 'link',
    });
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (m) => blocked.push(m.text()));
    await page.setContent(`<iframe id="f" src="${c.json.link}"></iframe>`);
    // Chromium reports the refusal once it has the frame's headers: wait for that, not for time.
    await expect
      .poll(() => blocked.join('\n'), { timeout: 15_000 })
      .toMatch(/frame-ancestors|Refused to (display|frame)/i);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const content = frame ? await frame.content().catch(() => '') : '';
    expect(content).not.toContain('Card number');
    await page.close();
  });
});
