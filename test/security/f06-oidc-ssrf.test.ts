// Finding 6 (pen test, issue 20): an identity provider's issuer URL (http://127.0.0.1:…,
// http://2130706433:…) was fetched on every unauthenticated /auth/oidc/<slug>/start.
// Attack: a platform admin (or a stored provider) points the issuer at an internal service;
// anonymous callers then hammer /start to make Vigil fetch it.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssoStore } from '../../src/identity/sso/store.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

/** An "internal service" on loopback that counts every request it receives and answers 500. */
async function startCanary(): Promise<{ port: number; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.statusCode = 500;
    res.end('internal');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    hits: () => hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const oidcBody = (slug: string, issuer: string) => ({
  slug,
  allowedDomains: ['staff.test'],
  oidc: { issuer, clientId: 'vigil', mfaClaim: 'amr', mfaValues: ['mfa'], phishingResistantValues: ['hwk'] },
});

async function storeProvider(v: TestVigil, slug: string, issuer: string): Promise<void> {
  const body = oidcBody(slug, issuer);
  await v.core.db.withPlatform((tx) =>
    ssoStore.insertProvider(tx, {
      id: randomUUID(),
      slug,
      tenant_id: null,
      kind: 'oidc',
      settings: body.oidc as never,
      allowed_domains: body.allowedDomains,
    }),
  );
}

describe(`OIDC issuer SSRF (${testDbKind})`, () => {
  let v: TestVigil;
  let admin: Session;
  let canary: Awaited<ReturnType<typeof startCanary>>;
  const LIMIT = 6;

  beforeAll(async () => {
    canary = await startCanary();
    v = await startTestVigil({ loginMaxPerIpPerMinute: LIMIT });
    admin = await v.login(await v.makeUser([{ role: 'platform_admin' }]));
  }, 300_000);
  afterAll(async () => {
    await v.close();
    await canary.close();
  });

  it('refuses loopback, decimal-IPv4, private and link-local issuers at configuration time (400 address_not_public)', async () => {
    const issuers = [
      `http://127.0.0.1:${canary.port}`,
      `http://2130706433:${canary.port}`,
      `http://0x7f000001:${canary.port}`,
      `http://[::1]:${canary.port}`,
      `http://[::ffff:127.0.0.1]:${canary.port}`,
      'http://10.0.0.7/',
      'http://169.254.169.254/latest/meta-data',
      `http://localhost:${canary.port}`,
    ];
    for (const [i, issuer] of issuers.entries()) {
      const r = await v.call(
        'POST',
        '/api/v1/admin/identity-providers',
        oidcBody(`evil-${i}`, issuer),
        admin,
      );
      expect(r.status, issuer).toBe(400);
      expect(r.json.error.code, issuer).toBe('address_not_public');
      expect(r.text).not.toContain(String(canary.port));
    }
    expect(canary.hits()).toBe(0);
  });

  it('a stored provider with an internal issuer is never fetched by /start', async () => {
    await storeProvider(v, 'stored-loop', `http://127.0.0.1:${canary.port}`);
    await storeProvider(v, 'stored-dec', `http://2130706433:${canary.port}`);
    for (const slug of ['stored-loop', 'stored-dec']) {
      const r = await v.call('GET', `/api/v1/auth/oidc/${slug}/start`);
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('sso_idp_error');
    }
    expect(canary.hits()).toBe(0);
  });

  it('rate-limits the unauthenticated /start per address (429 rate_limited)', async () => {
    const statuses: number[] = [];
    let limited: { code?: string; retryAfter: string | null } | undefined;
    for (let i = 0; i < 2 * LIMIT + 1; i++) {
      const r = await v.call('GET', '/api/v1/auth/oidc/stored-loop/start');
      statuses.push(r.status);
      if (r.status === 429) limited = { code: r.json?.error?.code, retryAfter: r.headers.get('retry-after') };
    }
    expect(statuses).toContain(429);
    expect(limited?.code).toBe('rate_limited');
    expect(canary.hits()).toBe(0);
  });
});

describe(`OIDC discovery failures are cached (${testDbKind})`, () => {
  let v: TestVigil;
  let canary: Awaited<ReturnType<typeof startCanary>>;

  beforeAll(async () => {
    canary = await startCanary();
    // An on-premises IdP on a private address, explicitly allowed, that is down (answers 500).
    v = await startTestVigil({ ssoAllowPrivateIdps: true });
  }, 300_000);
  afterAll(async () => {
    await v.close();
    await canary.close();
  });

  it('with the explicit opt-in a private issuer is accepted, and a failed discovery is not repeated on every /start', async () => {
    const admin = await v.login(await v.makeUser([{ role: 'platform_admin' }]));
    const created = await v.call(
      'POST',
      '/api/v1/admin/identity-providers',
      oidcBody('onprem', `http://127.0.0.1:${canary.port}`),
      admin,
    );
    expect(created.status).toBe(201);
    for (let i = 0; i < 8; i++) {
      const r = await v.call('GET', '/api/v1/auth/oidc/onprem/start');
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('sso_idp_error');
    }
    // One discovery attempt; the other seven answered from the negative cache.
    expect(canary.hits()).toBe(1);
  });
});
