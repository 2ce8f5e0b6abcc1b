// Access review campaigns ("systematically review granted access rights"): a snapshot of every
// membership of the tenant with its queues and last use (the member's last event in the tenant's
// audit chain), a proposal (revoke when unused for N days), reviewer decisions — a revocation
// deletes the membership at once, so the next request of that user is refused — and the closed
// campaign as evidence.
import { sql } from 'drizzle-orm';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { actorEvent, iso } from './events.ts';

interface ItemRow {
  id: string;
  membership_id: string;
  user_id: string;
  role: string;
  queues: number;
  last_used_at: Date | string | null;
  proposal: 'keep' | 'revoke';
  decision: 'keep' | 'revoke' | null;
  decided_by: string | null;
  decided_at: Date | string | null;
}
interface CampaignRow {
  id: string;
  unused_days: number;
  state: string;
  due_at: Date | string;
  created_by: string;
  created_at: Date | string;
  closed_at: Date | string | null;
}

interface ItemView {
  id: string;
  membershipId: string;
  userId: string;
  role: string;
  proposal: 'keep' | 'revoke';
  decision: 'keep' | 'revoke' | null;
}

export function createAccessReviews(deps: {
  db: Pick<Database, 'withTenant'>;
  audit: AuditRecorder;
  clock?: () => Date;
}) {
  const { db, audit } = deps;
  const clock = deps.clock ?? (() => new Date());

  async function load(tx: Tx, id: string) {
    const [c] = await rows<CampaignRow>(tx, sql`select * from access_review_campaigns where id = ${id}`);
    if (!c) throw new VigilError('not_found', 'access review not found');
    const items = await rows<ItemRow>(
      tx,
      sql`select * from access_review_items where campaign_id = ${id} order by role, user_id`,
    );
    return {
      id: c.id,
      state: c.state,
      unusedDays: c.unused_days,
      dueAt: iso(c.due_at),
      createdBy: c.created_by,
      createdAt: iso(c.created_at),
      closedAt: iso(c.closed_at),
      summary: {
        items: items.length,
        proposedRevoke: items.filter((i) => i.proposal === 'revoke').length,
        decided: items.filter((i) => i.decision).length,
        kept: items.filter((i) => i.decision === 'keep').length,
        revoked: items.filter((i) => i.decision === 'revoke').length,
      },
      items: items.map((i) => ({
        id: i.id,
        membershipId: i.membership_id,
        userId: i.user_id,
        role: i.role,
        queues: i.queues,
        lastUsedAt: iso(i.last_used_at),
        proposal: i.proposal,
        decision: i.decision,
        decidedBy: i.decided_by,
        decidedAt: iso(i.decided_at),
      })),
    };
  }

  async function create(ctx: TenantContext, input: { unusedDays: number; dueInDays: number }) {
    if (!ctx.actor.id) throw new VigilError('forbidden', 'a person must start a review');
    const now = clock();
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const [open] = await rows<{ id: string }>(
        tx,
        sql`select id from access_review_campaigns where state = 'open'`,
      );
      if (open) throw new VigilError('conflict', 'an access review is already open');
      const [c] = await rows<{ id: string }>(
        tx,
        sql`insert into access_review_campaigns (tenant_id, unused_days, due_at, created_by)
            values (${ctx.tenant.id}, ${input.unusedDays}, ${new Date(now.getTime() + input.dueInDays * 86_400_000).toISOString()}::timestamptz, ${ctx.actor.id})
            returning id`,
      );
      const threshold = new Date(now.getTime() - input.unusedDays * 86_400_000).toISOString();
      await tx.execute(sql`insert into access_review_items (tenant_id, campaign_id, membership_id, user_id, role, queues, last_used_at, proposal)
        select ${ctx.tenant.id}, ${c!.id}, m.id, m.user_id, m.role,
          (select count(*)::int from queue_members q where q.user_id = m.user_id),
          l.last_used,
          case when l.last_used is null or l.last_used < ${threshold}::timestamptz then 'revoke' else 'keep' end
        from memberships m
        left join lateral (select max(e.time) as last_used from audit_events e
          where e.tenant_id = ${ctx.tenant.id} and e.actor_id = m.user_id::text) l on true
        where m.tenant_id = ${ctx.tenant.id}`);
      const out = await load(tx, c!.id);
      await audit.inTx(
        tx,
        actorEvent(ctx, 'access_review.start', 'access_review', c!.id, {
          items: out.summary.items,
          proposedRevoke: out.summary.proposedRevoke,
          unusedDays: input.unusedDays,
        }),
      );
      return out;
    });
  }

  async function decide(ctx: TenantContext, campaignId: string, itemId: string, decision: 'keep' | 'revoke') {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const c = await load(tx, campaignId);
      if (c.state !== 'open') throw new VigilError('conflict', 'the access review is closed');
      const item = c.items.find((i) => i.id === itemId);
      if (!item) throw new VigilError('not_found', 'review item not found');
      if (item.decision) throw new VigilError('conflict', 'this item was already decided');
      // Segregation of duties: nobody reviews their own access.
      if (item.userId === ctx.actor.id)
        throw new VigilError('forbidden', 'you cannot review your own access');
      await tx.execute(sql`update access_review_items set decision = ${decision}, decided_by = ${ctx.actor.id}, decided_at = now()
        where id = ${itemId}`);
      if (decision === 'revoke') await revokeMembership(tx, ctx, campaignId, item, 'access_review');
      await audit.inTx(
        tx,
        actorEvent(ctx, 'access_review.decide', 'access_review', campaignId, {
          itemId,
          decision,
          role: item.role,
        }),
      );
      return load(tx, campaignId);
    });
  }

  /** Revokes one membership for the review (the next request of that user is refused). */
  async function revokeMembership(
    tx: Tx,
    ctx: TenantContext,
    campaignId: string,
    item: ItemView,
    reason: string,
  ) {
    await tx.execute(
      sql`delete from memberships where id = ${item.membershipId} and tenant_id = ${ctx.tenant.id}`,
    );
    await audit.inTx(
      tx,
      actorEvent(ctx, 'membership.revoke', 'user', item.userId, {
        role: item.role,
        reason,
        reviewId: campaignId,
      }),
    );
  }

  /**
   * Closes the campaign. With undecided items: refused when the tenant requires every item decided
   * (access_review_settings), otherwise the open proposals are accepted by the closer: a proposed
   * revoke is applied, the rest kept (never the closer's own access: that stays undecided, kept).
   */
  async function close(ctx: TenantContext, id: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const c = await load(tx, id);
      if (c.state !== 'open') throw new VigilError('conflict', 'the access review is closed');
      const undecided = c.items.filter((i) => !i.decision);
      if (undecided.length && (await requireAllDecided(tx, ctx.tenant.id)))
        throw new VigilError('conflict', 'every item needs a decision first');
      let accepted = 0;
      for (const item of undecided) {
        if (item.userId === ctx.actor.id) continue;
        await tx.execute(sql`update access_review_items set decision = ${item.proposal}, decided_by = ${ctx.actor.id},
          decided_at = now() where id = ${item.id} and decision is null`);
        if (item.proposal === 'revoke') await revokeMembership(tx, ctx, id, item, 'access_review_close');
        accepted++;
      }
      await tx.execute(
        sql`update access_review_campaigns set state = 'closed', closed_at = now(), closed_by = ${ctx.actor.id} where id = ${id}`,
      );
      const out = await load(tx, id);
      await audit.inTx(
        tx,
        actorEvent(ctx, 'access_review.close', 'access_review', id, {
          kept: out.summary.kept,
          revoked: out.summary.revoked,
          acceptedProposals: accepted,
        }),
      );
      return out;
    });
  }

  async function requireAllDecided(tx: Tx, tenantId: string): Promise<boolean> {
    const [r] = await rows<{ require_all_decided: boolean }>(
      tx,
      sql`select require_all_decided from access_review_settings where tenant_id = ${tenantId}`,
    );
    return r?.require_all_decided ?? false;
  }

  async function setRequireAllDecided(ctx: TenantContext, on: boolean) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      await tx.execute(sql`insert into access_review_settings (tenant_id, require_all_decided) values (${ctx.tenant.id}, ${on})
        on conflict (tenant_id) do update set require_all_decided = excluded.require_all_decided, updated_at = now()`);
      await audit.inTx(
        tx,
        actorEvent(ctx, 'access_review.settings_update', 'tenant', ctx.tenant.id, { requireAllDecided: on }),
      );
      return { requireAllDecided: on };
    });
  }

  async function get(ctx: TenantContext, id: string) {
    const out = await db.withTenant(ctx.tenant.id, (tx) => load(tx, id));
    await audit.standalone(actorEvent(ctx, 'access_review.read', 'access_review', id));
    return out;
  }

  async function list(ctx: TenantContext) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const cs = await rows<{ id: string }>(
        tx,
        sql`select id from access_review_campaigns order by created_at desc limit 50`,
      );
      const out = [];
      for (const c of cs) {
        const { items: _items, ...head } = await load(tx, c.id);
        out.push(head);
      }
      return { items: out };
    });
  }

  return { create, decide, close, get, list, setRequireAllDecided };
}

export type AccessReviews = ReturnType<typeof createAccessReviews>;
