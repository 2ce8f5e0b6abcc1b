// The tenant access gate: runs in the guard once a member is admitted to a tenant (guard.ts
// admitTenant). Order: network, then device, then training. A refusal is audited (access.denied,
// which insider monitoring counts) and answered with a stable code.
import type { FastifyRequest } from 'fastify';
import type { AuditRecorder } from '../../platform/audit-port.ts';
import type { Database } from '../../platform/db.ts';
import { type ErrorCode, VigilError } from '../../platform/errors.ts';
import { checkDevice, DEVICE_COOKIE } from './devices.ts';
import { ipAllowed } from './network.ts';
import { policiesFor } from './policies.ts';
import { type Clock, missingTrainings, systemClock } from './training.ts';

/** Route option: the gate checks to skip (e.g. the training routes must stay reachable). */
export type AccessExemption = 'training';

declare module 'fastify' {
  interface FastifyContextConfig {
    accessExempt?: AccessExemption[];
  }
}

type Refusal = {
  code: ErrorCode;
  reason: string;
  message: string;
  details?: Array<{ path: string; message: string }>;
};

const MESSAGES = {
  network_not_allowed: 'this tenant does not allow access from your network',
  device_not_approved: 'this device is not approved for this tenant; ask a supervisor to approve it',
  training_required: 'a required training or policy acknowledgement is missing or expired',
} as const;

export function createAccessGate(deps: { db: Database; audit: AuditRecorder; clock?: Clock }) {
  const clock = deps.clock ?? systemClock;

  return async function admitTenant(req: FastifyRequest): Promise<void> {
    const ctx = req.ctx;
    const tenant = ctx.tenant;
    const userId = ctx.actor.id;
    if (!tenant || ctx.actor.type !== 'user' || !userId) return;
    const exempt = req.routeOptions.config?.accessExempt ?? [];

    const refusal = await deps.db.withTenant(tenant.id, async (tx): Promise<Refusal | null> => {
      const policies = await policiesFor(tx, ctx.roles);
      for (const p of policies)
        if (p.ipAllow !== null && !ipAllowed(ctx.ip, p.ipAllow))
          return {
            code: 'network_not_allowed',
            reason: `role:${p.role}`,
            message: MESSAGES.network_not_allowed,
          };
      if (policies.some((p) => p.deviceApproval)) {
        const d = await checkDevice(tx, {
          tenantId: tenant.id,
          userId,
          sessionId: ctx.actor.sessionId ?? '',
          deviceToken: req.cookies?.[DEVICE_COOKIE],
        });
        if (!d.ok)
          return {
            code: 'device_not_approved',
            reason: d.reason,
            message: MESSAGES.device_not_approved,
            ...(d.deviceId ? { details: [{ path: 'deviceId', message: d.deviceId }] } : {}),
          };
      }
      if (!exempt.includes('training')) {
        const missing = await missingTrainings(tx, userId, ctx.roles, clock.now());
        if (missing.length)
          return {
            code: 'training_required',
            reason: 'missing',
            message: MESSAGES.training_required,
            details: missing.map((id) => ({ path: 'trainingId', message: id })),
          };
      }
      return null;
    });
    if (!refusal) return;
    await deps.audit.standalone({
      tenantId: tenant.id,
      actorType: 'user',
      actorId: userId,
      action: 'access.denied',
      resourceType: 'tenant',
      resourceId: tenant.id,
      outcome: 'denied',
      ip: ctx.ip,
      uaHash: ctx.uaHash,
      requestId: ctx.requestId,
      meta: { code: refusal.code, reason: refusal.reason, route: req.routeOptions.url ?? null },
    });
    throw new VigilError(refusal.code, refusal.message, refusal.details ? { details: refusal.details } : {});
  };
}
