// Who may work on a conversation (agents: their queues or their assignment; supervisors: all),
// shared by verification and payments. Out of scope answers exactly like "not found".
import * as convStore from '../conversations/store.ts';
import { auditBase } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Tx } from '../platform/db.ts';

export const OPEN_STATUSES = new Set(['open', 'pending']);

/** The conversation when the caller may see it; outOfScope when it exists but is not theirs. */
export async function visibleConversation(
  tx: Tx,
  ctx: TenantContext,
  id: string,
  forUpdate: boolean,
): Promise<{ row?: convStore.ConversationRow; outOfScope: boolean }> {
  const c = await convStore.selectConversation(tx, id, forUpdate);
  if (!c) return { outOfScope: false };
  if (ctx.roles.includes('supervisor')) return { row: c, outOfScope: false };
  if (ctx.actor.type !== 'user' || !ctx.actor.id) return { outOfScope: true };
  const queues = await convStore.queueIdsOf(tx, ctx.actor.id);
  const ok = (c.queue_id !== null && queues.includes(c.queue_id)) || c.assignee_id === ctx.actor.id;
  return ok ? { row: c, outOfScope: false } : { outOfScope: true };
}

/** The `authz.denied` event insider monitoring counts (a 404 to the caller). */
export const deniedConversation = (audit: AuditRecorder, ctx: TenantContext, id: string) =>
  audit.standalone({
    ...auditBase(ctx),
    action: 'authz.denied',
    resourceType: 'conversation',
    resourceId: id,
    outcome: 'denied',
    meta: { reason: 'queue' },
  });
