// One policy for revealing a masked value on a conversation that is not assigned to the person
// revealing it. Insider monitoring raises the "revealed outside an assigned conversation" alert
// (rule reveal_unassigned) for exactly these reveals, because their audit event says
// assigned: false. So the server does not let one happen silently: it answers 409
// assignment_required unless the caller confirmed, and the console's dialog explains the same
// rule, offers to assign first, or asks for that confirmation.
import { auditBase } from '../ingest/index.ts';
import type { RuleId } from '../monitoring/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { VigilError } from '../platform/errors.ts';

/** The monitoring rule these reveals raise; typed so a renamed rule breaks the build here. */
export const REVEAL_UNASSIGNED_RULE: RuleId = 'reveal_unassigned';

/** Whether a reveal counts as assigned: the conversation is the revealer's own. */
export const revealIsAssigned = (assigneeId: string | null, userId: string) => assigneeId === userId;

/** Refuses an unassigned reveal the caller has not explicitly confirmed. */
export function assertRevealAllowed(assigned: boolean, acknowledged: boolean | undefined): void {
  if (assigned || acknowledged === true) return;
  throw new VigilError(
    'assignment_required',
    'the conversation is not assigned to you: assign it first, or confirm a reveal that raises an alert',
    { details: [{ path: '/acknowledgeUnassigned', message: REVEAL_UNASSIGNED_RULE }] },
  );
}

/**
 * Runs a reveal; a refusal for want of confirmation is audited (value.reveal, denied) so an
 * investigator sees the attempt. Monitoring counts successful reveals only.
 */
export async function auditingRefusal<T>(
  audit: Pick<AuditRecorder, 'standalone'>,
  ctx: TenantContext,
  conversationId: string,
  reveal: () => Promise<T>,
): Promise<T> {
  try {
    return await reveal();
  } catch (e) {
    if (e instanceof VigilError && e.code === 'assignment_required')
      await audit.standalone({
        ...auditBase(ctx),
        action: 'value.reveal',
        resourceType: 'conversation',
        resourceId: conversationId,
        outcome: 'denied',
        meta: { assigned: false, reason: 'unassigned' },
      });
    throw e;
  }
}
