/// <reference types="chrome" />
/// <reference lib="dom" />
// Issue 31 in a real Chromium with the built Cockpit (built with no tools at all): tools
// registered afterwards are controlled from Vigil, sites outside the catalogue follow the tenant,
// in-page actions and SPA navigations are checked, Vigil unreachable locks the tools and the
// queued events replay in order, a kill is scoped to the tool, and a disabled extension gets the
// agent's sessions suspended. Timings are printed (performance is not asserted beyond the issue's
// bounds, which are generous against the short grace and heartbeat configured here).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM build script without types
import { buildExtension } from '../../tools/build-extension.mjs';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { startRelay, startSite, type ToolSite, until, writeHelperExtension } from './fail-closed-harness.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TENANT = 'cockpit-closed';
const timings: Record<string, number> = {};

let v: TestVigil;
let relay: Awaited<ReturnType<typeof startRelay>>;
let a: ToolSite;
let b: ToolSite;
let other: ToolSite;
let A: string; // tool A origin
let B: string; // tool B origin
let NEWS: string; // a site outside the catalogue
let A_OTHER_PORT: string; // tool A's host on another port: not the tool
let ctx: BrowserContext;
let sw: Worker;
let helper: Worker;
let extId: string;
let work: string;
let admin: Session;
let so: Session;
let agent: TestUser;
let agentSession: Session;
let toolA: string;

async function auditEvents(action: string) {
  const r = await v.call(
    'GET',
    `/api/v1/tenants/${TENANT}/audit/events?action=${action}&limit=200`,
    undefined,
    so,
  );
  expect(r.status).toBe(200);
  return r.json.events as Array<{ seq: string; outcome: string; meta: Record<string, unknown> }>;
}

async function settings(patch: Record<string, unknown>) {
  const r = await v.call('PUT', `/api/v1/tenants/${TENANT}/cockpit/settings`, patch, admin);
  expect(r.status).toBe(200);
}

async function pair(): Promise<void> {
  agentSession = await v.login(agent);
  const code = await v.call('POST', '/api/v1/cockpit/pairing-codes', {}, agentSession);
  const popup = await ctx.newPage();
  await popup.goto(`chrome-extension://${extId}/popup.html`);
  await popup.getByLabel('Pairing code from Vigil (Cockpit page)').fill(code.json.code);
  await popup.getByRole('button', { name: 'Pair this browser' }).click();
  await popup.locator('#status[data-paired="true"]').waitFor({ timeout: 10_000 });
  await popup.close();
  await until('the push channel', async () => v.app.cockpit.hub.connected() > 0);
}

/** Navigates; the block reason, or null when the page itself loaded. */
async function open(page: Page, url: string): Promise<string | null> {
  await page.goto(url).catch(() => {});
  await page.waitForLoadState('domcontentloaded');
  return blockReason(page);
}
async function blockReason(page: Page): Promise<string | null> {
  if (!page.url().startsWith(`chrome-extension://${extId}/block.html`)) return null;
  const el = page.locator('#reason[data-reason]:not([data-reason=""])');
  await el.waitFor({ timeout: 5_000 });
  return el.getAttribute('data-reason');
}

const dynamicRulesMention = (needle: string) =>
  sw.evaluate(
    async (n) =>
      (await chrome.declarativeNetRequest.getDynamicRules()).some((r) =>
        r.condition.regexFilter?.includes(n),
      ),
    needle,
  );

