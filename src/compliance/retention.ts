// Storage limitation (Art. 5(1)(e)): retention policies per tenant and data category, legal holds,
// and the scheduler that deletes what has expired.
//
// A run is a row in retention_runs with the clock time it runs at (`as_of`), the category it is
// in and a cursor (the last id handled). Each batch is one transaction: delete up to `batchSize`
// expired, unheld rows after the cursor, then move the cursor and add the counts — so a run that
// stops half-way (crash, deploy) is resumed with the same `as_of` and never deletes anything
// twice, and a second run finds nothing left to delete.
//
// Audit events are not deleted row by row: the audit log is append-only. Their retention uses the
// one sanctioned path (src/audit/retention.ts): a signed retention anchor recording the chain state
// at the cut (the "tombstone" of the deleted prefix), a signed checkpoint of the head, then the
// prefix is dropped in the same owner transaction. Verification resumes from the anchor, so the
// chain still verifies. While any legal hold is active in the tenant, audit events are kept (they
// are the access history a case may need).
import { sql } from 'drizzle-orm';
import { purgeAuditEvents } from '../audit/retention.ts';
import type { AuditSigner } from '../audit/types.ts';
import type { Keyring } from '../crypto/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { purgeCustomer } from '../privacy/purge.ts';
import { actorEvent, iso } from './events.ts';

