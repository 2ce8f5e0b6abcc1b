// Deny by default: every registered route declares who may call it, and one that does not is
// refused at start-up. Also: a foreign tenant answers 404 on every tenant route.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installRouteRuleCheck, type RouteEntry } from '../../src/authz/guard.ts';
import { describeRule } from '../../src/authz/route-rules.ts';
import { startTestVigil, type TestVigil } from '../helpers/app.ts';

describe('route rules', () => {
  let v: TestVigil;
  const routes: RouteEntry[] = [];

  beforeAll(async () => {
    v = await startTestVigil();
    routes.push(...v.http.routeTable);
  });
  afterAll(() => v.close());

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(8);
    expect(routes.map((r) => `${r.method} ${r.url}`)).toContain('POST /api/v1/auth/login');
  });

  it('every route declares an authorization rule', () => {
    const missing = routes.filter((r) => !r.rule && r.method !== 'HEAD');
    expect(missing.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('public routes are only the ones that must be', () => {
    const pub = routes.filter(
      (r) => r.rule && 'public' in r.rule && !r.url.startsWith('/docs') && r.method !== 'HEAD',
    );
    for (const r of pub) expect(describeRule(r.rule!)).toMatch(/public \(.{5,}\)/);
    const allowed =
      /^\/($|assets\/|app|healthz|readyz|api\/v1\/auth\/(login|mfa\/totp|mfa\/recovery|mfa\/webauthn|password-reset$|invitation(\/accept)?$|oidc\/|saml\/)|api\/v1\/widget\/|widget\/|demo\/shop(\.css)?$|pay\/|privacy\/|csat\/:token$|api\/v1\/csat$|phish\/[ocs]\/:token$|api\/v1\/pay\/|metrics|api\/v1\/cockpit\/(pair|token|rules|events|signout|uninstalled|socket)$|api\/v1\/public\/tenants\/:tenantSlug\/privacy-requests(\/(challenge|status|code|verify|download))?$)/;
    expect(pub.filter((r) => !allowed.test(r.url)).map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('tenant routes live under /api/v1/tenants/:tenantSlug', () => {
    for (const r of routes)
      if (r.rule && 'tenant' in r.rule) expect(r.url).toMatch(/^\/api\/v1\/tenants\/:tenantSlug\//);
  });

  it('refuses to register a route without a rule', async () => {
    const app = Fastify();
    installRouteRuleCheck(app, []);
    expect(() => app.get('/naked', async () => 'x')).toThrow(/declares no authorization rule/);
    await app.close();
  });

  it('every tenant GET route answers 404 for a signed-in user of another tenant', async () => {
    await v.tenant('rr-mine');
    await v.tenant('rr-other');
    const u = await v.makeUser([
      { role: 'agent', tenant: 'rr-mine' },
      { role: 'supervisor', tenant: 'rr-mine' },
      { role: 'tenant_admin', tenant: 'rr-mine' },
      { role: 'security_officer', tenant: 'rr-mine' },
      { role: 'dpo', tenant: 'rr-mine' },
    ]);
    const s = await v.login(u);
    const tenantGets = routes.filter((r) => r.method === 'GET' && r.rule && 'tenant' in r.rule);
    for (const r of tenantGets) {
      const path = r.url
        .replace(':tenantSlug', 'rr-other')
        .replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000');
      const res = await v.call('GET', path, undefined, s);
      expect({ route: r.url, status: res.status }).toEqual({ route: r.url, status: 404 });
    }
  });
});
