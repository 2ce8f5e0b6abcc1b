// Breach register (Art. 33/34): incidents with the facts the authority needs, the 72-hour clock
// from awareness, notification of authority and subjects, evidence references and a draft
// notification. Free text is written by the DPO about the incident; audit events carry ids only.
import { sql } from 'drizzle-orm';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import type { Doc, DocLocale } from '../platform/documents.ts';
import { VigilError } from '../platform/errors.ts';
import { BREACH_TEXT } from './breach-text.ts';
import { actorEvent, iso } from './events.ts';

export const RISKS = ['unassessed', 'unlikely', 'risk', 'high_risk'] as const;
export type Risk = (typeof RISKS)[number];
export const EVIDENCE_KINDS = ['alert', 'audit_event', 'document', 'note'] as const;
const HOURS_72 = 72 * 3_600_000;

interface BreachRow {
  id: string;
  title: string;
  detected_at: Date | string;
  aware_at: Date | string;
  nature: string;
  data_categories: string[];
  subject_categories: string[];
  approx_subjects: number | null;
  approx_records: number | null;
  consequences: string;
  measures: string;
  dpo_contact: string;
  risk: Risk;
  status: string;
  authority_notified_at: Date | string | null;
  subjects_notified_at: Date | string | null;
  delay_reason: string;
  alert_ids: string[];
  evidence: Array<Record<string, string>>;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface BreachPatch {
  title?: string;
  nature?: string;
  dataCategories?: string[];
  subjectCategories?: string[];
  approxSubjects?: number | null;
  approxRecords?: number | null;
  consequences?: string;
  measures?: string;
  dpoContact?: string;
  risk?: Risk;
  delayReason?: string;
  alertIds?: string[];
  status?: 'assessed' | 'closed';
}

/** Where the Art. 33 clock stands at `now`. */
export function breachClock(b: Pick<BreachRow, 'aware_at' | 'authority_notified_at' | 'risk'>, now: Date) {
  const deadline = new Date(new Date(b.aware_at).getTime() + HOURS_72);
  const hoursLeft = Math.round(((deadline.getTime() - now.getTime()) / 3_600_000) * 10) / 10;
  let state: 'not_required' | 'met' | 'late' | 'open' | 'warning' | 'overdue';
  if (b.authority_notified_at) state = new Date(b.authority_notified_at) <= deadline ? 'met' : 'late';
  else if (b.risk === 'unlikely') state = 'not_required';
  else if (hoursLeft < 0) state = 'overdue';
  else if (hoursLeft <= 24) state = 'warning';
  else state = 'open';
  return { notifyBy: deadline.toISOString(), hoursLeft, state };
}

export function createBreaches(deps: {
  db: Pick<Database, 'withTenant'>;
  audit: AuditRecorder;
  clock?: () => Date;
}) {
  const { db, audit } = deps;
  const clock = deps.clock ?? (() => new Date());

  const view = (b: BreachRow) => ({
    id: b.id,
    title: b.title,
    detectedAt: iso(b.detected_at),
    awareAt: iso(b.aware_at),
    nature: b.nature,
    dataCategories: b.data_categories,
    subjectCategories: b.subject_categories,
    approxSubjects: b.approx_subjects,
    approxRecords: b.approx_records,
    consequences: b.consequences,
    measures: b.measures,
    dpoContact: b.dpo_contact,
    risk: b.risk,
    status: b.status,
    authorityNotifiedAt: iso(b.authority_notified_at),
    subjectsNotifiedAt: iso(b.subjects_notified_at),
    subjectNotificationRequired: b.risk === 'high_risk',
    delayReason: b.delay_reason,
    alertIds: b.alert_ids,
    evidence: b.evidence,
    clock: breachClock(b, clock()),
    createdAt: iso(b.created_at),
    updatedAt: iso(b.updated_at),
  });
  type BreachView = ReturnType<typeof view>;

  async function load(tx: Tx, id: string): Promise<BreachRow> {
    const [b] = await rows<BreachRow>(tx, sql`select * from breaches where id = ${id}`);
    if (!b) throw new VigilError('not_found', 'breach not found');
    return b;
  }

  async function checkAlerts(tx: Tx, ids: string[]) {
    for (const id of ids) {
      const [a] = await rows<{ id: string }>(tx, sql`select id from monitoring_alerts where id = ${id}`);
      if (!a) throw new VigilError('invalid_input', 'unknown monitoring alert');
    }
  }

  const textArray = (xs: string[]) =>
    sql`${`{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]`;
  const uuidArray = (xs: string[]) => sql`${`{${xs.join(',')}}`}::uuid[]`;

  async function create(
    ctx: TenantContext,
    input: BreachPatch & { title: string; detectedAt: string; awareAt?: string },
  ) {
    if (!ctx.actor.id) throw new VigilError('forbidden', 'a person must record a breach');
    return db.withTenant(ctx.tenant.id, async (tx) => {
      await checkAlerts(tx, input.alertIds ?? []);
      const aware = input.awareAt ?? clock().toISOString();
      if (new Date(aware) < new Date(input.detectedAt))
        throw new VigilError('invalid_input', 'awareness cannot precede detection');
      const [b] = await rows<{ id: string }>(
        tx,
        sql`insert into breaches (tenant_id, title, detected_at, aware_at, nature, data_categories, subject_categories,
              approx_subjects, approx_records, alert_ids, created_by)
            values (${ctx.tenant.id}, ${input.title}, ${input.detectedAt}::timestamptz, ${aware}::timestamptz, ${input.nature ?? ''},
              ${textArray(input.dataCategories ?? [])}, ${textArray(input.subjectCategories ?? [])},
              ${input.approxSubjects ?? null}, ${input.approxRecords ?? null}, ${uuidArray(input.alertIds ?? [])}, ${ctx.actor.id})
            returning id`,
      );
      await audit.inTx(
        tx,
        actorEvent(ctx, 'breach.create', 'breach', b!.id, { alerts: (input.alertIds ?? []).length }),
      );
      return view(await load(tx, b!.id));
    });
  }

  async function update(ctx: TenantContext, id: string, p: BreachPatch) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const b = await load(tx, id);
      if (b.status === 'closed') throw new VigilError('conflict', 'the breach is closed');
      if (p.alertIds) await checkAlerts(tx, p.alertIds);
      const sets = [
        p.title !== undefined && sql`title = ${p.title}`,
        p.nature !== undefined && sql`nature = ${p.nature}`,
        p.dataCategories !== undefined && sql`data_categories = ${textArray(p.dataCategories)}`,
        p.subjectCategories !== undefined && sql`subject_categories = ${textArray(p.subjectCategories)}`,
        p.approxSubjects !== undefined && sql`approx_subjects = ${p.approxSubjects}`,
        p.approxRecords !== undefined && sql`approx_records = ${p.approxRecords}`,
        p.consequences !== undefined && sql`consequences = ${p.consequences}`,
        p.measures !== undefined && sql`measures = ${p.measures}`,
        p.dpoContact !== undefined && sql`dpo_contact = ${p.dpoContact}`,
        p.risk !== undefined && sql`risk = ${p.risk}`,
        p.delayReason !== undefined && sql`delay_reason = ${p.delayReason}`,
        p.alertIds !== undefined && sql`alert_ids = ${uuidArray(p.alertIds)}`,
        p.status !== undefined && sql`status = ${p.status}`,
      ].filter((x): x is ReturnType<typeof sql> => !!x);
      if (sets.length)
        await tx.execute(
          sql`update breaches set ${sql.join(sets, sql`, `)}, updated_at = now() where id = ${id}`,
        );
      await audit.inTx(
        tx,
        actorEvent(ctx, 'breach.update', 'breach', id, {
          fields: Object.keys(p).sort().join(','),
          ...(p.risk ? { risk: p.risk } : {}),
          ...(p.status ? { status: p.status } : {}),
        }),
      );
      return view(await load(tx, id));
    });
  }

  async function notify(ctx: TenantContext, id: string, who: 'authority' | 'subjects', at?: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const b = await load(tx, id);
      if (b.status === 'closed') throw new VigilError('conflict', 'the breach is closed');
      const when = at ?? clock().toISOString();
      if (who === 'authority') {
        if (b.authority_notified_at) throw new VigilError('conflict', 'the authority was already notified');
        const late = new Date(when).getTime() > new Date(b.aware_at).getTime() + HOURS_72;
        // Art. 33(1): a late notification states the reasons for the delay.
        if (late && !b.delay_reason.trim())
          throw new VigilError(
            'unprocessable',
            'a notification after 72 hours needs the reasons for the delay',
          );
        await tx.execute(
          sql`update breaches set authority_notified_at = ${when}::timestamptz, status = 'notified', updated_at = now() where id = ${id}`,
        );
      } else {
        if (b.subjects_notified_at)
          throw new VigilError('conflict', 'the data subjects were already notified');
        await tx.execute(
          sql`update breaches set subjects_notified_at = ${when}::timestamptz, updated_at = now() where id = ${id}`,
        );
      }
      await audit.inTx(tx, actorEvent(ctx, `breach.notify.${who}`, 'breach', id));
      return view(await load(tx, id));
    });
  }

  async function addEvidence(
    ctx: TenantContext,
    id: string,
    e: { kind: string; ref: string; note?: string },
  ) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      await load(tx, id);
      const item = {
        kind: e.kind,
        ref: e.ref,
        note: e.note ?? '',
        at: clock().toISOString(),
        by: ctx.actor.id ?? '',
      };
      await tx.execute(
        sql`update breaches set evidence = evidence || ${JSON.stringify([item])}::jsonb, updated_at = now() where id = ${id}`,
      );
      await audit.inTx(tx, actorEvent(ctx, 'breach.evidence', 'breach', id, { kind: e.kind }));
      return view(await load(tx, id));
    });
  }

  async function list(ctx: TenantContext) {
    const items = await db.withTenant(ctx.tenant.id, async (tx) =>
      (await rows<BreachRow>(tx, sql`select * from breaches order by detected_at desc, id limit 500`)).map(
        view,
      ),
    );
    await audit.standalone(actorEvent(ctx, 'breach.list', 'tenant', ctx.tenant.id, { count: items.length }));
    return {
      items,
      warnings: items.filter((b) => b.clock.state === 'warning' || b.clock.state === 'overdue').length,
    };
  }

  async function get(ctx: TenantContext, id: string) {
    const b = await db.withTenant(ctx.tenant.id, async (tx) => view(await load(tx, id)));
    await audit.standalone(actorEvent(ctx, 'breach.read', 'breach', id));
    return b;
  }

  /** The draft notification to the supervisory authority with the Art. 33(3) content. */
  function notificationDoc(ctx: TenantContext, b: BreachView, lang: DocLocale): Doc {
    const t = BREACH_TEXT[lang];
    const na = (s: string | number | null | undefined) =>
      s === null || s === undefined || s === '' ? t.unknown : String(s);
    return {
      title: t.title,
      subtitle: t.subtitle(ctx.tenant.name),
      generatedAt: clock().toISOString(),
      lang,
      sections: [
        {
          heading: t.h.contact,
          fields: [
            [t.f.controller, ctx.tenant.name],
            [t.f.dpo, na(b.dpoContact)],
            [t.f.reference, b.id],
          ],
        },
        {
          heading: t.h.timeline,
          fields: [
            [t.f.detected, na(b.detectedAt)],
            [t.f.aware, na(b.awareAt)],
            [t.f.due, b.clock.notifyBy],
            [t.f.authority, na(b.authorityNotifiedAt)],
            [t.f.subjects, na(b.subjectsNotifiedAt)],
            ...(b.delayReason ? ([[t.f.delay, b.delayReason]] as Array<[string, string]>) : []),
          ],
        },
        {
          heading: t.h.nature,
          fields: [
            [t.f.description, na(b.nature)],
            [t.f.dataCategories, na(b.dataCategories.join(', '))],
            [t.f.subjectCategories, na(b.subjectCategories.join(', '))],
            [t.f.approxSubjects, na(b.approxSubjects)],
            [t.f.approxRecords, na(b.approxRecords)],
          ],
        },
        { heading: t.h.consequences, paragraphs: [na(b.consequences)] },
        { heading: t.h.measures, paragraphs: [na(b.measures)] },
        {
          heading: t.h.risk,
          fields: [
            [t.f.riskLevel, b.risk],
            [t.f.communication, b.subjectNotificationRequired ? t.yes : t.no],
          ],
        },
        {
          heading: t.h.evidence,
          table: {
            head: t.head,
            rows: [
              ...b.alertIds.map((a) => [t.alert, a, '', '']),
              ...b.evidence.map((e) => [e.kind ?? '', e.ref ?? '', e.note ?? '', e.at ?? '']),
            ],
          },
        },
      ],
    };
  }

  async function notificationDraft(ctx: TenantContext, id: string, lang: DocLocale = 'en') {
    const b = await db.withTenant(ctx.tenant.id, async (tx) => view(await load(tx, id)));
    await audit.standalone(actorEvent(ctx, 'breach.notification.draft', 'breach', id));
    return { breach: b, doc: notificationDoc(ctx, b, lang) };
  }

  return { create, update, notify, addEvidence, list, get, notificationDraft };
}

export type Breaches = ReturnType<typeof createBreaches>;
