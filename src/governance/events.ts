// Audit events of privacy governance: ids, kinds and versions only, never personal values.
import type { AuditEventInput } from '../platform/audit-port.ts';
import type { RequestContext } from '../platform/context.ts';

export type Meta = Record<string, string | number | boolean | null>;

/** An event by the request's actor (or the system) in `tenantId`, or platform-wide when null. */
export function govEvent(
  ctx: Pick<RequestContext, 'actor' | 'ip' | 'uaHash' | 'requestId' | 'tenant'>,
  action: string,
  resourceType: string,
  resourceId: string | null,
  meta: Meta = {},
  tenantId: string | null = ctx.tenant?.id ?? null,
): AuditEventInput {
  return {
    tenantId,
    actorType: ctx.actor.type === 'anonymous' ? 'system' : ctx.actor.type,
    actorId: ctx.actor.id,
    action,
    resourceType,
    resourceId,
    outcome: 'success',
    ip: ctx.ip || null,
    uaHash: ctx.uaHash || null,
    requestId: ctx.requestId,
    meta,
  };
}

export const iso = (d: Date | string | null | undefined): string | null =>
  d === null || d === undefined ? null : new Date(d).toISOString();
