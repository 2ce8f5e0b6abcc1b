// Sub-processor register (Art. 28(2) GDPR): the operator keeps the platform list and assigns
// entries to tenants; every addition or change opens a notice per affected tenant with an
// objection window, notifies the tenant's admins and DPOs (console + e-mail), and records the
// client's decision. An objection blocks the sub-processor (or its change) for that tenant; a
// window that closes without one counts as acceptance, as Art. 28(2) general authorisations do.
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { RequestContext, TenantContext } from '../platform/context.ts';
import type { Database, Tx } from '../platform/db.ts';
import { notFound, VigilError } from '../platform/errors.ts';
import { govEvent, iso } from './events.ts';
import type { NoticeMailer } from './notify.ts';
import * as store from './store.ts';

export const DEFAULT_OBJECTION_DAYS = 30;

export interface SubProcessorDeps {
  db: Pick<Database, 'withPlatform' | 'withTenant'>;
  audit: AuditRecorder;
  mailer: NoticeMailer;
  objectionDays?: number;
  /** Called once a tenant-relevant change is recorded (change-triggered review items). */
  onChange?: (tenantId: string, kind: 'sub_processor', ref: string) => Promise<void>;
}

export const viewOf = (r: store.SubProcessorRow) => ({
  id: r.id,
  name: r.name,
  service: r.service,
  dataCategories: r.data_categories,
  countries: r.countries,
  transferMechanism: r.transfer_mechanism,
  contractStart: r.contract_start ? String(r.contract_start) : null,
  contractEnd: r.contract_end ? String(r.contract_end) : null,
  lastAuditAt: r.last_audit_at ? String(r.last_audit_at) : null,
  auditEvidenceSha256: r.audit_evidence_sha256,
  status: r.status,
  version: r.version,
  updatedAt: iso(r.updated_at)!,
});
export type SubProcessorView = ReturnType<typeof viewOf>;

const noticeView = (n: store.NoticeRow & { open: boolean }) => ({
  id: n.id,
  subProcessorId: n.sub_processor_id,
  version: n.version,
  kind: n.kind,
  summary: n.summary,
  objectionDeadline: iso(n.objection_deadline)!,
  open: n.open,
  decision: n.decision,
  decidedBy: n.decided_by,
  decidedAt: iso(n.decided_at),
  reason: n.reason,
  mailed: n.mailed,
  createdAt: iso(n.created_at)!,
});

