// Passkey options need a valid relying party id: without VIGIL_PUBLIC_URL it comes from the
// host the browser used; an IP address (never a valid RP id) is refused with a clear message
// instead of options no browser accepts.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Res, type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';

/** POST through node:http, so the Host header is the one a browser on `host` would send. */
function postAs(url: string, host: string, path: string, s: Session): Promise<Pick<Res, 'status' | 'json'>> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path,
        headers: {
          host: `${host}:${u.port}`,
          cookie: s.cookie,
          'x-csrf-token': s.csrf,
          'user-agent': s.userAgent,
          'content-type': 'application/json',
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(body || 'null') }));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

describe('WebAuthn relying party id', () => {
  let v: TestVigil;
  let s: Session;
  beforeAll(async () => {
    v = await startTestVigil();
    await v.tenant('rp-a');
    s = await v.login(await v.makeUser([{ role: 'agent', tenant: 'rp-a' }]));
  });
  afterAll(() => v.close());

  it('refuses clearly on an IP address, derives the RP id from a host name', async () => {
    const ip = await postAs(v.url, '127.0.0.1', '/api/v1/me/passkeys/options', s);
    expect(ip.status).toBe(409);
    expect(ip.json.error.message).toMatch(/passkeys need a domain name.*VIGIL_PUBLIC_URL/);
    const named = await postAs(v.url, 'localhost', '/api/v1/me/passkeys/options', s);
    expect(named.status).toBe(200);
    expect(named.json.options.rp.id).toBe('localhost');
  });
});
