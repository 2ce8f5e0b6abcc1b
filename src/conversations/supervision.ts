// The supervisor console: live queues (waiting, longest wait, open), agents (state and load) and
// the service level per queue, all aggregated without personal data of customers.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { type TenantContext, tenantContextOf } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { errorResponses, TenantParams } from '../platform/http-schemas.ts';
import { DEFAULT_TARGET_SECONDS, type ServiceLevels } from './service-levels.ts';
import { agentFigures, queueFigures } from './supervision-store.ts';

/** Above this many open conversations an online agent counts as busy. */
const BUSY_AT = 3;

export function createSupervision(deps: {
  db: Database;
  isOnline(tenantId: string, userId: string): boolean;
  presenceMinutes: number;
  serviceLevels: Pick<ServiceLevels, 'checkTenant' | 'breachCounts'>;
}) {
  async function overview(ctx: TenantContext) {
    const tenantId = ctx.tenant.id;
    // A supervisor watching sees a breach at once, not only at the next periodic check.
    await deps.serviceLevels.checkTenant(tenantId);
    const [queues, agents, breaches] = await deps.db.withTenant(
      tenantId,
      async (tx) =>
        [
          await queueFigures(tx, DEFAULT_TARGET_SECONDS),
          await agentFigures(tx, tenantId, deps.presenceMinutes),
          await deps.serviceLevels.breachCounts(tx),
        ] as const,
    );
    const breachOf = new Map(breaches.map((b) => [b.queue_id, b]));
    return {
      targetSeconds: DEFAULT_TARGET_SECONDS,
      queues: queues.map((q) => ({
        targetSeconds: q.target_seconds ?? DEFAULT_TARGET_SECONDS,
        breaches24h: breachOf.get(q.id)?.breaches_24h ?? 0,
        breachedWaiting: breachOf.get(q.id)?.breached_waiting ?? 0,
        /** The tightest target the waiting breached conversations missed (channel targets differ). */
        breachedTargetSeconds: breachOf.get(q.id)?.breached_target ?? null,
        id: q.id,
        name: q.name,
        waiting: q.waiting,
        oldestWaitSeconds: q.oldest_wait_seconds,
        open: q.open,
        serviceLevel: q.sl_due ? q.sl_met / q.sl_due : null,
        answeredInTarget: q.sl_met,
        due: q.sl_due,
      })),
      agents: agents.map((a) => {
        const online = a.recent_session || deps.isOnline(tenantId, a.id);
        return {
          id: a.id,
          displayName: a.display_name,
          state: !online ? 'offline' : a.open_assigned >= BUSY_AT ? 'busy' : 'online',
          load: a.open_assigned,
          queues: a.queues,
        };
      }),
    };
  }
  return { overview };
}

export type Supervision = ReturnType<typeof createSupervision>;

export function supervisionRoutes(app: FastifyInstance, deps: { supervision: Supervision }) {
  app.get(
    '/api/v1/tenants/:tenantSlug/supervisor/overview',
    {
      // Supervisors (and tenant admins), who run the queues.
      config: { auth: { tenant: ['update', 'Queue'] } },
      schema: {
        tags: ['conversations'],
        params: TenantParams,
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (req) => deps.supervision.overview(tenantContextOf(req)),
  );
}