export function createSubProcessors(deps: SubProcessorDeps) {
  const { db, audit, mailer } = deps;
  const defaultDays = deps.objectionDays ?? DEFAULT_OBJECTION_DAYS;

  /** Opens a notice in each tenant (own transaction per tenant, RLS), then mails them. */
  async function notifyTenants(
    ctx: RequestContext,
    sp: store.SubProcessorRow,
    tenants: Array<{ id: string; kind: 'added' | 'changed' }>,
    windowDays: number,
  ) {
    const summary = viewOf(sp);
    const notices: Array<{ tenantId: string; id: string; deadline: string }> = [];
    for (const t of tenants) {
      const n = await db.withTenant(t.id, async (tx) => {
        if (t.kind === 'added') await store.upsertAssignment(tx, t.id, sp.id);
        const row = await store.insertNotice(tx, {
          tenantId: t.id,
          subProcessorId: sp.id,
          version: sp.version,
          kind: t.kind,
          summary,
          windowDays,
        });
        await audit.inTx(
          tx,
          event(ctx, t.id, 'governance.subprocessor.notice', 'sub_processor_notice', row.id, {
            subProcessorId: sp.id,
            version: sp.version,
            kind: t.kind,
          }),
        );
        return row;
      });
      notices.push({ tenantId: t.id, id: n.id, deadline: iso(n.objection_deadline)! });
      // The notice stands even if its review item cannot open; the failure is logged there.
      await deps.onChange?.(t.id, 'sub_processor', sp.id).catch(() => {});
    }
    // After commit: a mail relay that is down never loses the notice (the console shows it).
    for (const n of notices) {
      const sent = await mailer.send(n.tenantId, {
        name: sp.name,
        service: sp.service,
        deadline: n.deadline,
      });
      await db.withTenant(n.tenantId, (tx) => store.markMailed(tx, n.id, sent));
    }
    return notices.map((n) => ({ tenantId: n.tenantId, noticeId: n.id, objectionDeadline: n.deadline }));
  }

  const event = (
    ctx: RequestContext,
    tenantId: string | null,
    action: string,
    type: string,
    id: string,
    meta: Record<string, string | number | boolean | null> = {},
  ) => govEvent(ctx, action, type, id, meta, tenantId);

  async function create(
    ctx: RequestContext,
    input: store.SubProcessorInput,
    tenantIds: string[],
    windowDays = defaultDays,
  ) {
    const sp = await db.withPlatform(async (tx) => {
      const r = await store.insertSubProcessor(tx, input);
      await audit.inTx(tx, event(ctx, null, 'governance.subprocessor.create', 'sub_processor', r.id));
      return r;
    });
    const notices = await notifyTenants(
      ctx,
      sp,
      tenantIds.map((id) => ({ id, kind: 'added' as const })),
      windowDays,
    );
    return { subProcessor: viewOf(sp), notices };
  }

  async function update(
    ctx: RequestContext,
    id: string,
    input: store.SubProcessorInput,
    windowDays = defaultDays,
  ) {
    const { sp, tenants } = await db.withPlatform(async (tx) => {
      const r = await store.updateSubProcessorRow(tx, id, input);
      if (!r) throw notFound('sub-processor');
      await audit.inTx(
        tx,
        event(ctx, null, 'governance.subprocessor.update', 'sub_processor', r.id, { version: r.version }),
      );
      return { sp: r, tenants: await store.selectAssignedTenants(tx, id) };
    });
    const notices = await notifyTenants(
      ctx,
      sp,
      tenants.map((t) => ({ id: t.tenant_id, kind: 'changed' as const })),
      windowDays,
    );
    return { subProcessor: viewOf(sp), notices };
  }

  async function assign(ctx: RequestContext, id: string, tenantIds: string[], windowDays = defaultDays) {
    const [sp] = await db.withPlatform((tx) => store.selectSubProcessors(tx, [id]));
    if (!sp) throw notFound('sub-processor');
    return {
      notices: await notifyTenants(
        ctx,
        sp,
        tenantIds.map((t) => ({ id: t, kind: 'added' as const })),
        windowDays,
      ),
    };
  }

  const listPlatform = () => db.withPlatform(async (tx) => (await store.selectSubProcessors(tx)).map(viewOf));

  /** Closes windows that ran out without an objection: the change takes effect for the tenant. */
  async function settleLapsed(tx: Tx, ctx: TenantContext) {
    for (const n of await store.selectLapsed(tx)) {
      await store.decideNotice(tx, n.id, { decision: 'lapsed', by: null, reason: null });
      await store.setAssignment(tx, ctx.tenant.id, n.sub_processor_id, 'active', n.version);
      await audit.inTx(
        tx,
        govEvent(
          { ...ctx, actor: { type: 'system', id: null } },
          'governance.subprocessor.lapsed',
          'sub_processor_notice',
          n.id,
        ),
      );
    }
  }

  /** The tenant's view: assigned sub-processors with their state, and the notices. */
  async function forTenant(ctx: TenantContext) {
    const { assignments, notices } = await db.withTenant(ctx.tenant.id, async (tx) => {
      await settleLapsed(tx, ctx);
      return {
        assignments: await store.selectAssignments(tx, ctx.tenant.id),
        notices: await store.selectNotices(tx),
      };
    });
    const entries = assignments.length
      ? await db.withPlatform((tx) =>
          store.selectSubProcessors(
            tx,
            assignments.map((a) => a.sub_processor_id),
          ),
        )
      : [];
    const byId = new Map(entries.map((e) => [e.id, e]));
    return {
      subProcessors: assignments.flatMap((a) => {
        const e = byId.get(a.sub_processor_id);
        return e ? [{ ...viewOf(e), state: a.state, acceptedVersion: a.accepted_version }] : [];
      }),
      notices: notices.map(noticeView),
    };
  }

  async function decide(
    ctx: TenantContext,
    noticeId: string,
    decision: 'accepted' | 'objected',
    reason: string | null,
  ) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const n = await store.selectNoticeForUpdate(tx, noticeId);
      if (!n) throw notFound('notice');
      if (!n.open)
        throw new VigilError('objection_window_closed', 'the notice is decided or its window closed');
      await store.decideNotice(tx, noticeId, { decision, by: ctx.actor.id, reason });
      await store.setAssignment(
        tx,
        ctx.tenant.id,
        n.sub_processor_id,
        decision === 'accepted' ? 'active' : 'blocked',
        decision === 'accepted' ? n.version : null,
      );
      await audit.inTx(
        tx,
        govEvent(ctx, `governance.subprocessor.${decision}`, 'sub_processor_notice', noticeId, {
          subProcessorId: n.sub_processor_id,
          version: n.version,
        }),
      );
      return noticeView({ ...(await store.selectNoticeForUpdate(tx, noticeId))! });
    });
  }

  /** Sub-processors that may process this tenant's data now (active, not objected). */
  async function effectiveFor(ctx: TenantContext) {
    const t = await forTenant(ctx);
    return t.subProcessors.filter((s) => s.state === 'active');
  }

  return { create, update, assign, listPlatform, forTenant, decide, effectiveFor };
}

export type SubProcessors = ReturnType<typeof createSubProcessors>;
