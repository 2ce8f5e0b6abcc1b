// Enforces each route's declared rule before its handler runs: session, CSRF, tenant membership
// (foreign tenants answer 404, exactly like a tenant that does not exist), then the permission.
import { sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/service.ts';
import { sessionCookieName } from '../auth/session-cookie.ts';
import { csrfTokenFor, hashUserAgent, safeEqual, sha256 } from '../auth/tokens.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { RequestContext, TenantRef } from '../platform/context.ts';
import { type Database, rows } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { authenticateApiToken } from '../tenancy/index.ts';
import { abilityFor, isRole, type Role } from './roles.ts';
import type { RouteRule } from './route-rules.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const TENANT_CACHE_MS = 5_000;

export interface GuardDeps {
  db: Database;
  auth: Pick<AuthService, 'authenticate'>;
  audit: AuditRecorder;
  /** Resolves a SCIM bearer token to its tenant (routes with the `scim` rule). */
  scimAuth?: (bearer: string) => Promise<{ tokenId: string; tenant: TenantRef } | null>;
  /** Tenant access policy (network, device, training) once a member is admitted to a tenant. */
  admitTenant?: (req: FastifyRequest) => Promise<void>;
  /** The bearer token of `{ scrape: 'metrics' }` routes; unset means those routes refuse everyone. */
  metricsToken?: string | undefined;
  /** TLS on: only the `__Host-` session cookie is accepted. */
  secureCookies?: boolean;
}

export function createTenantResolver(db: Database) {
  const cache = new Map<string, { at: number; tenant: (TenantRef & { status: string }) | null }>();
  return async (slug: string): Promise<(TenantRef & { status: string }) | null> => {
    const hit = cache.get(slug);
    if (hit && Date.now() - hit.at < TENANT_CACHE_MS) return hit.tenant;
    const [t] = await db.withPlatform((tx) =>
      rows<TenantRef & { status: string }>(
        tx,
        sql`select id, slug, name, status from tenants where slug = ${slug}`,
      ),
    );
    if (cache.size > 10_000) cache.clear();
    cache.set(slug, { at: Date.now(), tenant: t ?? null });
    return t ?? null;
  };
}

function baseContext(req: FastifyRequest): RequestContext {
  return {
    requestId: String(req.id),
    ip: req.ip,
    uaHash: hashUserAgent(req.headers['user-agent']),
    actor: { type: 'anonymous', id: null },
    roles: [],
    ability: abilityFor([]),
  };
}

async function tokenAuth(
  db: Database,
  bearer: string,
  tenantId: string,
  scope: string | undefined,
): Promise<string | null> {
  return scope ? authenticateApiToken(db, bearer, tenantId, scope) : null;
}

export function installGuard(app: FastifyInstance, deps: GuardDeps): void {
  const resolveTenant = createTenantResolver(deps.db);
  const cookieName = sessionCookieName(!!deps.secureCookies);

  app.addHook('onRequest', async (req) => {
    req.ctx = baseContext(req);
  });

  // Before schema validation: a foreign tenant answers 404 whatever the input looks like.
  app.addHook('preValidation', async (req) => {
    if (req.is404) return; // the not-found handler answers; there is nothing to protect
    const rule = req.routeOptions.config?.auth as RouteRule | undefined;
    if (!rule) throw new VigilError('forbidden', 'no access rule');
    if ('public' in rule) return;

    const params = (req.params ?? {}) as { tenantSlug?: string };
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if ('scim' in rule) {
      const hit = bearer && deps.scimAuth ? await deps.scimAuth(bearer) : null;
      if (!hit) throw new VigilError('unauthenticated', 'the SCIM token is invalid');
      req.ctx = { ...req.ctx, actor: { type: 'service', id: hit.tokenId }, tenant: hit.tenant };
      return;
    }
    if ('scrape' in rule) {
      // Compared as hashes: equal length, constant time, whatever the caller sends.
      if (
        !deps.metricsToken ||
        !bearer ||
        !safeEqual(sha256(bearer).toString('hex'), sha256(deps.metricsToken).toString('hex'))
      )
        throw new VigilError('unauthenticated', 'a valid metrics token is required');
      return;
    }
    if (bearer && 'tenant' in rule && params.tenantSlug) {
      const tenant = await resolveTenant(params.tenantSlug);
      const tokenId =
        tenant && tenant.status === 'active'
          ? await tokenAuth(deps.db, bearer, tenant.id, rule.tokenScope)
          : null;
      if (!tenant || !tokenId)
        throw new VigilError('unauthenticated', 'the API token is invalid for this resource');
      req.ctx = {
        ...req.ctx,
        actor: { type: 'service', id: tokenId },
        tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
      };
      if (deps.admitTenant) await deps.admitTenant(req);
      return;
    }

    const token = req.cookies?.[cookieName];
    if (!token) throw new VigilError('unauthenticated', 'not signed in');
    const { session, user, stepUpRequired } = await deps.auth.authenticate(token, req.ctx.uaHash);
    req.sessionToken = token;
    req.authUser = user;
    if (UNSAFE.has(req.method)) {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(token)))
        throw new VigilError('csrf_failed', 'missing or wrong CSRF token');
    }
    req.ctx = { ...req.ctx, actor: { type: 'user', id: user.id, sessionId: session.id } };
    if ('user' in rule) return;

    if ('platform' in rule) {
      const roles = user.memberships
        .filter((m) => m.tenant === null)
        .map((m) => m.role)
        .filter(isRole);
      const ability = abilityFor(roles);
      if (!ability.can(...rule.platform)) throw new VigilError('forbidden', 'your role does not allow this');
      req.ctx = { ...req.ctx, roles, ability };
      return;
    }

    const slug = params.tenantSlug ?? '';
    const roles: Role[] = user.memberships.filter((m) => m.tenant?.slug === slug).map((m) => m.role);
    const tenant = roles.length ? await resolveTenant(slug) : null;
    if (tenant?.status !== 'active') {
      // Indistinguishable from a tenant that does not exist; recorded for insider monitoring.
      await deps.audit.standalone({
        tenantId: null,
        actorType: 'user',
        actorId: user.id,
        action: 'authz.denied',
        resourceType: 'tenant',
        resourceId: null,
        outcome: 'denied',
        ip: req.ctx.ip,
        uaHash: req.ctx.uaHash,
        requestId: req.ctx.requestId,
        meta: { route: req.routeOptions.url ?? null },
      });
      throw new VigilError('not_found', 'not found');
    }
    if (stepUpRequired)
      throw new VigilError('step_up_required', 'confirm with a fresh code from your authenticator');
    const ability = abilityFor(roles);
    req.ctx = { ...req.ctx, roles, ability, tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name } };
    if (deps.admitTenant) await deps.admitTenant(req);
    if (!ability.can(...rule.tenant)) throw new VigilError('forbidden', 'your role does not allow this');
  });
}

export interface RouteEntry {
  method: string;
  url: string;
  rule: RouteRule | undefined;
  schema: { body?: unknown; querystring?: unknown; params?: unknown } | undefined;
}

/**
 * Refuses, at start-up, any route registered without a rule, and records every route with its
 * rule in `app.routeTable` (the route-rule test enumerates it).
 */
export function installRouteRuleCheck(
  app: FastifyInstance,
  defaults: Array<{ prefix: string; rule: RouteRule }>,
): void {
  const table: RouteEntry[] = [];
  app.decorate('routeTable', table);
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).map(String);
    if (!route.config?.auth) {
      const d = defaults.find((x) => route.url.startsWith(x.prefix));
      if (d) route.config = { ...(route.config ?? {}), auth: d.rule };
      else if (!methods.every((m) => m === 'HEAD'))
        throw new Error(`route ${methods.join(',')} ${route.url} declares no authorization rule`);
    }
    for (const method of methods)
      table.push({
        method,
        url: route.url,
        rule: route.config?.auth as RouteRule | undefined,
        schema: route.schema as RouteEntry['schema'],
      });
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[];
  }
}
