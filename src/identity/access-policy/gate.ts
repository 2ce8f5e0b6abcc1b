// The tenant access gate: runs in the guard once a member is admitted to a tenant (guard.ts
// admitTenant). Order: network, then device, then training. A refusal is audited (access.denied,
// which insider monitoring counts) and answered with a stable code.

import { sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { AuditRecorder } from '../../platform/audit-port.ts';
import { type Database, rows } from '../../platform/db.ts';
import { type ErrorCode, VigilError } from '../../platform/errors.ts';
import { checkDevice, DEVICE_COOKIE } from './devices.ts';
import { ipAllowed } from './network.ts';
import { type AccessPolicy, allPolicies } from './policies.ts';
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

const RULES_TTL_MS = 5_000;

interface TenantRules {
  at: number;
  policies: AccessPolicy[];
  hasTrainings: boolean;
}

/**
 * A tenant's policies and whether it requires any training, cached for a few seconds: most
 * tenants have neither, and their requests then cost no extra query. Changes made through this
 * process invalidate at once; other nodes follow within RULES_TTL_MS (like the tenant resolver).
 */
export function createRulesCache(db: Database) {
  const cache = new Map<string, TenantRules>();
  return {
    async get(tenantId: string): Promise<TenantRules> {
      const hit = cache.get(tenantId);
      if (hit && Date.now() - hit.at < RULES_TTL_MS) return hit;
      const fresh = await db.withTenant(tenantId, async (tx) => ({
        at: Date.now(),
        policies: await allPolicies(tx),
        hasTrainings:
          (await rows<{ n: number }>(tx, sql`select count(*)::int as n from trainings where active`))[0]!.n >
          0,
      }));
      if (cache.size > 10_000) cache.clear();
      cache.set(tenantId, fresh);
      return fresh;
    },
    invalidate: (tenantId: string) => void cache.delete(tenantId),
  };
}
export type RulesCache = ReturnType<typeof createRulesCache>;

export function createAccessGate(deps: {
  db: Database;
  audit: AuditRecorder;
  rules: RulesCache;
  clock?: Clock;
}) {
  const clock = deps.clock ?? systemClock;

  async function decide(req: FastifyRequest, tenantId: string, userId: string): Promise<Refusal | null> {
    const ctx = req.ctx;
    const rules = await deps.rules.get(tenantId);
    const policies = rules.policies.filter((p) => p.role === '*' || (ctx.roles as string[]).includes(p.role));
    for (const p of policies)
      if (p.ipAllow !== null && !ipAllowed(ctx.ip, p.ipAllow))
        return {
          code: 'network_not_allowed',
          reason: `role:${p.role}`,
          message: MESSAGES.network_not_allowed,
        };
    const checkDevices = policies.some((p) => p.deviceApproval);
    const checkTraining =
      rules.hasTrainings && !(req.routeOptions.config?.accessExempt ?? []).includes('training');
    if (!checkDevices && !checkTraining) return null;
    return deps.db.withTenant(tenantId, async (tx): Promise<Refusal | null> => {
      if (checkDevices) {
        const d = await checkDevice(tx, {
          tenantId,
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
      if (checkTraining) {
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
  }

  return async function admitTenant(req: FastifyRequest): Promise<void> {
    const ctx = req.ctx;
    const tenant = ctx.tenant;
    const userId = ctx.actor.id;
    if (!tenant || ctx.actor.type !== 'user' || !userId) return;
    const refusal = await decide(req, tenant.id, userId);
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
