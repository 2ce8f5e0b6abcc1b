// HTTPS in Vigil: TLS 1.2/1.3 handshakes succeed; TLS 1.0/1.1 are refused, shown with an
// openssl client that demonstrably can speak TLS 1.1 (it reaches a TLS 1.1 test server first).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTotp, startTestVigil, type TestVigil } from '../helpers/app.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-tls-'));
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');

/**
 * One handshake with the system openssl client (asynchronously: the servers under test run in
 * this process); the negotiated protocol, or null when no session was established.
 */
async function handshake(
  port: number,
  flags: string[],
): Promise<{ protocol: string | null; cipher: string | null; out: string }> {
  const child = spawn('openssl', [
    's_client',
    '-connect',
    `127.0.0.1:${port}`,
    '-servername',
    'localhost',
    ...flags,
  ]);
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  child.stdin.end();
  const timer = setTimeout(() => child.kill(), 15_000);
  await new Promise((r) => child.on('close', r));
  clearTimeout(timer);
  const protocol =
    /Protocol\s*:\s*(TLSv[\d.]+)/.exec(out)?.[1] ?? /New, (TLSv[\d.]+), Cipher/.exec(out)?.[1] ?? null;
  const cipher = /Cipher (?:is|\s*:)\s*([A-Z0-9_-]+)/.exec(out)?.[1] ?? null;
  return { protocol: cipher && cipher !== '0000' && cipher !== '(NONE)' ? protocol : null, cipher, out };
}

const TLS11 = ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'];
const TLS10 = ['-tls1', '-cipher', 'DEFAULT@SECLEVEL=0'];

function httpsGet(
  url: string,
  opts: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: opts.method ?? 'GET',
        ca: readFileSync(certFile),
        headers: { 'content-type': 'application/json', 'user-agent': 'vigil-test', ...opts.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body));
  });
}

describe('TLS in Vigil', () => {
  let v: TestVigil;
  let legacy: TlsServer;

  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    // The control: a server that does accept TLS 1.0/1.1, so a refusal by Vigil is Vigil's.
    legacy = createTlsServer(
      {
        cert: readFileSync(certFile),
        key: readFileSync(keyFile),
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      },
      (s) => s.end(),
    );
    await new Promise<void>((r) => legacy.listen(0, '127.0.0.1', r));
    v = await startTestVigil({ tlsCertFile: certFile, tlsKeyFile: keyFile, httpRedirectPort: 0 });
  });
  afterAll(async () => {
    await v.close();
    await new Promise<void>((r) => legacy.close(() => r()));
  });

  const port = () => Number(new URL(v.url).port);

  it('the openssl client really speaks TLS 1.1 and 1.0: it completes them with the legacy test server', async () => {
    const p = (legacy.address() as AddressInfo).port;
    expect((await handshake(p, TLS11)).protocol).toBe('TLSv1.1');
    expect((await handshake(p, TLS10)).protocol).toBe('TLSv1');
  });

  it('Vigil refuses TLS 1.1 and 1.0 from that same client', async () => {
    const t11 = await handshake(port(), TLS11);
    expect(t11.protocol).toBeNull();
    expect(t11.out).toMatch(/alert|handshake failure|unsupported protocol|wrong version/i);
    expect((await handshake(port(), TLS10)).protocol).toBeNull();
  });

  it('Vigil completes TLS 1.2 (ECDHE + AEAD suite) and TLS 1.3', async () => {
    const t12 = await handshake(port(), ['-tls1_2']);
    expect(t12.protocol).toBe('TLSv1.2');
    expect(t12.cipher).toMatch(/^ECDHE-(RSA|ECDSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
    expect((await handshake(port(), ['-tls1_3'])).protocol).toBe('TLSv1.3');
    // A weak TLS 1.2 suite offered alone is refused.
    expect((await handshake(port(), ['-tls1_2', '-cipher', 'AES128-SHA@SECLEVEL=0'])).protocol).toBeNull();
  });

  it('answers over HTTPS with HSTS, and the session cookie carries Secure', async () => {
    expect(v.url.startsWith('https://')).toBe(true);
    const h = await httpsGet(`${v.url}/healthz`);
    expect(h.status).toBe(200);
    expect(h.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    const u = await v.makeUser([{ role: 'agent', tenant: 'tls-a' }]);
    const a = await httpsGet(`${v.url}/api/v1/auth/login`, {
      method: 'POST',
      body: { email: u.email, password: u.password },
    });
    expect(a.status).toBe(200);
    const b = await httpsGet(`${v.url}/api/v1/auth/mfa/totp`, {
      method: 'POST',
      body: { challenge: JSON.parse(a.body).challenge, code: freshTotp(u.totpSecret) },
    });
    expect(b.status).toBe(200);
    const cookie = String(b.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-vigil_session=/);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/HttpOnly/i);
  });

  it('plain HTTP on the TLS port gets no answer from the API; the redirect port sends it to HTTPS', async () => {
    const plain = await new Promise<string>((resolve) => {
      const req = httpRequest(`http://127.0.0.1:${port()}/healthz`, (res) =>
        resolve(`status ${res.statusCode}`),
      );
      req.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      req.end();
    });
    expect(plain).not.toBe('status 200');
    expect(v.httpRedirectPort).toBeGreaterThan(0);
    const r = await fetch(`http://127.0.0.1:${v.httpRedirectPort}/api/v1/me?x=1`, { redirect: 'manual' });
    expect(r.status).toBe(308);
    expect(r.headers.get('location')).toBe(`https://127.0.0.1:${port()}/api/v1/me?x=1`);
    expect(r.headers.get('set-cookie')).toBeNull();
  });
});
