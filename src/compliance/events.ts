// Audit events of the compliance module: ids, categories and counts only, never personal values.
import type { AuditEventInput } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';

export type Meta = Record<string, string | number | boolean | null>;

/** An event by the request's actor, or by the system when `ctx` is a scheduler context. */
export function actorEvent(
  ctx: Pick<TenantContext, 'tenant' | 'actor' | 'ip' | 'uaHash' | 'requestId'>,
  action: string,
  resourceType: string,
  resourceId: string | null,
  meta: Meta = {},
): AuditEventInput {
  return {
    tenantId: ctx.tenant.id,
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
