// The narrow interface through which every module records audit events. The audit module
// implements it (see runtime.ts); others depend only on this port.
import type { SQL } from 'drizzle-orm';
import type { AuditEventInput } from '../audit/types.ts';
import type { RequestContext } from './context.ts';
import type { Tx } from './db.ts';

export type { AuditEventInput };

export interface AuditRecorder {
  /** Records inside the caller's transaction: the action and its audit event commit together. */
  inTx(tx: Tx, event: AuditEventInput): Promise<void>;
  /**
   * Records inside the caller's transaction, folded into the caller's own statement: `build`
   * receives the audit CTEs and returns the statement to run, which must begin `with ${cte}`.
   */
  inTxWith(tx: Tx, event: AuditEventInput, build: (auditCte: SQL) => SQL): Promise<void>;
  /** Records in its own transaction (reads: recorded before the data is returned). */
  standalone(event: AuditEventInput): Promise<void>;
}

/**
 * A successful action by the signed-in user of a request: actor, tenant (or platform), client
 * and request id come from the context, so route handlers state only what happened.
 */
export function userAction(
  ctx: RequestContext,
  action: string,
  resourceType: string,
  resourceId: string | null,
  meta?: Record<string, string | number | boolean | null>,
): AuditEventInput {
  return {
    tenantId: ctx.tenant?.id ?? null,
    actorType: 'user',
    actorId: ctx.actor.id,
    action,
    resourceType,
    resourceId,
    outcome: 'success',
    ip: ctx.ip,
    uaHash: ctx.uaHash,
    requestId: ctx.requestId,
    ...(meta ? { meta } : {}),
  };
}

/**
 * A successful action by the request's actor, or by the system when `ctx` is a scheduler context
 * (anonymous), in `tenantId`: the context's tenant by default, the platform chain when null.
 */
export function actorEvent(
  ctx: Pick<RequestContext, 'actor' | 'ip' | 'uaHash' | 'requestId' | 'tenant'>,
  action: string,
  resourceType: string,
  resourceId: string | null,
  meta: Record<string, string | number | boolean | null> = {},
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
