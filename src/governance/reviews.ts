// Change-triggered reviews: whenever the information system changes in a way the DPO must look
// at (a new sub-processor, a role grant, a changed PII policy, a new or changed Cockpit tool), a
// review item opens with what changed (ids and kinds only); closing it needs a decision and a
// reason, audited. The triggers come from the audit stream, so no domain needs to call us.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditEvent } from '../audit/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { notFound, VigilError } from '../platform/errors.ts';
import { govEvent, iso } from './events.ts';
import * as store from './store-reviews.ts';

/** Audit actions that open a review, and the kind of review they open. */
const TRIGGERS: Record<string, store.ReviewKind> = {
  'membership.grant': 'role_grant',
  'settings.pii_policy.update': 'pii_policy',
  'cockpit.tool_create': 'cockpit_tool',
  'cockpit.tool_update': 'cockpit_tool',
};

export function createReviews(deps: {
  db: Pick<Database, 'withTenant'>;
  audit: AuditRecorder;
  logger?: Pick<Logger, 'error'>;
}) {
  const { db, audit } = deps;
  const system = (tenantId: string) => ({
    tenant: { id: tenantId, slug: '', name: '' },
    actor: { type: 'system' as const, id: null },
    ip: '',
    uaHash: '',
    requestId: randomUUID(),
  });

  async function open(
    tenantId: string,
    kind: store.ReviewKind,
    ref: string | null,
    diff: Record<string, unknown>,
  ) {
    await db.withTenant(tenantId, async (tx) => {
      const id = await store.insertReview(tx, { tenantId, kind, ref, diff });
      await audit.inTx(
        tx,
        govEvent(system(tenantId), 'governance.review.open', 'governance_review', id, { kind }),
      );
    });
  }

  /** The audit-stream listener: opens a review for each triggering event of a tenant. */
  function onAuditEvent(e: AuditEvent): void {
    const kind = TRIGGERS[e.action];
    if (!kind || !e.tenantId || e.outcome !== 'success') return;
    const diff = { action: e.action, actorId: e.actorId, resourceType: e.resourceType, ...e.meta };
    open(e.tenantId, kind, e.resourceId, diff).catch((err) =>
      deps.logger?.error({ err, action: e.action }, 'governance review not opened'),
    );
  }

  async function list(ctx: TenantContext, state?: 'open' | 'closed') {
    const items = await db.withTenant(ctx.tenant.id, (tx) => store.selectReviews(tx, state));
    return {
      items: items.map((r) => ({
        id: r.id,
        kind: r.kind,
        ref: r.ref,
        diff: r.diff,
        state: r.state,
        decision: r.decision,
        reason: r.reason,
        decidedBy: r.decided_by,
        decidedAt: iso(r.decided_at),
        createdAt: iso(r.created_at)!,
      })),
    };
  }

  async function close(ctx: TenantContext, id: string, decision: 'accepted' | 'remediation', reason: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      if (!(await store.reviewExists(tx, id))) throw notFound('review');
      if (!(await store.closeReview(tx, id, { decision, reason, by: ctx.actor.id! })))
        throw new VigilError('conflict', 'the review is closed already');
      await audit.inTx(tx, govEvent(ctx, 'governance.review.close', 'governance_review', id, { decision }));
      return { id, state: 'closed', decision };
    });
  }

  return { open, onAuditEvent, list, close };
}

export type Reviews = ReturnType<typeof createReviews>;
