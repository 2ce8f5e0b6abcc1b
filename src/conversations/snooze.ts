// Snooze: a conversation leaves the working views until a time (at most 30 days ahead) and comes
// back by itself: the views compare with now(), so waking needs no job; the process also tells
// the live inbox when the time passes, and a customer's new message wakes it at once (search.ts).
import type { EventSink } from '../ingest/index.ts';
import { auditBase } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { setSnooze } from './search-store.ts';
import { isSupervisor } from './service.ts';
import { selectConversationInScope } from './store.ts';

const MAX_MS = 30 * 24 * 3600 * 1000;
/** Timers further ahead than this are left to the views' now() comparison. */
const TIMER_MS = 24 * 3600 * 1000;

export function createSnooze(deps: {
  db: Pick<Database, 'withTenant'>;
  audit: AuditRecorder;
  events: EventSink;
}) {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  function remind(
    tenantId: string,
    id: string,
    at: number | null,
    route: { queueId: string | null; assigneeId: string | null },
  ) {
    clearTimeout(timers.get(id));
    timers.delete(id);
    const wait = at === null ? -1 : at - Date.now();
    if (wait < 0 || wait > TIMER_MS) return;
    const t = setTimeout(() => {
      timers.delete(id);
      deps.events.publish({ type: 'conversation.updated', tenantId, conversationId: id, ...route });
    }, wait + 250);
    t.unref?.();
    timers.set(id, t);
  }

  async function snooze(ctx: TenantContext, id: string, until: string | null) {
    const uid = ctx.actor.id;
    if (ctx.actor.type !== 'user' || !uid) throw new VigilError('forbidden', 'agents only');
    const at = until === null ? null : Date.parse(until);
    if (at !== null && (Number.isNaN(at) || at <= Date.now() || at > Date.now() + MAX_MS))
      throw new VigilError('invalid_input', 'snooze until a time within the next 30 days');
    const route = await deps.db.withTenant(ctx.tenant.id, async (tx) => {
      const c = await selectConversationInScope(tx, id, isSupervisor(ctx) ? null : uid, true);
      if (!c?.in_scope) throw new VigilError('not_found', 'conversation not found');
      const iso = at === null ? null : new Date(at).toISOString();
      await setSnooze(tx, c.id, iso);
      await deps.audit.inTx(tx, {
        ...auditBase(ctx),
        action: at === null ? 'conversation.unsnooze' : 'conversation.snooze',
        resourceType: 'conversation',
        resourceId: c.id,
        outcome: 'success',
        meta: { until: iso },
      });
      return { queueId: c.queue_id, assigneeId: c.assignee_id };
    });
    remind(ctx.tenant.id, id, at, route);
    deps.events.publish({
      type: 'conversation.updated',
      tenantId: ctx.tenant.id,
      conversationId: id,
      ...route,
    });
    return { id, snoozedUntil: at === null ? null : new Date(at).toISOString() };
  }

  const close = () => {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  };
  return { snooze, close };
}

export type Snooze = ReturnType<typeof createSnooze>;
