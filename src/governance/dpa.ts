// Data-processing agreements (Art. 28(3) GDPR), generated from the tenant's live configuration:
// its processing activities (Art. 30 record), the sub-processors in effect for it, and the
// technical and organisational measures as the live controls report them. Each distinct text
// is a version; the client's admin or DPO accepts a version (who, when, which).
import { createHash } from 'node:crypto';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import type { Doc, DocLocale } from '../platform/documents.ts';
import { notFound } from '../platform/errors.ts';
import { CONTROL_KEYS, type LiveControls } from './controls.ts';
import { GOVERNANCE_DOC_TEXT } from './doc-text.ts';
import { govEvent, iso } from './events.ts';
import * as store from './store-reviews.ts';
import type { SubProcessors } from './subprocessors.ts';

export interface Activity {
  id: string;
  name: string;
  purposes: string[];
  dataCategories: string[];
}

interface DpaContent {
  controller: string;
  activities: Activity[];
  subProcessors: Array<{ name: string; service: string; countries: string[]; transferMechanism: string }>;
  measures: Array<{ control: string; inEffect: boolean; state: string }>;
}

export function createDpas(deps: {
  db: Pick<Database, 'withTenant'>;
  audit: AuditRecorder;
  controls: LiveControls;
  subProcessors: Pick<SubProcessors, 'effectiveFor'>;
  activities(ctx: TenantContext): Promise<Activity[]>;
}) {
  const { db, audit } = deps;

  async function generate(ctx: TenantContext): Promise<DpaContent> {
    const activities = (await deps.activities(ctx)).map((a) => ({
      id: a.id,
      name: a.name,
      purposes: a.purposes,
      dataCategories: a.dataCategories,
    }));
    const subs = await deps.subProcessors.effectiveFor(ctx);
    const states = await deps.controls.read(ctx, CONTROL_KEYS);
    return {
      controller: ctx.tenant.name,
      activities,
      subProcessors: subs.map((s) => ({
        name: s.name,
        service: s.service,
        countries: s.countries,
        transferMechanism: s.transferMechanism,
      })),
      measures: states.map((s) => ({ control: s.key, inEffect: s.ok, state: s.summary })),
    };
  }

  /** The agreement as the configuration stands; a changed text becomes the next version. */
  async function current(ctx: TenantContext) {
    const content = await generate(ctx);
    const sha = createHash('sha256').update(JSON.stringify(content)).digest('hex');
    return db.withTenant(ctx.tenant.id, async (tx) => {
      let latest = await store.latestDpa(tx);
      if (!latest || latest.content_sha256 !== sha) {
        const version = await store.insertDpaVersion(tx, ctx.tenant.id, content, sha);
        await audit.inTx(tx, govEvent(ctx, 'governance.dpa.version', 'dpa', String(version), { version }));
        latest = await store.latestDpa(tx);
      }
      const acceptances = (await store.selectAcceptances(tx)).map((a) => ({
        version: a.version,
        acceptedBy: a.accepted_by,
        acceptedAt: iso(a.accepted_at)!,
      }));
      return {
        version: latest!.version,
        sha256: sha,
        createdAt: iso(latest!.created_at)!,
        content,
        acceptances,
        acceptedCurrent: acceptances.some((a) => a.version === latest!.version),
      };
    });
  }

  async function accept(ctx: TenantContext, version: number) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      if (!(await store.dpaVersionExists(tx, version))) throw notFound('agreement version');
      const id = await store.insertAcceptance(tx, ctx.tenant.id, version, ctx.actor.id!);
      await audit.inTx(tx, govEvent(ctx, 'governance.dpa.accept', 'dpa', String(version), { version }));
      return { id, version, acceptedBy: ctx.actor.id, acceptedAt: new Date().toISOString() };
    });
  }

  return { current, accept, acceptanceOf: createAgreementAcceptance(db) };
}

export type Dpas = ReturnType<typeof createDpas>;

/**
 * For the client security report: the latest accepted version, if any. A reader of its own, so
 * the composition root hands it to compliance before governance (which needs compliance) exists.
 */
export function createAgreementAcceptance(db: Pick<Database, 'withTenant'>) {
  return async (ctx: TenantContext) =>
    db.withTenant(ctx.tenant.id, async (tx) => {
      const [a] = await store.selectAcceptances(tx);
      const latest = await store.latestDpa(tx);
      return a
        ? { version: a.version, acceptedAt: iso(a.accepted_at)!, latestVersion: latest?.version ?? null }
        : null;
    });
}

export function dpaDoc(d: Awaited<ReturnType<Dpas['current']>>, lang: DocLocale = 'en'): Doc {
  const c = d.content;
  const g = GOVERNANCE_DOC_TEXT[lang];
  const t = g.dpa;
  return {
    title: t.title,
    subtitle: t.subtitle(c.controller, d.version),
    generatedAt: d.createdAt,
    lang,
    sections: [
      {
        heading: t.h.subject,
        table: {
          head: t.activityHead,
          rows: c.activities.map((a) => [a.name, a.purposes.join('; '), a.dataCategories.join('; ')]),
        },
      },
      {
        heading: t.h.subProcessors,
        table: {
          head: t.subHead,
          rows: c.subProcessors.map((s) => [s.name, s.service, s.countries.join(', '), s.transferMechanism]),
        },
      },
      {
        heading: t.h.measures,
        table: {
          head: t.measureHead,
          rows: c.measures.map((m) => [m.control, m.inEffect ? g.yes : g.no, m.state]),
        },
      },
      {
        heading: t.h.acceptance,
        fields: d.acceptances
          .slice(0, 10)
          .map((a) => [t.version(a.version), a.acceptedAt] as [string, string]),
      },
    ],
  };
}
