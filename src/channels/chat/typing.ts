// Typing indicators on the widget's socket (issue 25): the visitor's "typing" goes to the agents
// of the conversation, an agent's to the visitor ("Agent is typing…"). Ids only over the cluster
// bus, never text; nothing is stored. Limited per socket (conversations/typing.ts limiter).
import { sql } from 'drizzle-orm';
import type { ClusterBus } from '../../platform/cluster/index.ts';
import { type Database, rows } from '../../platform/db.ts';

export function createVisitorTyping(deps: {
  db: Pick<Database, 'withTenant'>;
  bus: ClusterBus;
  sendToVisitor(tenantId: string, visitorId: string, frame: object): boolean;
}) {
  deps.bus.subscribe((e) => {
    if (e.type === 'typing' && e.from === 'agent' && e.visitorId)
      deps.sendToVisitor(e.tenantId, e.visitorId, {
        type: 'typing',
        author: 'agent',
        conversationId: e.conversationId,
      });
  });

  /** The visitor types: told to the agents of their latest open chat, if there is one. */
  async function visitorTyping(tenantId: string, visitorId: string): Promise<void> {
    const [c] = await deps.db.withTenant(tenantId, (tx) =>
      rows<{ id: string; queue_id: string | null; assignee_id: string | null }>(
        tx,
        sql`select id, queue_id, assignee_id from conversations where visitor_id = ${visitorId} and channel = 'chat'
            and status <> 'closed' order by last_message_at desc limit 1`,
      ),
    );
    if (!c) return;
    deps.bus.publish({
      type: 'typing',
      tenantId,
      conversationId: c.id,
      queueId: c.queue_id,
      assigneeId: c.assignee_id,
      visitorId,
      from: 'visitor',
    });
  }
  return { visitorTyping };
}

export type VisitorTyping = ReturnType<typeof createVisitorTyping>;
