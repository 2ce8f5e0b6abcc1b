// Shared pieces of the browser tests: one fresh bundle per source state (built once even when
// several test files start together), Debian's Chromium, pages that record CSP violations, every
// request URL and every state-changing API call, axe-core, screenshots and the TOTP sign-in.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { freshTotp, type TestUser } from '../helpers/app.ts';

export const repo = join(import.meta.dirname, '..', '..');
export const shots = join(repo, 'test-results', 'web');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const web = join(repo, 'web');
const dist = join(web, 'dist');

function sourceHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(p).update(readFileSync(p));
    }
  };
  walk(join(web, 'src'));
  for (const f of ['index.html', 'vite.config.ts']) h.update(readFileSync(join(web, f)));
  return h.digest('hex');
}

/** Builds web/dist from the current sources unless it is already up to date (≈2 s). */
export async function ensureWebBuild(): Promise<void> {
  const want = sourceHash();
  const stamp = join(dist, '.source-hash');
  const fresh = () => existsSync(stamp) && readFileSync(stamp, 'utf8') === want;
  if (fresh()) return;
  const lock = join(web, '.build-lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // another test file is building; a lock older than two minutes is stale
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('web build lock held for too long');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (fresh()) return;
    const tmp = join(web, `.dist-${process.pid}`);
    const { build } = await import('vite');
    await build({
      configFile: join(web, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: tmp, emptyOutDir: true },
    });
    writeFileSync(join(tmp, '.source-hash'), want);
    const old = join(web, `.dist-old-${process.pid}`);
    if (existsSync(dist)) renameSync(dist, old);
    renameSync(tmp, dist);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function launch(): Promise<Browser> {
  mkdirSync(shots, { recursive: true });
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  return chromium.launch({
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
}

export interface Watched {
  ctx: BrowserContext;
  page: Page;
  /** CSP violations and uncaught page errors. */
  errors: string[];
  /** Every URL the page requested (documents, API calls, sockets). */
  urls: string[];
  /** State-changing API calls and whether they carried the CSRF header. */
  writes: Array<{ method: string; url: string; csrf: boolean }>;
}

export async function newPage(
  browser: Browser,
  opts: { locale?: string; baseUrl?: string } = {},
): Promise<Watched> {
  const ctx = await browser.newContext({
    viewport: { width: 1360, height: 900 },
    locale: opts.locale ?? 'en-GB',
  });
  const page = await ctx.newPage();
  const w: Watched = { ctx, page, errors: [], urls: [], writes: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) w.errors.push(m.text());
  });
  page.on('pageerror', (e) => w.errors.push(String(e)));
  page.on('websocket', (ws) => w.urls.push(ws.url()));
  page.on('request', (r) => {
    w.urls.push(r.url());
    const u = new URL(r.url());
    if (
      r.method() !== 'GET' &&
      r.method() !== 'HEAD' &&
      u.pathname.startsWith('/api/v1/') &&
      (!opts.baseUrl || r.url().startsWith(opts.baseUrl))
    )
      w.writes.push({ method: r.method(), url: u.pathname, csrf: !!r.headers()['x-csrf-token'] });
  });
  return w;
}

/** Every state change of a signed-in console carried the CSRF token (sign-in itself has none yet). */
export function expectCsrfOnWrites(w: Watched) {
  const before = /^\/api\/v1\/auth\/(login|mfa\/)/;
  const missing = w.writes.filter((x) => !x.csrf && !before.test(x.url));
  expect(missing).toEqual([]);
}

/** No personal value appears in any URL and nothing is kept in web storage. */
export async function expectNoPersonalDataInUrlsOrStorage(w: Watched, values: string[]) {
  for (const v of values) {
    const enc = encodeURIComponent(v);
    expect(w.urls.filter((u) => u.includes(v) || u.includes(enc))).toEqual([]);
  }
  const storage = await w.page.evaluate(() => {
    const g = globalThis as unknown as { localStorage: Storage; sessionStorage: Storage };
    const dump = (s: Storage) =>
      Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i)!)}`);
    return [...dump(g.localStorage), ...dump(g.sessionStorage)];
  });
  expect(storage).toEqual([]);
}

interface Storage {
  length: number;
  key(i: number): string | null;
  getItem(k: string): string | null;
}

/** axe-core run in the page (CDP evaluation is not subject to the page's CSP). */
export async function axe(page: Page, name: string) {
  await page.evaluate(axeSource);
  const r = (await page.evaluate(async () => {
    const g = globalThis as unknown as {
      document: unknown;
      axe: {
        run(
          d: unknown,
          o: object,
        ): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }>;
      };
    };
    const res = await g.axe.run(g.document, { resultTypes: ['violations'] });
    return res.violations.map((x) => ({
      id: x.id,
      impact: x.impact,
      targets: x.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  })) as Array<{ id: string; impact: string; targets: string[] }>;
  const bad = r.filter((x) => x.impact === 'serious' || x.impact === 'critical');
  expect({ page: name, violations: bad }).toEqual({ page: name, violations: [] });
}

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

export async function signIn(page: Page, baseUrl: string, u: TestUser, opts: { navigate?: boolean } = {}) {
  if (opts.navigate !== false) await page.goto(`${baseUrl}/`);
  await page.getByLabel('E-mail').fill(u.email);
  await page.getByLabel('Password').fill(u.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Authentication code').fill(freshTotp(u.totpSecret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}
