// npm run build:extension: broad host access (what is enforced comes from Vigil at run time, so
// tools added later need no rebuild), the build's catalogue only seeds the pre-pairing block list,
// the extension CSP is strict, and the content-security review refuses eval/remote code.
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
  it('packs a manifest with broad host access, the seed catalogue in config and a strict CSP', () => {
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
    expect(m.host_permissions).toEqual(['http://*/*', 'https://*/*']);
    expect(m.permissions.sort()).toEqual([
      'alarms',
      'browsingData',
      'cookies',
      'declarativeNetRequest',
      'downloads',
      'storage',
      'webNavigation',
      'webRequest',
    ]);
    // Observation only: no page scripts, no blocking webRequest, no debugger.
    expect(JSON.stringify(m)).not.toMatch(/scripting|content_scripts|webRequestBlocking|debugger/);
    expect(m.storage).toEqual({ managed_schema: 'managed_schema.json' });
    expect(readFileSync(join(out, 'config.js'), 'utf8')).toContain(
      'TOOL_ORIGINS = ["https://crm.client.example","https://shop.client.example:8443"]',
    );
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