describe('Vigil Cockpit fails closed (Chromium, built extension)', () => {
  beforeAll(async () => {
    v = await startTestVigil({ cockpitHeartbeatGraceSeconds: 2 });
    relay = await startRelay(Number(new URL(v.url).port));
    [a, b, other] = await Promise.all([startSite('tool-a'), startSite('tool-b'), startSite('other')]);
    A = `http://crm.tool-a.test:${a.port}`;
    B = `http://shop.tool-b.test:${b.port}`;
    NEWS = `http://news.elsewhere.test:${other.port}`;
    A_OTHER_PORT = `http://crm.tool-a.test:${other.port}`;
    work = mkdtempSync(join(tmpdir(), 'vigil-cockpit-closed-'));
    // Third-party cookies on, as in a default desktop profile: 'strip_cookies' has to remove them.
    mkdirSync(join(work, 'profile', 'Default'), { recursive: true });
    writeFileSync(
      join(work, 'profile', 'Default', 'Preferences'),
      JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }),
    );
    // No catalogue at build time: every tool below is registered afterwards.
    const ext = join(work, 'ext');
    buildExtension({ vigilUrl: relay.url, origins: [], out: ext });
    const help = writeHelperExtension(join(work, 'helper'));

    const adminUser = await v.makeUser([{ role: 'tenant_admin', tenant: TENANT }]);
    const soUser = await v.makeUser([{ role: 'security_officer', tenant: TENANT }]);
    agent = await v.makeUser([{ role: 'agent', tenant: TENANT }]);
    admin = await v.login(adminUser);
    so = await v.login(soUser);
    await settings({ offlineGraceSeconds: 2, heartbeatSeconds: 1, tamperGraceSeconds: 600 });

    ctx = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: false, // extensions need the new headless mode, passed as a flag below
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        '--host-resolver-rules=MAP *.test 127.0.0.1',
        // Lets the tools set SameSite=None; Secure cookies over plain HTTP on loopback.
        `--unsafely-treat-insecure-origin-as-secure=${A},${B}`,
        `--disable-extensions-except=${ext},${help}`,
        `--load-extension=${ext},${help}`,
      ],
    });
    const workers = await until(
      'both extension workers',
      async () => (ctx.serviceWorkers().length >= 2 ? ctx.serviceWorkers() : null),
      15_000,
    );
    for (const w of workers) {
      const name = await w.evaluate(() => chrome.runtime.getManifest().name);
      if (name === 'cockpit-test-helper') helper = w;
      else sw = w;
    }
    extId = new URL(sw.url()).host;
    await pair();
  }, 120_000);

  afterAll(async () => {
    console.log(`cockpit fail-closed timings (ms): ${JSON.stringify(timings)}`);
    await ctx?.close();
    for (const s of [a, b, other]) s?.server.close();
    await relay?.close();
    await v?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('controls a tool registered after the build within seconds (pushed rules, no rebuild)', async () => {
    const page = await ctx.newPage();
    expect(await open(page, `${A}/admin/refunds`)).toBeNull(); // not catalogued yet: not governed
    const t0 = Date.now();
    const created = await v.call(
      'POST',
      `/api/v1/tenants/${TENANT}/cockpit/tools`,
      { name: 'CRM', origins: [A], forbiddenPaths: ['/admin/refunds'] },
      admin,
    );
    expect(created.status).toBe(201);
    toolA = created.json.id;
    await until(
      'tool A in the browser rules',
      () => dynamicRulesMention(`crm\\.tool-a\\.test:${a.port}`),
      5_000,
    );
    timings.toolControlledAfterRegister = Date.now() - t0;
    expect(await open(page, `${A}/admin/refunds`)).toBe('path_forbidden');
    expect(await open(page, `${A}/orders/1234/items`)).toBeNull();
    await until('the visit in the audit log', async () =>
      (await auditEvents('cockpit.visit')).find((e) => e.meta.path === '/orders/:id/items'),
    );
    await page.close();
  }, 30_000);

  it('sites outside the catalogue follow the tenant: blocked, allowed without the tools’ cookies, allowed', async () => {
    const page = await ctx.newPage();
    expect(await open(page, `${NEWS}/today`)).toBeNull();
    await settings({ unlistedSites: 'block' });
    expect(
      await until('unlisted blocked', async () => (await open(page, `${NEWS}/today`)) === 'not_catalogued'),
    ).toBe(true);
    expect(await open(page, `${A}/orders`)).toBeNull(); // the catalogued tool still works
    await settings({ unlistedSites: 'strip_cookies' });
    expect(
      await until('unlisted allowed again', async () => (await open(page, `${NEWS}/today`)) === null),
    ).toBe(true);
    // A request from the unlisted site to the tool goes without the tool's cookies …
    const fromNews = async () => {
      const n = a.hits.length;
      await page.evaluate((src) => {
        const img = document.createElement('img');
        img.src = src;
        document.body.append(img);
      }, `${A}/pixel/${Date.now()}`);
      return until('the request from the unlisted site', async () =>
        a.hits.slice(n).find((h) => h.path.startsWith('/pixel/')),
      );
    };
    expect(await fromNews()).toMatchObject({ sso: false });
    // … while the tool's own pages keep them, and with 'allow' other sites get them again.
    const own = await ctx.newPage();
    expect(await open(own, `${A}/orders/direct`)).toBeNull();
    expect(a.hits.filter((h) => h.path === '/orders/direct').at(-1)).toMatchObject({
      cookie: true,
      sso: true,
    });
    await own.close();
    await settings({ unlistedSites: 'allow' });
    await until('cookies allowed again', async () => (await fromNews()).sso);
    await page.close();
  }, 30_000);

  it('checks in-page actions and SPA navigations; normalised paths, ambiguous encodings refused', async () => {
    const page = await ctx.newPage();
    expect(await open(page, `${A}/orders`)).toBeNull();
    const hitsBefore = a.hits.length;
    const before = a.hits.filter((h) => h.path === '/admin/refunds').length;
    const blocked = await page.evaluate(() =>
      fetch('/admin/refunds', { method: 'POST', body: '{}' }).then(
        () => 'sent',
        () => 'refused',
      ),
    );
    expect(blocked).toBe('refused');
    expect(a.hits.filter((h) => h.path === '/admin/refunds').length).toBe(before);
    const allowed = await page.evaluate(() =>
      fetch('/orders/5521/notes', { method: 'POST', body: '{}' }).then((r) => r.status),
    );
    expect(allowed).toBe(200);
    const actions = await until('both actions in the audit log', async () => {
      const e = await auditEvents('cockpit.action');
      return e.length >= 2 ? e : null;
    });
    expect(actions.map((e) => [e.meta.method, e.meta.path, e.outcome]).sort()).toEqual([
      ['POST', '/admin/refunds', 'denied'],
      ['POST', '/orders/:id/notes', 'success'],
    ]);
    // history.pushState to a forbidden path shows the block page like a page load.
    await page.evaluate(() => history.pushState(null, '', '/admin/refunds'));
    await until('the pushState block', async () => (await blockReason(page)) === 'path_forbidden');
    expect(await open(page, `${A}/orders/..%2fadmin/refunds`)).toBe('path_ambiguous');
    expect(await open(page, `${A}/ADMIN/Refunds`)).toBe('path_forbidden');
    expect(await open(page, `${A}/orders/%2e%2e/admin/refunds`)).toBe('path_forbidden');
    expect(a.hits.slice(hitsBefore).some((h) => /admin/i.test(h.path))).toBe(false);
    await page.close();
  }, 30_000);

  it('locks the tools when Vigil is unreachable and replays the queued events in order', async () => {
    const tab = await ctx.newPage();
    expect(await open(tab, `${A}/orders`)).toBeNull();
    const t0 = Date.now();
    await relay.cut();
    const visitDuringGrace = await ctx.newPage();
    const first = await open(visitDuringGrace, `${A}/reports/weekly`); // visit or lock page, both queued
    await until(
      'the lock page over the open tool tab',
      async () => (await blockReason(tab)) === 'offline',
      15_000,
    ).catch(async (e) => {
      const st = await sw.evaluate(() => chrome.storage.session.get(['locked', 'lastContact']));
      throw new Error(
        `no lock: tab ${tab.url()} first ${first} state ${JSON.stringify(st)} now ${Date.now()}`,
        { cause: e },
      );
    });
    timings.lockAfterCut = Date.now() - t0;
    expect(await open(visitDuringGrace, `${A}/customers/77/history`)).toBe('offline');
    const stored = await sw.evaluate(async () => JSON.stringify(await chrome.storage.local.get('queue')));
    expect(JSON.parse(stored).queue.items.length).toBeGreaterThanOrEqual(2);
    expect(stored).not.toMatch(/customers|reports|history/); // encrypted at rest
    // The popup no longer says just "Paired".
    const popup = await ctx.newPage();
    await popup.goto(`chrome-extension://${extId}/popup.html`);
    await popup.locator('#status[data-locked="true"]').waitFor({ timeout: 5_000 });
    expect(await popup.locator('#status').textContent()).toContain('locked');
    await popup.close();

    const t1 = Date.now();
    await relay.restore();
    await until('the tool tab back', async () => tab.url() === `${A}/orders`, 15_000);
    timings.unlockAfterRestore = Date.now() - t1;
    const watched = ['/reports/weekly', '/customers/:id/history'];
    const replayed = await until(
      'the replayed events',
      async () => {
        const evs = [
          ...(await auditEvents('cockpit.visit')).map((e) => ({ ...e, kind: 'visit' })),
          ...(await auditEvents('cockpit.blocked')).map((e) => ({ ...e, kind: 'blocked' })),
        ]
          .filter((e) => watched.includes(String(e.meta.path)))
          .sort((x, y) => Number(x.seq) - Number(y.seq));
        return evs.some((e) => e.meta.path === '/customers/:id/history') ? evs : null;
      },
      15_000,
    );
    timings.replayAfterRestore = Date.now() - t1;
    // In the order they happened: the visit within the grace (unless the lock came first), the
    // lock page over that tab, the attempt while locked.
    expect(replayed.map((e) => `${e.kind} ${e.meta.path} ${e.meta.reason ?? ''}`.trim())).toEqual([
      ...(first === null ? ['visit /reports/weekly'] : []),
      'blocked /reports/weekly offline',
      'blocked /customers/:id/history offline',
    ]);
    // Device sequence numbers rise with the audit log's order, and nothing was missing.
    const seqs = replayed.map((e) => Number(e.meta.seq));
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(await auditEvents('cockpit.event_gap')).toEqual([]);
    await Promise.all([tab.close(), visitDuringGrace.close()]);
  }, 60_000);

  it('a kill clears exactly the tool’s origin: cookies, storage, tabs', async () => {
    const created = await v.call(
      'POST',
      `/api/v1/tenants/${TENANT}/cockpit/tools`,
      { name: 'Shop', origins: [B] },
      admin,
    );
    expect(created.status).toBe(201);
    await until('tool B in the browser rules', () => dynamicRulesMention(`shop\\.tool-b\\.test:${b.port}`));
    const pages: Record<string, Page> = {};
    for (const [k, origin] of Object.entries({ A, B, A_OTHER_PORT })) {
      const p = await ctx.newPage();
      expect(await open(p, `${origin}/home`)).toBeNull();
      await p.evaluate(async (key) => {
        localStorage.setItem('k', key);
        await new Promise((r) => {
          const req = indexedDB.open(`db-${key}`, 1);
          req.onupgradeneeded = () => req.result.createObjectStore('s');
          req.onsuccess = () => r(null);
        });
      }, k);
      pages[k] = p;
    }
    const closed = new Promise<number>((r) => pages.A!.once('close', () => r(Date.now())));
    const t0 = Date.now();
    const put = await v.call(
      'PUT',
      `/api/v1/tenants/${TENANT}/cockpit/tools/${toolA}`,
      { name: 'CRM', origins: [A], forbiddenPaths: ['/admin/refunds'], enabled: false },
      admin,
    );
    expect(put.status).toBe(200);
    timings.killTabClosed = (await closed) - t0;
    await until('tool A cookies gone', async () => (await ctx.cookies(A)).length === 0, 5_000);
    timings.killCookiesCleared = Date.now() - t0;
    expect((await ctx.cookies(B)).map((c) => c.value)).toContain('tool-b-secret');
    expect(pages.B!.isClosed()).toBe(false);
    expect(pages.A_OTHER_PORT!.isClosed()).toBe(false);
    const storageOf = (p: Page) =>
      p.evaluate(async () => ({
        ls: localStorage.getItem('k'),
        dbs: (await indexedDB.databases()).map((d) => d.name),
      }));
    expect(await storageOf(pages.B!)).toEqual({ ls: 'B', dbs: ['db-B'] });
    expect(await storageOf(pages.A_OTHER_PORT!)).toEqual({ ls: 'A_OTHER_PORT', dbs: ['db-A_OTHER_PORT'] });
    // Tool A again: its storage is gone.
    const reenable = await v.call(
      'PUT',
      `/api/v1/tenants/${TENANT}/cockpit/tools/${toolA}`,
      { name: 'CRM', origins: [A], forbiddenPaths: ['/admin/refunds'] },
      admin,
    );
    expect(reenable.status).toBe(200);
    const again = await ctx.newPage();
    expect(await until('tool A open again', async () => (await open(again, `${A}/home`)) === null)).toBe(
      true,
    );
    expect(await storageOf(again)).toEqual({ ls: null, dbs: [] });
    for (const p of [again, pages.B!, pages.A_OTHER_PORT!]) await p.close();
  }, 40_000);

  it('a suspension during an outage applies on reconnect, after the queued events', async () => {
    const tab = await ctx.newPage();
    expect(await open(tab, `${B}/orders`)).toBeNull();
    await relay.cut();
    await until('locked', async () => (await blockReason(tab)) === 'offline', 15_000);
    const r = await v.call(
      'POST',
      `/api/v1/tenants/${TENANT}/users/${agent.id}/suspend`,
      { reason: 'test' },
      so,
    );
    expect(r.status).toBe(200);
    const closed = new Promise<void>((res) => tab.once('close', () => res()));
    const t0 = Date.now();
    await relay.restore();
    await closed;
    timings.pendingSuspensionTabClosedAfterReconnect = Date.now() - t0;
    await until('tool B cookies cleared', async () => (await ctx.cookies(B)).length === 0, 5_000);
    timings.pendingSuspensionCookiesClearedAfterReconnect = Date.now() - t0;
    const page = await ctx.newPage();
    expect(['suspended', 'not_signed_in']).toContain(await open(page, `${B}/orders`));
    const blocked = await auditEvents('cockpit.blocked');
    expect(blocked.some((e) => e.meta.reason === 'offline' && e.meta.origin === B)).toBe(true);
    await page.close();
    expect(
      (await v.call('POST', `/api/v1/tenants/${TENANT}/users/${agent.id}/unsuspend`, { reason: 'test' }, so))
        .status,
    ).toBe(200);
  }, 60_000);

  it('pairing refuses a browser not under enterprise policy when the tenant requires it', async () => {
    await settings({ requireManaged: true });
    // Another agent: the last test signs `agent` in again, and each sign-in takes a TOTP step.
    const s = await v.login(await v.makeUser([{ role: 'agent', tenant: TENANT }]));
    const code = await v.call('POST', '/api/v1/cockpit/pairing-codes', {}, s);
    const popup = await ctx.newPage();
    await popup.goto(`chrome-extension://${extId}/popup.html`);
    await popup.getByLabel('Pairing code from Vigil (Cockpit page)').fill(code.json.code);
    await popup.getByRole('button', { name: 'Pair this browser' }).click();
    await until('the refusal', async () =>
      (await popup.locator('#status').textContent())?.includes('forbidden'),
    );
    expect(await popup.locator('#status').getAttribute('data-paired')).toBe('false');
    await popup.close();
    await settings({ requireManaged: false });
  }, 30_000);

  it('disabling the extension suspends the agent’s Vigil sessions (heartbeat lost → tenant action)', async () => {
    await settings({ tamperGraceSeconds: 2 });
    await pair();
    expect((await v.call('GET', '/api/v1/me', undefined, agentSession)).status).toBe(200);
    const t0 = Date.now();
    await helper.evaluate((id) => chrome.management.setEnabled(id, false), extId);
    await until(
      'the agent session revoked',
      async () => (await v.call('GET', '/api/v1/me', undefined, agentSession)).status === 401,
      30_000,
    );
    timings.suspendAfterDisable = Date.now() - t0;
    const tamper = await auditEvents('cockpit.tamper');
    expect(tamper.at(0)?.meta).toMatchObject({ reason: 'heartbeat_lost', response: 'both' });
    // Up to one TOTP step (30 s) may pass waiting for a fresh code in pair(), on a fast machine.
  }, 100_000);
});
