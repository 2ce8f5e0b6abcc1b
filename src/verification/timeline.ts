// The security timeline of a conversation: verification and payment events as agents see them
// next to the messages. Only types, ids and outcomes: never an answer, a code, a claim or a card.
import { sql } from 'drizzle-orm';
import type { TenantContext } from '../platform/context.ts';
import { rows, type Tx } from '../platform/db.ts';

export type TimelineMeta = Record<string, string | number | boolean | null>;

export interface TimelineEvent {
  id: string;
  type: string;
  actorType: string;
  actorId: string | null;
  meta: TimelineMeta;
  at: string;
}

export async function recordTimelineEvent(
  tx: Tx,
  ctx: Pick<TenantContext, 'tenant' | 'actor'>,
  conversationId: string,
  type: string,
  meta: TimelineMeta = {},
): Promise<void> {
  await tx.execute(sql`insert into conversation_events (tenant_id, conversation_id, type, actor_type, actor_id, meta)
    values (${ctx.tenant.id}, ${conversationId}, ${type}, ${ctx.actor.type}, ${ctx.actor.id}, ${JSON.stringify(meta)}::jsonb)`);
}

export async function listTimelineEvents(tx: Tx, conversationId: string): Promise<TimelineEvent[]> {
  const list = await rows<{
    id: string;
    type: string;
    actor_type: string;
    actor_id: string | null;
    meta: TimelineMeta | string;
    created_at: Date | string;
  }>(
    tx,
    sql`select id, type, actor_type, actor_id, meta, created_at from conversation_events
        where conversation_id = ${conversationId} order by created_at, id limit 500`,
  );
  return list.map((e) => ({
    id: e.id,
    type: e.type,
    actorType: e.actor_type,
    actorId: e.actor_id,
    meta: typeof e.meta === 'string' ? (JSON.parse(e.meta) as TimelineMeta) : e.meta,
    at: new Date(e.created_at).toISOString(),
  }));
}
