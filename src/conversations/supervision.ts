// The supervisor console: live queues (waiting, longest wait, open), agents (state and load) and
// the service level per queue, all aggregated without personal data of customers.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TenantContext } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { errorResponses, TenantParams } from '../platform/http-schemas.ts';
import { agentFigures, queueFigures } from './supervision-store.ts';

/** Answered within this many seconds counts towards the service level (the 80/20 rule's 20 s is for calls). */
export const SERVICE_LEVEL_TARGET_SECONDS = 120;
/** Above this many open conversations an online agent counts as busy. */
const BUSY_AT = 3;

export function createSupervision(deps: {
  db: Database;
  isOnline(tenantId: string, userId: string): boolean;
  presenceMinutes: number;
}) {
  async function overview(ctx: TenantContext) {
    const tenantId = ctx.tenant.id;
    const [queues, agents] = await deps.db.withTenant(tenantId, async (tx) => [
      await queueFigures(tx, SERVICE_LEVEL_TARGET_SECONDS),
      await agentFigures(tx, tenantId, deps.presenceMinutes),
    ]);
    return {
      targetSeconds: SERVICE_LEVEL_TARGET_SECONDS,
      queues: queues.map((q) => ({
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
    async (req) => deps.supervision.overview(req.ctx as TenantContext),
  );
}
