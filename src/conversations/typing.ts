// Typing indicators (issue 25), both ways over the existing sockets: ids only, never the text,
// never stored. A sender is limited to one signal per conversation every two seconds and twenty
// frames a minute per socket; more is dropped silently (a typing hint is not worth an error).
import type { TypingEvent } from '../platform/cluster/types.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, withTenantReads } from '../platform/db.ts';
import { isSupervisor } from './service.ts';
import { selectConversationInScope } from './store.ts';

const PER_CONVERSATION_MS = 2_000;
const PER_MINUTE = 20;

/** A small per-socket limiter: at most one per key every `gapMs`, `perMinute` in all. */
export function typingLimiter(gapMs = PER_CONVERSATION_MS, perMinute = PER_MINUTE, now = Date.now) {
  const last = new Map<string, number>();
  let windowStart = now();
  let count = 0;
  return (key: string): boolean => {
    const t = now();
    if (t - windowStart >= 60_000) {
      windowStart = t;
      count = 0;
    }
    const prev = last.get(key);
    if (count >= perMinute || (prev !== undefined && t - prev < gapMs)) return false;
    if (last.size > 100) last.clear();
    last.set(key, t);
    count++;
    return true;
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An agent's typing frame, checked against what the agent may see; null when not allowed. */
export async function agentTyping(
  db: Pick<Database, 'withTenant' | 'execAppStatement'>,
  ctx: TenantContext,
  frame: unknown,
): Promise<TypingEvent | null> {
  const f = frame as { type?: unknown; conversationId?: unknown };
  const uid = ctx.actor.id;
  if (f?.type !== 'typing' || typeof f.conversationId !== 'string' || !UUID.test(f.conversationId) || !uid)
    return null;
  const id = f.conversationId;
  const c = await withTenantReads(db, ctx.tenant.id, (tx) =>
    selectConversationInScope(tx, id, isSupervisor(ctx) ? null : uid),
  );
  if (!c?.in_scope || c.channel !== 'chat' || !c.visitor_id) return null;
  return {
    type: 'typing',
    tenantId: ctx.tenant.id,
    conversationId: c.id,
    queueId: c.queue_id,
    assigneeId: c.assignee_id,
    visitorId: c.visitor_id,
    from: 'agent',
    userId: uid,
  };
}
