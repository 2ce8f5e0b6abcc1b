// Service levels per queue and channel (issue 25): tenant admins set answer targets (audited);
// a waiting conversation older than its target is a breach, recorded once, audited as
// `sla.breach` (which the monitoring rule `sla_breach` turns into an alert about the queue) and
// pushed to supervisors' live sockets. Daily figures per queue are counts and durations only.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { EventSink } from '../ingest/index.ts';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import { type TenantContext, tenantContextOf } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { errorResponses, Ok, TenantParams, Uuid } from '../platform/http-schemas.ts';
import { SLA_CHANNELS, type SlaChannel, serviceLevelStore as store } from './service-level-store.ts';

/** Without a target of its own a queue's service level counts answers within this many seconds. */
export const DEFAULT_TARGET_SECONDS = 120;
/** How often every node looks for new breaches; the breach row makes each one count once. */
const CHECK_EVERY_MS = 10_000;
const MAX_BREACHES_PER_RUN = 500;
const DAILY_DAYS = 14;

export interface ServiceLevelDeps {
  db: Database;
  audit: AuditRecorder;
  events: EventSink;
  /** Active tenants, for the periodic breach check. */
  tenantIds(): Promise<string[]>;
  onError(e: unknown): void;
}

export function createServiceLevels(deps: ServiceLevelDeps) {
  const { db, audit } = deps;

  async function targets(ctx: TenantContext) {
    const list = await db.withTenant(ctx.tenant.id, (tx) => store.listTargets(tx));
    return {
      defaultSeconds: DEFAULT_TARGET_SECONDS,
      targets: list.map((t) => ({
        queueId: t.queue_id,
        queueName: t.queue_name,
        channel: t.channel,
        targetSeconds: t.target_seconds,
        updatedAt: new Date(t.updated_at).toISOString(),
      })),
    };
  }

  async function setTarget(ctx: TenantContext, queueId: string, channel: SlaChannel, targetSeconds: number) {
    await db.withTenant(ctx.tenant.id, async (tx) => {
      if (!(await store.queueExists(tx, queueId))) throw new VigilError('not_found', 'queue not found');
      const previous = await store.upsertTarget(tx, ctx.tenant.id, {
        queueId,
        channel,
        targetSeconds,
        by: ctx.actor.id,
      });
      await audit.inTx(
        tx,
        userAction(ctx, 'sla.target_set', 'queue', queueId, { channel, targetSeconds, previous }),
      );
    });
  }

  async function removeTarget(ctx: TenantContext, queueId: string, channel: SlaChannel) {
    await db.withTenant(ctx.tenant.id, async (tx) => {
      if (!(await store.deleteTarget(tx, queueId, channel)))
        throw new VigilError('not_found', 'no such target');
      await audit.inTx(tx, userAction(ctx, 'sla.target_remove', 'queue', queueId, { channel }));
    });
  }

  /** Records and raises the new breaches of one tenant; returns how many there were. */
  async function checkTenant(tenantId: string): Promise<number> {
    const found = await db.withTenant(tenantId, async (tx) => {
      const breaches = await store.recordBreaches(tx, tenantId, MAX_BREACHES_PER_RUN);
      for (const b of breaches)
        await audit.inTx(tx, {
          tenantId,
          actorType: 'system',
          actorId: null,
          action: 'sla.breach',
          resourceType: 'queue',
          resourceId: b.queue_id,
          outcome: 'success',
          meta: { conversationId: b.conversation_id, channel: b.channel, targetSeconds: b.target_seconds },
        });
      return breaches;
    });
    // After the commit: supervisors' consoles refresh (ids only, as every live event).
    for (const b of found)
      deps.events.publish({
        type: 'conversation.updated',
        tenantId,
        conversationId: b.conversation_id,
        queueId: b.queue_id,
        assigneeId: null,
      });
    return found.length;
  }

  async function checkAll(): Promise<void> {
    for (const id of await deps.tenantIds()) await checkTenant(id).catch(deps.onError);
  }

  async function daily(ctx: TenantContext) {
    const list = await db.withTenant(ctx.tenant.id, (tx) =>
      store.daily(tx, DAILY_DAYS, DEFAULT_TARGET_SECONDS),
    );
    return {
      days: DAILY_DAYS,
      rows: list.map((r) => ({
        queueId: r.queue_id,
        day: r.day,
        arrived: r.arrived,
        answered: r.answered,
        answeredInTarget: r.in_target,
        breaches: r.breaches,
        medianFirstReplySeconds: r.median_first_reply_seconds,
      })),
    };
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  return {
    targets,
    setTarget,
    removeTarget,
    checkTenant,
    daily,
    breachCounts: (tx: Parameters<typeof store.breachCounts>[0]) => store.breachCounts(tx),
    start() {
      timer ??= setInterval(() => {
        running ??= checkAll()
          .catch(deps.onError)
          .finally(() => {
            running = undefined;
          });
      }, CHECK_EVERY_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

export type ServiceLevels = ReturnType<typeof createServiceLevels>;

const Channel = Type.Union([
  Type.Literal(SLA_CHANNELS[0]),
  Type.Literal(SLA_CHANNELS[1]),
  Type.Literal(SLA_CHANNELS[2]),
  Type.Literal(SLA_CHANNELS[3]),
]);
const TargetParams = Type.Object(
  { tenantSlug: TenantParams.properties.tenantSlug, queueId: Uuid, channel: Channel },
  { additionalProperties: false },
);
const TargetList = Type.Object({
  defaultSeconds: Type.Integer(),
  targets: Type.Array(
    Type.Object({
      queueId: Type.String(),
      queueName: Type.String(),
      channel: Channel,
      targetSeconds: Type.Integer(),
      updatedAt: Type.String(),
    }),
  ),
});
const Daily = Type.Object({
  days: Type.Integer(),
  rows: Type.Array(
    Type.Object({
      queueId: Type.String(),
      day: Type.String(),
      arrived: Type.Integer(),
      answered: Type.Integer(),
      answeredInTarget: Type.Integer(),
      breaches: Type.Integer(),
      medianFirstReplySeconds: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
});

export function serviceLevelRoutes(app: FastifyInstance, deps: { serviceLevels: ServiceLevels }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { serviceLevels } = deps;
  const base = '/api/v1/tenants/:tenantSlug/service-levels';
  r.get(
    base,
    {
      // Supervisors read the targets their queues are measured against; tenant admins set them.
      config: { auth: { tenant: ['update', 'Queue'] } },
      schema: {
        tags: ['conversations'],
        params: TenantParams,
        response: { 200: TargetList, ...errorResponses },
      },
    },
    async (req) => serviceLevels.targets(tenantContextOf(req)),
  );
  r.put(
    `${base}/:queueId/:channel`,
    {
      config: { auth: { tenant: ['manage', 'Queue'] } },
      schema: {
        tags: ['conversations'],
        params: TargetParams,
        body: Type.Object(
          { targetSeconds: Type.Integer({ minimum: 1, maximum: 604_800 }) },
          { additionalProperties: false },
        ),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (req) => {
      const { queueId, channel } = req.params;
      await serviceLevels.setTarget(tenantContextOf(req), queueId, channel, req.body.targetSeconds);
      return { ok: true };
    },
  );
  r.delete(
    `${base}/:queueId/:channel`,
    {
      config: { auth: { tenant: ['manage', 'Queue'] } },
      schema: { tags: ['conversations'], params: TargetParams, response: { 200: Ok, ...errorResponses } },
    },
    async (req) => {
      await serviceLevels.removeTarget(tenantContextOf(req), req.params.queueId, req.params.channel);
      return { ok: true };
    },
  );
  r.get(
    '/api/v1/tenants/:tenantSlug/supervisor/daily',
    {
      config: { auth: { tenant: ['update', 'Queue'] } },
      schema: { tags: ['conversations'], params: TenantParams, response: { 200: Daily, ...errorResponses } },
    },
    async (req) => serviceLevels.daily(tenantContextOf(req)),
  );
}
