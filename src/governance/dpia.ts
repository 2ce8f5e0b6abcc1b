// Data-protection impact assessments (Art. 35 GDPR) in the shape of the CNIL PIA method: per
// tenant and processing activity of the Art. 30 record, a description, necessity and
// proportionality, the three risks each rated likelihood × severity before and after measures,
// measures linked to live controls, the DPO's opinion and sign-off. Every edit is a new version;
// a signed DPIA falls due for review after 12 months or as soon as a linked control changes.
import Type, { type Static } from 'typebox';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import type { Doc, DocLocale } from '../platform/documents.ts';
import { notFound, VigilError } from '../platform/errors.ts';
import { CONTROL_KEYS, type ControlKey, type ControlState, type LiveControls } from './controls.ts';
import { GOVERNANCE_DOC_TEXT } from './doc-text.ts';
import { govEvent, iso } from './events.ts';
import * as store from './store-dpia.ts';

export const RISK_KINDS = ['illegitimate_access', 'unwanted_change', 'disappearance'] as const;
const Level = Type.Integer({ minimum: 1, maximum: 4 });
const Text = Type.String({ minLength: 1, maxLength: 5000 });
const Risk = Type.Object(
  {
    kind: Type.Unsafe<(typeof RISK_KINDS)[number]>(Type.Union(RISK_KINDS.map((k) => Type.Literal(k)))),
    sources: Type.String({ maxLength: 2000 }),
    likelihoodBefore: Level,
    severityBefore: Level,
    likelihoodAfter: Level,
    severityAfter: Level,
  },
  { additionalProperties: false },
);
export const DpiaContent = Type.Object(
  {
    description: Text,
    necessity: Text,
    risks: Type.Array(Risk, { minItems: 3, maxItems: 3 }),
    measures: Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 50 }),
    controls: Type.Array(Type.Unsafe<ControlKey>(Type.Union(CONTROL_KEYS.map((k) => Type.Literal(k)))), {
      maxItems: CONTROL_KEYS.length,
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
);
export type DpiaContent = Static<typeof DpiaContent>;

export interface DpiaDeps {
  db: Pick<Database, 'withTenant'>;
  audit: AuditRecorder;
  controls: LiveControls;
  /** The tenant's processing activities (ids of the Art. 30 record). */
  activityIds(ctx: TenantContext): Promise<string[]>;
}

const snapshotOf = (states: ControlState[]) => Object.fromEntries(states.map((s) => [s.key, s.fingerprint]));

function checkRisks(c: DpiaContent) {
  const kinds = new Set(c.risks.map((r) => r.kind));
  if (kinds.size !== RISK_KINDS.length)
    throw new VigilError(
      'invalid_input',
      'rate each risk once: illegitimate access, unwanted change, disappearance',
    );
}

const view = (r: store.DpiaRow) => ({
  id: r.id,
  activityId: r.activity_id,
  version: r.current_version,
  content: r.content as DpiaContent,
  dpoOpinion: r.dpo_opinion,
  signedBy: r.signed_by,
  signedAt: iso(r.signed_at),
  reviewDueAt: iso(r.review_due_at),
  reviewReason: r.review_reason,
  reviewDue: !!r.signed_at && !!r.review_due_at && new Date(r.review_due_at) <= new Date(),
  updatedAt: iso(r.version_created_at)!,
});
export type DpiaView = ReturnType<typeof view>;

export function createDpias(deps: DpiaDeps) {
  const { db, audit, controls } = deps;
  const live = (ctx: TenantContext, keys: readonly ControlKey[]) => controls.read(ctx, keys);

  async function create(ctx: TenantContext, activityId: string, content: DpiaContent) {
    checkRisks(content);
    if (!(await deps.activityIds(ctx)).includes(activityId))
      throw new VigilError('invalid_input', 'no such processing activity in the record of processing');
    const snapshot = snapshotOf(await live(ctx, content.controls));
    const id = await db.withTenant(ctx.tenant.id, async (tx) => {
      const by = ctx.actor.id!;
      const dpiaId = await store.insertDpia(tx, {
        tenantId: ctx.tenant.id,
        activityId,
        content,
        snapshot,
        by,
      });
      if (!dpiaId) throw new VigilError('conflict', 'this activity has a DPIA already; edit it');
      await audit.inTx(
        tx,
        govEvent(ctx, 'governance.dpia.create', 'dpia', dpiaId, { activityId, version: 1 }),
      );
      return dpiaId;
    });
    return get(ctx, id);
  }

  async function update(ctx: TenantContext, id: string, content: DpiaContent) {
    checkRisks(content);
    const snapshot = snapshotOf(await live(ctx, content.controls));
    await db.withTenant(ctx.tenant.id, async (tx) => {
      const d = await store.selectDpia(tx, id, true);
      if (!d) throw notFound('DPIA');
      const version = d.current_version + 1;
      await store.insertVersion(tx, {
        tenantId: ctx.tenant.id,
        dpiaId: id,
        version,
        content,
        snapshot,
        by: ctx.actor.id!,
      });
      await audit.inTx(tx, govEvent(ctx, 'governance.dpia.version', 'dpia', id, { version }));
    });
    return get(ctx, id);
  }

  /** The DPO signs the current version; the linked controls' state is fixed at this moment. */
  async function sign(ctx: TenantContext, id: string, opinion: string) {
    const current = await db.withTenant(ctx.tenant.id, (tx) => store.selectDpia(tx, id));
    if (!current) throw notFound('DPIA');
    const snapshot = snapshotOf(await live(ctx, (current.content as DpiaContent).controls));
    await db.withTenant(ctx.tenant.id, async (tx) => {
      const d = await store.selectDpia(tx, id, true);
      if (!d) throw notFound('DPIA');
      if (d.current_version !== current.current_version || d.signed_at)
        throw new VigilError('conflict', 'this version is signed already or was replaced');
      await store.signVersion(tx, {
        dpiaId: id,
        version: d.current_version,
        opinion,
        by: ctx.actor.id!,
        snapshot,
      });
      await audit.inTx(tx, govEvent(ctx, 'governance.dpia.sign', 'dpia', id, { version: d.current_version }));
    });
    return get(ctx, id);
  }

  /**
   * Marks signed DPIAs due for review: 12 months passed, or a linked control's state differs from
   * the one signed. Reads the controls outside any transaction (each domain opens its own).
   */
  async function checkReviews(ctx: TenantContext) {
    const all = await db.withTenant(ctx.tenant.id, store.selectDpias);
    const due: Array<{ id: string; reason: string }> = [];
    for (const d of all) {
      if (!d.signed_at) continue;
      const content = d.content as DpiaContent;
      const changed = (await live(ctx, content.controls)).find(
        (s) => d.control_snapshot[s.key] !== s.fingerprint,
      );
      const periodic = d.review_due_at && new Date(d.review_due_at) <= new Date();
      const reason = changed ? `control_changed:${changed.key}` : periodic ? 'periodic' : null;
      if (reason && reason !== d.review_reason) due.push({ id: d.id, reason });
    }
    if (due.length)
      await db.withTenant(ctx.tenant.id, async (tx) => {
        const system = { ...ctx, actor: { type: 'system' as const, id: null } };
        for (const x of due) {
          await store.markReviewDue(tx, x.id, x.reason);
          await audit.inTx(
            tx,
            govEvent(system, 'governance.dpia.review_due', 'dpia', x.id, { reason: x.reason }),
          );
        }
      });
  }

  async function list(ctx: TenantContext) {
    await checkReviews(ctx);
    const items = (await db.withTenant(ctx.tenant.id, store.selectDpias)).map(view);
    return { items, reviewTasks: items.filter((i) => i.reviewDue) };
  }

  async function get(ctx: TenantContext, id: string) {
    const { d, versions } = await db.withTenant(ctx.tenant.id, async (tx) => ({
      d: await store.selectDpia(tx, id),
      versions: await store.selectVersions(tx, id),
    }));
    if (!d) throw notFound('DPIA');
    const states = await live(ctx, (d.content as DpiaContent).controls);
    return {
      ...view(d),
      controls: states.map((s) => ({
        ...s,
        changedSinceSignature: !!d.signed_at && d.control_snapshot[s.key] !== s.fingerprint,
      })),
      versions: versions.map((v) => ({
        version: v.version,
        signedBy: v.signed_by,
        signedAt: iso(v.signed_at),
        createdAt: iso(v.created_at)!,
      })),
    };
  }

  return { create, update, sign, list, get, checkReviews };
}

export type Dpias = ReturnType<typeof createDpias>;
export type DpiaDetail = Awaited<ReturnType<Dpias['get']>>;

export function dpiaDoc(tenantName: string, d: DpiaDetail, lang: DocLocale = 'en'): Doc {
  const c = d.content;
  const g = GOVERNANCE_DOC_TEXT[lang];
  const t = g.dpia;
  const L = t.levels;
  return {
    title: t.title(d.activityId),
    subtitle: t.subtitle(tenantName, d.version),
    generatedAt: new Date().toISOString(),
    lang,
    sections: [
      { heading: t.h.processing, paragraphs: [c.description] },
      { heading: t.h.necessity, paragraphs: [c.necessity] },
      {
        heading: t.h.risks,
        table: {
          head: t.riskHead,
          rows: c.risks.map((r) => [
            t.kinds[r.kind],
            r.sources,
            `${L[r.likelihoodBefore]} × ${L[r.severityBefore]}`,
            `${L[r.likelihoodAfter]} × ${L[r.severityAfter]}`,
          ]),
        },
      },
      { heading: t.h.measures, paragraphs: c.measures },
      {
        heading: t.h.controls,
        table: {
          head: t.controlHead,
          rows: d.controls.map((s) => [
            s.key,
            `${s.ok ? t.inEffect : t.notInEffect}: ${s.summary}`,
            s.changedSinceSignature ? g.yes : g.no,
          ]),
        },
      },
      {
        heading: t.h.opinion,
        fields: [
          [t.f.opinion, d.dpoOpinion ?? t.f.notGiven],
          [t.f.signed, d.signedAt ?? t.f.notSigned],
          [t.f.reviewDue, d.reviewDueAt ?? '-'],
          [t.f.reviewReason, d.reviewReason ?? '-'],
        ],
      },
    ],
  };
}
