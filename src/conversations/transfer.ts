// Transfer of a conversation to another agent and/or another queue, with an optional internal
// note for the receiver. The agent holding the conversation (or a supervisor) transfers; the
// receiving agent must belong to the target queue; a queue without an agent leaves it unassigned
// there. Audited with ids only; the live hub tells the new queue and assignee.

import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { auditBase, type EventSink } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { errorResponses, TenantParams, Uuid } from '../platform/http-schemas.ts';
import { ConversationParams } from './schema.ts';
import { isSupervisor } from './service.ts';
import { selectConversationInScope } from './store.ts';

const TransferBody = Type.Object(
  {
    userId: Type.Optional(Uuid),
    queueId: Type.Optional(Uuid),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export function createTransfer(deps: {
  db: Database;
  audit: AuditRecorder;
  events: EventSink;
  note(ctx: TenantContext, id: string, text: string): Promise<unknown>;
}) {
  async function transfer(ctx: TenantContext, id: string, body: Static<typeof TransferBody>) {
    const uid = ctx.actor.id;
    if (ctx.actor.type !== 'user' || !uid) throw new VigilError('forbidden', 'agents only');
    if (!body.userId && !body.queueId) throw new VigilError('invalid_input', 'userId or queueId is required');
    const result = await deps.db.withTenant(ctx.tenant.id, async (tx) => {
      const c = await selectConversationInScope(tx, id, isSupervisor(ctx) ? null : uid, true);
      if (!c?.in_scope) throw new VigilError('not_found', 'conversation not found');
      if (!isSupervisor(ctx) && c.assignee_id !== uid)
        throw new VigilError('forbidden', 'only the assigned agent or a supervisor transfers a conversation');
      const queueId = body.queueId ?? c.queue_id;
      if (body.queueId && !(await rows(tx, sql`select 1 from queues where id = ${body.queueId}`)).length)
        throw new VigilError('invalid_input', 'no such queue');
      const to = body.userId ?? null;
      if (to) {
        const ok = queueId
          ? await rows(tx, sql`select 1 from queue_members where queue_id = ${queueId} and user_id = ${to}`)
          : await rows(
              tx,
              sql`select 1 from memberships where tenant_id = ${ctx.tenant.id} and user_id = ${to} and role in ('agent', 'supervisor')`,
            );
        if (!ok.length) throw new VigilError('invalid_input', 'the user is not a member of the queue');
      }
      await tx.execute(
        sql`update conversations set queue_id = ${queueId}, assignee_id = ${to}, updated_at = now() where id = ${c.id}`,
      );
      await deps.audit.inTx(tx, {
        ...auditBase(ctx),
        action: 'conversation.transfer',
        resourceType: 'conversation',
        resourceId: c.id,
        outcome: 'success',
        meta: { fromQueueId: c.queue_id, queueId, assigneeId: to },
      });
      return { queueId, assigneeId: to };
    });
    if (body.note) await deps.note(ctx, id, body.note);
    deps.events.publish({
      type: 'conversation.assigned',
      tenantId: ctx.tenant.id,
      conversationId: id,
      ...result,
    });
    return { id, ...result };
  }
  /** Where an agent can transfer to: the tenant's queues and their members (staff names only). */
  async function targets(ctx: TenantContext) {
    return deps.db.withTenant(ctx.tenant.id, async (tx) => ({
      queues: await rows<{ id: string; name: string }>(tx, sql`select id, name from queues order by name`),
      agents: (
        await rows<{ id: string; display_name: string; queue_ids: string[] }>(
          tx,
          sql`select u.id, u.display_name, array_agg(qm.queue_id::text order by qm.queue_id) as queue_ids
              from queue_members qm join users u on u.id = qm.user_id and u.status = 'active'
              group by u.id, u.display_name order by u.display_name`,
        )
      ).map((a) => ({ id: a.id, displayName: a.display_name, queueIds: a.queue_ids })),
    }));
  }
  return { transfer, targets };
}

export function transferRoutes(app: FastifyInstance, deps: { transfer: ReturnType<typeof createTransfer> }) {
  app.get(
    '/api/v1/tenants/:tenantSlug/transfer-targets',
    {
      config: { auth: { tenant: ['update', 'Conversation'] } },
      schema: {
        tags: ['conversations'],
        params: TenantParams,
        response: {
          200: Type.Object({
            queues: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
            agents: Type.Array(
              Type.Object({
                id: Type.String(),
                displayName: Type.String(),
                queueIds: Type.Array(Type.String()),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => deps.transfer.targets(req.ctx as TenantContext),
  );

  app.post(
    '/api/v1/tenants/:tenantSlug/conversations/:conversationId/transfer',
    {
      config: { auth: { tenant: ['update', 'Conversation'] } },
      schema: {
        tags: ['conversations'],
        params: ConversationParams,
        body: TransferBody,
        response: {
          200: Type.Object({
            id: Type.String(),
            queueId: Type.Union([Type.String(), Type.Null()]),
            assigneeId: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      deps.transfer.transfer(
        req.ctx as TenantContext,
        (req.params as { conversationId: string }).conversationId,
        req.body as Static<typeof TransferBody>,
      ),
  );
}
