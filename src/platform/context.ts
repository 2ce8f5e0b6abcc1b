// The request context: who acts, for which tenant, why. It travels as one object through services.
import type { AppAbility, Role } from '../authz/roles.ts';
import { notFound } from './errors.ts';

export interface Actor {
  type: 'user' | 'service' | 'visitor' | 'system' | 'anonymous';
  id: string | null;
  sessionId?: string;
}

export interface TenantRef {
  id: string;
  slug: string;
  name: string;
}

export interface RequestContext {
  requestId: string;
  ip: string;
  /** SHA-256 of the User-Agent header, hex, truncated: enough to bind sessions, not to fingerprint. */
  uaHash: string;
  actor: Actor;
  tenant?: TenantRef;
  /** Roles the actor holds in `tenant` (or platform roles on platform routes). */
  roles: Role[];
  ability: AppAbility;
  /** Declared purpose of the access (e.g. the reason given for a reveal). */
  purpose?: string;
}

export type TenantContext = RequestContext & { tenant: TenantRef };

/**
 * The tenant context of a request on a tenant route. The route guard has resolved the tenant
 * before any handler runs, so a missing tenant here means a route declared on the wrong rule:
 * it answers 404 (deny by default), never a handler running without its tenant.
 */
export function tenantContextOf(req: { ctx: RequestContext }): TenantContext {
  const { ctx } = req;
  if (!hasTenant(ctx)) throw notFound('tenant');
  return ctx;
}

const hasTenant = (ctx: RequestContext): ctx is TenantContext => ctx.tenant !== undefined;