export const CATEGORIES = [
  'chat',
  'email',
  'transcripts',
  'recordings',
  'customer_profiles',
  'audit_events',
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface RetentionDeps {
  db: Database;
  keyring: Pick<Keyring, 'shredSubject'>;
  audit: AuditRecorder;
  signer?: AuditSigner | undefined;
  clock?: () => Date;
}

type Ctx = Pick<TenantContext, 'tenant' | 'actor' | 'ip' | 'uaHash' | 'requestId'>;

interface RunRow {
  id: string;
  as_of: Date | string;
  state: string;
  category_index: number;
  cursor: string | null;
  counts: Record<string, number>;
  held: Record<string, number>;
  batches: number;
  trigger: string;
  started_at: Date | string;
  completed_at: Date | string | null;
}

export interface RunReport {
  id: string;
  asOf: string;
  state: string;
  trigger: string;
  startedAt: string;
  completedAt: string | null;
  batches: number;
  deleted: Record<string, number>;
  heldBack: Record<string, number>;
}

const report = (r: RunRow): RunReport => ({
  id: r.id,
  asOf: iso(r.as_of)!,
  state: r.state,
  trigger: r.trigger,
  startedAt: iso(r.started_at)!,
  completedAt: iso(r.completed_at),
  batches: r.batches,
  deleted: r.counts,
  heldBack: r.held,
});

/** Not held: no active hold on the conversation `c` or on its customer. */
const notHeld = sql`not exists (select 1 from legal_holds h where h.released_at is null and (
  (h.scope = 'conversation' and h.target_id = c.id) or (h.scope = 'customer' and h.target_id = c.customer_id)))`;
const held = sql`exists (select 1 from legal_holds h where h.released_at is null and (
  (h.scope = 'conversation' and h.target_id = c.id) or (h.scope = 'customer' and h.target_id = c.customer_id)))`;
const channelOf: Record<string, string> = { chat: 'chat', email: 'email', transcripts: 'voice' };

const profileExpired = (cutoff: string) => sql`c.erased_at is null and greatest(c.created_at,
  coalesce((select max(v.last_message_at) from conversations v where v.customer_id = c.id), c.created_at)) < ${cutoff}::timestamptz`;
const profileHeld = sql`exists (select 1 from legal_holds h where h.released_at is null and (
  (h.scope = 'customer' and h.target_id = c.id) or
  (h.scope = 'conversation' and h.target_id in (select v.id from conversations v where v.customer_id = c.id))))`;

export function createRetention(deps: RetentionDeps) {
  const { db, keyring, audit } = deps;
  const clock = deps.clock ?? (() => new Date());

  async function listPolicies(ctx: Ctx) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await rows<{ category: Category; days: number; enabled: boolean; updated_at: Date | string }>(
        tx,
        sql`select category, days, enabled, updated_at from retention_policies order by category`,
      );
      return r.map((p) => ({
        category: p.category,
        days: p.days,
        enabled: p.enabled,
        updatedAt: iso(p.updated_at),
      }));
    });
  }

  async function setPolicy(ctx: Ctx, category: Category, days: number, enabled: boolean) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      await tx.execute(sql`insert into retention_policies (tenant_id, category, days, enabled, updated_by)
        values (${ctx.tenant.id}, ${category}, ${days}, ${enabled}, ${ctx.actor.id})
        on conflict (tenant_id, category) do update set days = excluded.days, enabled = excluded.enabled,
          updated_by = excluded.updated_by, updated_at = now()`);
      await audit.inTx(
        tx,
        actorEvent(ctx, 'retention.policy.set', 'retention_policy', category, { days, enabled }),
      );
      return { category, days, enabled };
    });
  }

  async function deletePolicy(ctx: Ctx, category: Category) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await rows<{ category: string }>(
        tx,
        sql`delete from retention_policies where category = ${category} returning category`,
      );
      if (!r.length) throw new VigilError('not_found', 'retention policy not found');
      await audit.inTx(tx, actorEvent(ctx, 'retention.policy.delete', 'retention_policy', category));
      return { category, deleted: true };
    });
  }

  // Legal holds ---------------------------------------------------------------------------------

  async function placeHold(
    ctx: Ctx,
    input: { scope: 'customer' | 'conversation'; targetId: string; reference: string },
  ) {
    if (!ctx.actor.id) throw new VigilError('forbidden', 'a person must place a legal hold');
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const table = input.scope === 'customer' ? sql`customers` : sql`conversations`;
      const [t] = await rows<{ id: string }>(tx, sql`select id from ${table} where id = ${input.targetId}`);
      if (!t) throw new VigilError('not_found', `${input.scope} not found`);
      const [h] = await rows<{ id: string }>(
        tx,
        sql`insert into legal_holds (tenant_id, scope, target_id, reference, created_by)
            values (${ctx.tenant.id}, ${input.scope}, ${input.targetId}, ${input.reference}, ${ctx.actor.id}) returning id`,
      );
      await audit.inTx(
        tx,
        actorEvent(ctx, 'legal_hold.place', 'legal_hold', h!.id, {
          scope: input.scope,
          targetId: input.targetId,
        }),
      );
      return (await holdsIn(tx, h!.id))[0]!;
    });
  }

  async function holdsIn(tx: Tx, id?: string) {
    const r = await rows<{
      id: string;
      scope: string;
      target_id: string;
      reference: string;
      created_by: string;
      created_at: Date | string;
      released_at: Date | string | null;
    }>(
      tx,
      sql`select id, scope, target_id, reference, created_by, created_at, released_at from legal_holds
          ${id ? sql`where id = ${id}` : sql``} order by created_at desc limit 500`,
    );
    return r.map((h) => ({
      id: h.id,
      scope: h.scope,
      targetId: h.target_id,
      reference: h.reference,
      createdBy: h.created_by,
      createdAt: iso(h.created_at),
      releasedAt: iso(h.released_at),
      active: !h.released_at,
    }));
  }

  const listHolds = (ctx: Ctx) => db.withTenant(ctx.tenant.id, (tx) => holdsIn(tx));

  async function releaseHold(ctx: Ctx, id: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const [h] = await holdsIn(tx, id);
      if (!h) throw new VigilError('not_found', 'legal hold not found');
      if (!h.active) throw new VigilError('conflict', 'the legal hold was already released');
      await tx.execute(
        sql`update legal_holds set released_at = now(), released_by = ${ctx.actor.id} where id = ${id}`,
      );
      await audit.inTx(tx, actorEvent(ctx, 'legal_hold.release', 'legal_hold', id));
      return (await holdsIn(tx, id))[0]!;
    });
  }

  // The scheduler -------------------------------------------------------------------------------

  /** Expired, unheld ids of `category` after `cursor`, and deletes them; returns how many. */
  async function deleteBatch(
    tx: Tx,
    tenantId: string,
    category: Exclude<Category, 'audit_events'>,
    cutoff: string,
    cursor: string | null,
    limit: number,
  ): Promise<{ ids: string[]; deleted: number }> {
    const after = cursor ? sql`and c.id > ${cursor}` : sql``;
    if (category === 'recordings') {
      const r = await rows<{ id: string }>(
        tx,
        sql`select k.id from calls k join conversations c on c.id = k.conversation_id
            where k.recording_ref_enc is not null and coalesce(k.ended_at, k.started_at) < ${cutoff}::timestamptz
              and ${notHeld} ${cursor ? sql`and k.id > ${cursor}` : sql``}
            order by k.id limit ${limit}`,
      );
      const ids = r.map((x) => x.id);
      for (const id of ids) await tx.execute(sql`update calls set recording_ref_enc = null where id = ${id}`);
      return { ids, deleted: ids.length };
    }
    if (category === 'customer_profiles') {
      const r = await rows<{ id: string }>(
        tx,
        sql`select c.id from customers c where ${profileExpired(cutoff)} and not ${profileHeld} ${after}
            order by c.id limit ${limit}`,
      );
      const ids = r.map((x) => x.id);
      for (const id of ids)
        await purgeCustomer(tx, keyring, tenantId, id, { reason: 'retention', requestId: null });
      return { ids, deleted: ids.length };
    }
    const r = await rows<{ id: string }>(
      tx,
      sql`select c.id from conversations c where c.channel = ${channelOf[category]!}
            and c.last_message_at < ${cutoff}::timestamptz and ${notHeld} ${after}
          order by c.id limit ${limit}`,
    );
    const ids = r.map((x) => x.id);
    if (ids.length) {
      const list = sql.join(
        ids.map((i) => sql`${i}::uuid`),
        sql`, `,
      );
      await tx.execute(sql`delete from pii_tokens where conversation_id in (${list})`);
      await tx.execute(sql`delete from conversations where id in (${list})`);
    }
    return { ids, deleted: ids.length };
  }

  async function countHeld(tx: Tx, category: Category, cutoff: string): Promise<number> {
    if (category === 'audit_events')
      return (
        await rows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from legal_holds where released_at is null`,
        )
      )[0]!.n;
    if (category === 'customer_profiles')
      return (
        await rows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from customers c where ${profileExpired(cutoff)} and ${profileHeld}`,
        )
      )[0]!.n;
    if (category === 'recordings')
      return (
        await rows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from calls k join conversations c on c.id = k.conversation_id
              where k.recording_ref_enc is not null and coalesce(k.ended_at, k.started_at) < ${cutoff}::timestamptz and ${held}`,
        )
      )[0]!.n;
    return (
      await rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from conversations c where c.channel = ${channelOf[category]!}
            and c.last_message_at < ${cutoff}::timestamptz and ${held}`,
      )
    )[0]!.n;
  }

  /** The running run of the tenant, or a new one at the current clock time. */
  async function openRun(ctx: Ctx, trigger: 'schedule' | 'manual'): Promise<RunRow> {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const running = await rows<RunRow>(tx, sql`select * from retention_runs where state = 'running'`);
      if (running[0]) return running[0];
      const [r] = await rows<RunRow>(
        tx,
        sql`insert into retention_runs (tenant_id, as_of, trigger) values (${ctx.tenant.id}, ${clock().toISOString()}::timestamptz, ${trigger})
            on conflict do nothing returning *`,
      );
      if (r) {
        await audit.inTx(tx, actorEvent(ctx, 'retention.run.start', 'retention_run', r.id, { trigger }));
        return r;
      }
      return (await rows<RunRow>(tx, sql`select * from retention_runs where state = 'running'`))[0]!;
    });
  }

  /**
   * Runs (or resumes) the tenant's retention run to the end, or for at most `maxBatches` batches
   * (tests use it to stop a run half-way, as a crash would).
   */
  async function run(
    ctx: Ctx,
    opts: { trigger?: 'schedule' | 'manual'; batchSize?: number; maxBatches?: number } = {},
  ): Promise<RunReport> {
    const tenantId = ctx.tenant.id;
    const batchSize = opts.batchSize ?? 200;
    let budget = opts.maxBatches ?? Number.POSITIVE_INFINITY;
    const start = await openRun(ctx, opts.trigger ?? 'manual');
    const runId = start.id;
    const policies = new Map(
      (await listPolicies(ctx)).filter((p) => p.enabled).map((p) => [p.category, p.days]),
    );
    const pending: { audit?: { cutoff: string; held: number } | undefined } = {};
    for (;;) {
      if (budget-- <= 0) break;
      const done = await db.withTenant(tenantId, async (tx) => {
        const [r] = await rows<RunRow>(tx, sql`select * from retention_runs where id = ${runId} for update`);
        if (r?.state !== 'running') return true;
        const category = CATEGORIES[r.category_index];
        if (!category) {
          await tx.execute(
            sql`update retention_runs set state = 'completed', completed_at = now() where id = ${runId}`,
          );
          await audit.inTx(
            tx,
            actorEvent(ctx, 'retention.run.complete', 'retention_run', runId, {
              ...Object.fromEntries(Object.entries(r.counts).map(([k, v]) => [`deleted_${k}`, v])),
              ...Object.fromEntries(Object.entries(r.held).map(([k, v]) => [`held_${k}`, v])),
              batches: r.batches,
            }),
          );
          return true;
        }
        const days = policies.get(category);
        const advance = (counts: Record<string, number>, heldBack: Record<string, number>) =>
          tx.execute(sql`update retention_runs set category_index = category_index + 1, cursor = null,
            counts = ${JSON.stringify(counts)}::jsonb, held = ${JSON.stringify(heldBack)}::jsonb where id = ${runId}`);
        if (days === undefined) {
          await advance(r.counts, r.held);
          return false;
        }
        const cutoff = new Date(new Date(r.as_of).getTime() - days * 86_400_000).toISOString();
        const heldBack =
          r.cursor === null ? { ...r.held, [category]: await countHeld(tx, category, cutoff) } : r.held;
        if (category === 'audit_events') {
          pending.audit = { cutoff, held: heldBack.audit_events ?? 0 };
          await tx.execute(
            sql`update retention_runs set held = ${JSON.stringify(heldBack)}::jsonb where id = ${runId}`,
          );
          return false;
        }
        const b = await deleteBatch(tx, tenantId, category, cutoff, r.cursor, batchSize);
        const counts = { ...r.counts, [category]: (r.counts[category] ?? 0) + b.deleted };
        if (b.ids.length < batchSize) await advance(counts, heldBack);
        else
          await tx.execute(sql`update retention_runs set cursor = ${b.ids[b.ids.length - 1]!}, counts = ${JSON.stringify(counts)}::jsonb,
            held = ${JSON.stringify(heldBack)}::jsonb where id = ${runId}`);
        await tx.execute(sql`update retention_runs set batches = batches + 1 where id = ${runId}`);
        if (b.deleted > 0)
          await audit.inTx(
            tx,
            actorEvent(ctx, 'retention.batch', 'retention_run', runId, { category, deleted: b.deleted }),
          );
        return false;
      });
      if (done) break;
      if (pending.audit) await auditEventsStep(ctx, runId, pending.audit);
      pending.audit = undefined;
    }
    return getRun(ctx, runId);
  }

  /**
   * Audit events: the signed-anchor purge runs in its own owner transaction (never inside a tenant
   * transaction: PGlite has one connection). It is idempotent by itself — a repeated purge at the
   * same cutoff deletes nothing — so a crash between the purge and the cursor update is harmless.
   */
  async function auditEventsStep(ctx: Ctx, runId: string, step: { cutoff: string; held: number }) {
    let deleted = 0;
    if (step.held === 0 && deps.signer)
      deleted = (await purgeAuditEvents(db, ctx.tenant.id, new Date(step.cutoff), deps.signer, clock))
        .deleted;
    await db.withTenant(ctx.tenant.id, async (tx) => {
      const [r] = await rows<RunRow>(tx, sql`select * from retention_runs where id = ${runId} for update`);
      if (!r || CATEGORIES[r.category_index] !== 'audit_events') return;
      const counts = { ...r.counts, audit_events: (r.counts.audit_events ?? 0) + deleted };
      await tx.execute(sql`update retention_runs set category_index = category_index + 1, cursor = null, batches = batches + 1,
        counts = ${JSON.stringify(counts)}::jsonb where id = ${runId}`);
      await audit.inTx(
        tx,
        actorEvent(ctx, 'retention.batch', 'retention_run', runId, {
          category: 'audit_events',
          deleted,
          signedAnchor: deleted > 0,
          suspendedByLegalHold: step.held > 0,
        }),
      );
    });
  }

  async function getRun(ctx: Ctx, id: string): Promise<RunReport> {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const [r] = await rows<RunRow>(tx, sql`select * from retention_runs where id = ${id}`);
      if (!r) throw new VigilError('not_found', 'retention run not found');
      return report(r);
    });
  }

  async function listRuns(ctx: Ctx) {
    return db.withTenant(ctx.tenant.id, async (tx) =>
      (await rows<RunRow>(tx, sql`select * from retention_runs order by started_at desc, id limit 100`)).map(
        report,
      ),
    );
  }

  /** Every tenant with an enabled policy gets its run (the periodic job). */
  async function runAll(onError: (e: unknown) => void = () => {}) {
    const tenants = await db.withOwner((tx) =>
      rows<{ id: string; slug: string; name: string }>(
        tx,
        sql`select t.id, t.slug, t.name from tenants t where t.status = 'active'
            and exists (select 1 from retention_policies p where p.tenant_id = t.id and p.enabled)`,
      ),
    );
    const reports: RunReport[] = [];
    for (const t of tenants) {
      try {
        const ctx: Ctx = {
          tenant: t,
          actor: { type: 'system', id: null },
          ip: '',
          uaHash: '',
          requestId: `retention-${Date.now()}`,
        };
        reports.push(await run(ctx, { trigger: 'schedule' }));
      } catch (e) {
        onError(e);
      }
    }
    return reports;
  }

  /** Runs `runAll` every `intervalMs`; returns the stop function. */
  function schedule(intervalMs: number, onError: (e: unknown) => void) {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void runAll(onError).finally(() => {
        busy = false;
      });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  return {
    listPolicies,
    setPolicy,
    deletePolicy,
    placeHold,
    listHolds,
    releaseHold,
    run,
    getRun,
    listRuns,
    runAll,
    schedule,
  };
}

export type Retention = ReturnType<typeof createRetention>;
