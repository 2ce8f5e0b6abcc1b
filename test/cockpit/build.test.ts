// npm run build:extension: the manifest asks only for Vigil's origin and the catalogued tool
// origins, the extension CSP is strict, and the content-security review refuses eval/remote code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM build script without types
import { buildExtension, originsFrom, reviewSources } from '../../tools/build-extension.mjs';

const work = mkdtempSync(join(tmpdir(), 'vigil-ext-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const repo = join(import.meta.dirname, '..', '..');

describe('build:extension', () => {
  it('packs a manifest with exactly the catalogued host permissions and a strict CSP', () => {
    const catalogue = join(work, 'catalogue.json');
    writeFileSync(
      catalogue,
      JSON.stringify({
        items: [
          { origins: ['https://crm.client.example'] },
          { origins: ['https://shop.client.example:8443'] },
        ],
      }),
    );
    const out = join(work, 'ext');
    execFileSync(process.execPath, [
      join(repo, 'tools', 'build-extension.mjs'),
      '--vigil-url',
      'https://vigil.example.com',
      '--catalogue',
      catalogue,
      '--out',
      out,
    ]);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.manifest_version).toBe(3);
    expect(m.host_permissions).toEqual([
      'https://vigil.example.com/*',
      'https://crm.client.example/*',
      'https://shop.client.example:8443/*',
    ]);
    expect(m.permissions.sort()).toEqual([
      'alarms',
      'browsingData',
      'declarativeNetRequest',
      'downloads',
      'storage',
    ]);
    expect(JSON.stringify(m)).not.toMatch(
      /<all_urls>|\*:\/\/\*|tabs|webRequest|scripting|content_scripts|cookies/,
    );
    expect(m.web_accessible_resources).toEqual([
      {
        resources: ['block.html'],
        matches: ['https://crm.client.example/*', 'https://shop.client.example:8443/*'],
      },
    ]);
    const csp: string = m.content_security_policy.extension_pages;
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline|wasm/);
    expect(csp).toContain("connect-src 'self' https://vigil.example.com wss://vigil.example.com;");
    expect(readFileSync(`${out}.zip`).subarray(0, 4).toString('hex')).toBe('504b0304');
    expect(reviewSources(out)).toEqual([]);
  });

  it('refuses eval and remote scripts, and non-origin catalogue entries', () => {
    const dir = join(work, 'bad');
    buildExtension({ vigilUrl: 'https://vigil.example.com', origins: ['https://a.example'], out: dir });
    writeFileSync(join(dir, 'evil.js'), 'const f = eval("1+1");');
    writeFileSync(join(dir, 'evil.html'), '<script src="https://cdn.example/x.js"></script>');
    expect(reviewSources(dir)).toEqual(['evil.html: remote script', 'evil.js: eval(']);
    expect(() => originsFrom(['https://a.example/path'])).toThrow(/not an origin/);
  });
});
