// Every route declares exactly one rule in its config (`config: { auth: ... }`). Routes without
// one are refused at registration (see installRouteRuleCheck) and by test/authz/route-rules.test.ts.
import type { PublicUser } from '../auth/service.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Action, Subject } from './roles.ts';

export type RouteRule =
  /** No session needed (login, health, the widget's own endpoints). `why` documents the exception. */
  | { public: string }
  /** Any signed-in user, no tenant (own profile, own sessions). */
  | { user: true }
  /** A tenant-scoped route under /api/v1/tenants/:tenantSlug: a membership with this permission. */
  | { tenant: [Action, Subject]; tokenScope?: string }
  /** A platform-wide role with this permission (memberships without tenant). */
  | { platform: [Action, Subject] }
  /** SCIM provisioning (/scim/v2): a tenant's SCIM bearer token, nothing else (src/identity/scim). */
  | { scim: true }
  /** A machine scraper (Prometheus): `Authorization: Bearer <VIGIL_METRICS_TOKEN>`, no session, no tenant. */
  | { scrape: 'metrics' };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteRule;
  }
  interface FastifyRequest {
    ctx: RequestContext;
    sessionToken?: string;
    authUser?: PublicUser;
  }
}

export const describeRule = (r: RouteRule): string =>
  'public' in r
    ? `public (${r.public})`
    : 'user' in r
      ? 'signed-in user'
      : 'tenant' in r
        ? `tenant ${r.tenant.join(' ')}`
        : 'platform' in r
          ? `platform ${r.platform.join(' ')}`
          : 'scrape' in r
            ? `scrape token (${r.scrape})`
            : 'SCIM token';
