// A tenant admin adds their own identity provider (OIDC, against a real OpenID Provider): it is
// scoped to their tenant, signs in accounts that belong to that tenant alone, and never an
// account with a role anywhere else (another tenant, the platform).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { CookieJar, get, startTestIdp, type TestIdp } from './sso-helpers.ts';

const UA = 'sso-tenant-browser';
const SECRET = 'tenant-client-secret-0123456789';

describe('tenant-scoped identity providers', () => {
  let v: TestVigil;
  let idp: TestIdp;
  let adminA: Session;
  const oidc = () => ({
    issuer: idp.issuer,
    clientId: 'vigil',
    clientSecret: SECRET,
    mfaClaim: 'amr',
    mfaValues: ['mfa'],
    phishingResistantValues: ['hwk'],
  });

  beforeAll(async () => {
    v = await startTestVigil({ ssoAllowPrivateIdps: true });
    await v.tenant('idp-a');
    await v.tenant('idp-b');
    idp = await startTestIdp({
      redirectUris: [`${v.url}/api/v1/auth/oidc/acme/callback`],
      clientSecret: SECRET,
    });
    adminA = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: 'idp-a' }]));
  });
  afterAll(async () => {
    await v.close();
    await idp.close();
  });

  async function signIn(u: TestUser) {
    const sub = `sub-${u.id.slice(0, 8)}`;
    idp.accounts.set(sub, { email: u.email });
    const jar = new CookieJar();
    let r = await get(`${v.url}/api/v1/auth/oidc/acme/start`, jar, UA);
    let url = r.headers.get('location')!;
    for (let i = 0; i < 10 && !url.startsWith(v.url); i++) {
      r = await get(url, jar, UA);
      url = new URL(r.headers.get('location')!, url).href;
      if (url.includes('/interaction/')) url += `?account=${sub}&amr=pwd,mfa`;
    }
    const cb = await get(url, jar, UA);
    return { status: cb.status, location: cb.headers.get('location') ?? '' };
  }

  it('a tenant admin adds one for their tenant only; others may not', async () => {
    const body = { slug: 'acme', allowedDomains: ['staff.test'], oidc: oidc() };
    const agent = await v.login(await v.makeUser([{ role: 'agent', tenant: 'idp-a' }]));
    expect((await v.call('POST', '/api/v1/tenants/idp-a/identity-providers', body, agent)).status).toBe(403);
    expect((await v.call('POST', '/api/v1/tenants/idp-b/identity-providers', body, adminA)).status).toBe(404);
    const platformWide = await v.call(
      'POST',
      '/api/v1/tenants/idp-a/identity-providers',
      { ...body, tenantSlug: 'idp-b' },
      adminA,
    );
    expect(platformWide.status).toBe(400);
    const created = await v.call('POST', '/api/v1/tenants/idp-a/identity-providers', body, adminA);
    expect(created.status).toBe(201);
    const again = await v.call('POST', '/api/v1/tenants/idp-a/identity-providers', body, adminA);
    expect(again.status).toBe(409);
  });

  it("signs in the tenant's own accounts, never one with a role elsewhere", async () => {
    const own = await v.makeUser([{ role: 'agent', tenant: 'idp-a' }]);
    const ok = await signIn(own);
    expect(ok).toMatchObject({ status: 303, location: '/' });
    const both = await v.makeUser([
      { role: 'agent', tenant: 'idp-a' },
      { role: 'agent', tenant: 'idp-b' },
    ]);
    expect((await signIn(both)).location).toBe('/#sso-error=sso_no_account');
    const platform = await v.makeUser([{ role: 'agent', tenant: 'idp-a' }, { role: 'platform_admin' }]);
    expect((await signIn(platform)).location).toBe('/#sso-error=sso_no_account');
    const other = await v.makeUser([{ role: 'agent', tenant: 'idp-b' }]);
    expect((await signIn(other)).location).toBe('/#sso-error=sso_no_account');
  });
});
