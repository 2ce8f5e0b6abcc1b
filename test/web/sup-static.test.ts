// The console's static files (issue 25): served precompressed (brotli, else gzip, else plain) with
// Vary: Accept-Encoding; hashed files immutable for a year, index.html revalidated every time.
// Also measures, in Chromium, what the console's bundle costs on the wire and how fast it loads.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { ensureWebBuild, launch, newPage, repo, shots } from './browser.ts';

const dist = join(repo, 'web', 'dist');

/** A raw GET (fetch would decode the body and hide the encoding). */
async function raw(url: string, encoding: string) {
  const { request } = await import('node:http');
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      request(url, { headers: { 'accept-encoding': encoding } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }),
        );
      })
        .on('error', reject)
        .end();
    },
  );
}

describe(`compressed console assets (${testDbKind})`, () => {
  let v: TestVigil;
  let browser: Browser;
  let script: string;

  beforeAll(async () => {
    await ensureWebBuild();
    v = await startTestVigil();
    script = readdirSync(join(dist, 'assets')).find((f) => /^index-.*\.js$/.test(f))!;
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await v?.close();
  });

  it('sends brotli, gzip or plain as accepted, each the same bytes, hashed files immutable', async () => {
    const plain = readFileSync(join(dist, 'assets', script));
    const url = `${v.url}/assets/${script}`;
    const br = await raw(url, 'gzip, deflate, br');
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(String(br.headers.vary)).toMatch(/accept-encoding/i);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(brotliDecompressSync(br.body).equals(plain)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.length / 3);

    const gz = await raw(url, 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain)).toBe(true);

    const none = await raw(url, 'identity');
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body.equals(plain)).toBe(true);

    // index.html (and the console paths that serve it) are revalidated, never kept stale.
    for (const p of ['/', '/app/t/x/inbox']) {
      const html = await raw(`${v.url}${p}`, 'br');
      expect(html.headers['content-encoding']).toBe('br');
      expect(html.headers['cache-control']).toBe('no-cache');
      expect(brotliDecompressSync(html.body).toString()).toContain(`/assets/${script}`);
    }
    // No path escapes the assets directory, compressed or not.
    expect((await raw(`${v.url}/assets/..%2Findex.html`, 'br')).status).toBe(404);
  });

  it('measures the bundle on the wire and the console load time in Chromium', async () => {
    const w = await newPage(browser, { baseUrl: v.url });
    const runs: number[] = [];
    let transferred: Array<{ name: string; transfer: number; decoded: number }> = [];
    for (let i = 0; i < 5; i++) {
      // A fresh cache each time: the first visit, the expensive one.
      const cdp = await w.ctx.newCDPSession(w.page);
      await cdp.send('Network.clearBrowserCache');
      await w.page.goto(`${v.url}/`, { waitUntil: 'load' });
      await w.page.getByRole('heading', { level: 1 }).waitFor();
      const m = await w.page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        return {
          load: nav.loadEventEnd - nav.startTime,
          files: res
            .filter((r) => r.name.includes('/assets/'))
            .map((r) => ({
              name: r.name.split('/').pop()!,
              transfer: r.transferSize,
              decoded: r.decodedBodySize,
            })),
        };
      });
      runs.push(Math.round(m.load));
      transferred = m.files;
    }
    const js = transferred.find((f) => f.name === script)!;
    expect(js.transfer).toBeGreaterThan(0);
    expect(js.transfer).toBeLessThan(js.decoded / 3);
    runs.sort((a, b) => a - b);
    const report = { files: transferred, loadMs: { min: runs[0], median: runs[2], max: runs[4] } };
    writeFileSync(join(shots, 'sup-static-measure.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log('console bundle', JSON.stringify(report));
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });
});
