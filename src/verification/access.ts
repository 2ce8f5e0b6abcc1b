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
  const supervisor = ctx.roles.includes('supervisor');
  const userId = ctx.actor.type === 'user' ? ctx.actor.id : null;
  if (!supervisor && !userId) {
    const c = await convStore.selectConversation(tx, id, forUpdate);
    return { outOfScope: c !== undefined };
  }
  // The same one-query scope check the conversation service uses.
  const c = await convStore.selectConversationInScope(tx, id, supervisor ? null : userId, forUpdate);
  if (!c) return { outOfScope: false };
  return c.in_scope ? { row: c, outOfScope: false } : { outOfScope: true };
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
