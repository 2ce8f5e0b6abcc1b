// The client security report: the controls in force for one tenant with live evidence, mapped to
// ISO/IEC 27001:2022 Annex A and the SOC 2 trust services criteria. Figures are counts, ratios,
// ages and verification results; no personal data.
import { sql } from 'drizzle-orm';
import { verifyAuditLog } from '../audit/verify.ts';
import { awarenessSection } from '../awareness/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import type { Doc, DocLocale } from '../platform/documents.ts';
import { actorEvent, iso } from './events.ts';
import { SECURITY_REPORT_TEXT, type SecurityReportText } from './security-report-text.ts';
import { trainingSection } from './training-evidence.ts';

const one = async <T>(tx: Tx, q: ReturnType<typeof sql>): Promise<T> => (await rows<T>(tx, q))[0]!;
const pct = (a: number, b: number) => (b === 0 ? 100 : Math.round((a / b) * 1000) / 10);
const days = (d: Date | string | null, now: Date) =>
  d ? Math.floor((now.getTime() - new Date(d).getTime()) / 86_400_000) : null;

export type AgreementSource = (
  ctx: TenantContext,
) => Promise<{ version: number; acceptedAt: string; latestVersion: number | null } | null>;

export function createSecurityReport(deps: {
  db: Database;
  audit: AuditRecorder;
  clock?: () => Date;
  /** The accepted data-processing agreement (src/governance), given by the composition root. */
  agreementOf?: AgreementSource | undefined;
}) {
  const { db, audit } = deps;
  const clock = deps.clock ?? (() => new Date());
  const agreementOf: AgreementSource = deps.agreementOf ?? (async () => null);

  async function collect(ctx: TenantContext) {
    const now = clock();
    const since = new Date(now.getTime() - 30 * 86_400_000).toISOString();
    const verify = await verifyAuditLog(db, { tenantId: ctx.tenant.id });
    const chain = verify.chains[0];
    const data = await db.withTenant(ctx.tenant.id, async (tx) => {
      const mfa = await one<{ members: number; enrolled: number }>(
        tx,
        sql`select count(distinct u.id)::int as members, count(distinct u.id) filter (where u.mfa_enrolled_at is not null)::int as enrolled
            from memberships m join users u on u.id = m.user_id where m.tenant_id = ${ctx.tenant.id} and u.status = 'active'`,
      );
      const roles = await rows<{ role: string; n: number }>(
        tx,
        sql`select role, count(*)::int as n from memberships where tenant_id = ${ctx.tenant.id} group by role order by role`,
      );
      const dek = await one<{
        version: number | null;
        created_at: Date | null;
        retired: number;
        destroyed: number;
      }>(
        tx,
        sql`select max(version) filter (where state = 'active') as version, max(created_at) filter (where state = 'active') as created_at,
              count(*) filter (where state = 'retired')::int as retired, count(*) filter (where state = 'destroyed')::int as destroyed
            from tenant_keys`,
      );
      const idx = await one<{ created_at: Date | null }>(
        tx,
        sql`select max(created_at) as created_at from tenant_index_keys`,
      );
      const subjects = await one<{ live: number; shredded: number }>(
        tx,
        sql`select count(*) filter (where destroyed_at is null)::int as live, count(*) filter (where destroyed_at is not null)::int as shredded from subject_keys`,
      );
      const customers = await one<{ total: number; encrypted: number; erased: number }>(
        tx,
        sql`select count(*)::int as total,
              count(*) filter (where erased_at is null and (name_enc is not null or emails_enc is not null or phones_enc is not null))::int as encrypted,
              count(*) filter (where erased_at is not null)::int as erased from customers`,
      );
      const messages = await one<{ n: number }>(tx, sql`select count(*)::int as n from messages`);
      const checkpoint = await one<{ tree_size: number | null; time: Date | null }>(
        tx,
        sql`select tree_size, time from audit_checkpoints where tenant_id = ${ctx.tenant.id} order by tree_size desc, id desc limit 1`,
      );
      const access = await rows<{ action: string; n: number }>(
        tx,
        sql`select action, count(*)::int as n from audit_events where tenant_id = ${ctx.tenant.id} and time >= ${since}::timestamptz
              and (action like 'conversation.%' or action like 'customer.%' or action like 'authz.%' or action like 'auth.%')
            group by action order by n desc limit 12`,
      );
      const actors = await one<{ n: number }>(
        tx,
        sql`select count(distinct actor_id)::int as n from audit_events where tenant_id = ${ctx.tenant.id} and time >= ${since}::timestamptz and actor_type = 'user'`,
      );
      const alerts = await rows<{ severity: string; n: number }>(
        tx,
        sql`select severity, count(*)::int as n from monitoring_alerts where state in ('open', 'acknowledged') group by severity order by severity`,
      );
      const breaches = await one<{ open: number; notified: number; total: number }>(
        tx,
        sql`select count(*) filter (where status in ('open', 'assessed'))::int as open, count(*) filter (where authority_notified_at is not null)::int as notified,
              count(*)::int as total from breaches`,
      );
      const review = await one<{ closed_at: Date; items: number; revoked: number } | undefined>(
        tx,
        sql`select c.closed_at, (select count(*)::int from access_review_items i where i.campaign_id = c.id) as items,
              (select count(*)::int from access_review_items i where i.campaign_id = c.id and i.decision = 'revoke') as revoked
            from access_review_campaigns c where c.state = 'closed' order by c.closed_at desc limit 1`,
      );
      const retention = await rows<{ completed_at: Date; counts: Record<string, number> }>(
        tx,
        sql`select completed_at, counts from retention_runs where state = 'completed' order by completed_at desc limit 1`,
      );
      const policies = await one<{ n: number }>(
        tx,
        sql`select count(*)::int as n from retention_policies where enabled`,
      );
      const training = await trainingSection(tx, ctx.tenant.id, now);
      const phishing = await awarenessSection(tx);
      return {
        mfa,
        roles,
        dek,
        idx,
        subjects,
        customers,
        messages,
        checkpoint,
        access,
        actors,
        alerts,
        breaches,
        review,
        retention,
        policies,
        training,
        phishing,
      };
    });
    const d = data;
    const processingAgreement = await agreementOf(ctx);
    return {
      tenant: { id: ctx.tenant.id, name: ctx.tenant.name, slug: ctx.tenant.slug },
      processingAgreement,
      generatedAt: now.toISOString(),
      authentication: {
        activeMembers: d.mfa.members,
        mfaEnrolled: d.mfa.enrolled,
        mfaCoveragePercent: pct(d.mfa.enrolled, d.mfa.members),
        roles: Object.fromEntries(d.roles.map((r) => [r.role, r.n])),
      },
      encryption: {
        algorithm: 'AES-256-GCM envelope encryption; KEK -> tenant DEK -> subject key',
        tenantKeyVersion: d.dek.version,
        tenantKeyAgeDays: days(d.dek.created_at, now),
        retiredKeyVersions: d.dek.retired,
        indexKeyAgeDays: days(d.idx.created_at, now),
        subjectKeysLive: d.subjects.live,
        subjectKeysShredded: d.subjects.shredded,
        customers: d.customers.total,
        customersWithEncryptedProfile: d.customers.encrypted,
        customersErased: d.customers.erased,
        messagesEncryptedPercent: 100,
        messages: d.messages.n,
      },
      audit: {
        chainVerified: verify.ok,
        events: chain?.events ?? 0,
        checkpointsChecked: chain?.checkpointsChecked ?? 0,
        problem: chain?.ok === false ? (chain.kind ?? 'unknown') : null,
        latestCheckpoint: d.checkpoint
          ? { treeSize: Number(d.checkpoint.tree_size), time: iso(d.checkpoint.time) }
          : null,
      },
      access: {
        windowDays: 30,
        distinctStaff: d.actors.n,
        byAction: Object.fromEntries(d.access.map((a) => [a.action, a.n])),
      },
      accessReview: d.review
        ? {
            lastClosedAt: iso(d.review.closed_at),
            items: d.review.items ?? 0,
            revoked: d.review.revoked ?? 0,
          }
        : null,
      incidents: {
        openAlerts: Object.fromEntries(d.alerts.map((a) => [a.severity, a.n])),
        breachesTotal: d.breaches.total,
        breachesOpen: d.breaches.open,
        breachesNotified: d.breaches.notified,
      },
      retention: {
        policiesEnabled: d.policies.n,
        lastRun: d.retention[0]
          ? { completedAt: iso(d.retention[0].completed_at), deleted: d.retention[0].counts }
          : null,
      },
      training: d.training,
      phishing: d.phishing,
    };
  }
  type Report = Awaited<ReturnType<typeof collect>>;

  async function build(ctx: TenantContext) {
    const report = await collect(ctx);
    await audit.standalone(
      actorEvent(ctx, 'security_report.generate', 'tenant', ctx.tenant.id, {
        chainVerified: report.audit.chainVerified,
      }),
    );
    return report;
  }

  function toDoc(r: Report, lang: DocLocale = 'en'): Doc {
    const t = SECURITY_REPORT_TEXT[lang];
    const kv = (o: Record<string, unknown>) =>
      Object.entries(o).map(
        ([k, v]) =>
          [t.keys[k] ?? k, v === null ? t.none : typeof v === 'object' ? JSON.stringify(v) : String(v)] as [
            string,
            string,
          ],
      );
    const { authentication: au, encryption: en, audit: a, incidents: inc, retention: ret } = r;
    const controls: string[][] = [
      [t.c.mfa, 'A.5.17, A.8.5', 'CC6.1', t.ev.mfa(au.mfaCoveragePercent, au.activeMembers)],
      [t.c.roles, 'A.5.15, A.8.3', 'CC6.1, CC6.3', t.ev.roles(JSON.stringify(au.roles))],
      [
        t.c.review,
        'A.5.18',
        'CC6.2, CC6.3',
        r.accessReview
          ? t.ev.reviewClosed(r.accessReview.lastClosedAt, r.accessReview.revoked)
          : t.ev.noReview,
      ],
      [
        t.c.encryption,
        'A.8.24',
        'CC6.1, C1.1',
        t.ev.key(en.tenantKeyVersion ?? '-', en.tenantKeyAgeDays ?? '-'),
      ],
      [t.c.logging, 'A.8.15, A.8.17', 'CC7.2', t.ev.chain(a.chainVerified, a.events)],
      [t.c.monitoring, 'A.8.16', 'CC7.2, CC7.3', t.ev.alerts(JSON.stringify(inc.openAlerts))],
      [
        t.c.incidents,
        'A.5.24, A.5.25, A.5.26',
        'CC7.4, CC7.5',
        t.ev.breaches(inc.breachesTotal, inc.breachesOpen),
      ],
      [
        t.c.retention,
        'A.8.10, A.5.33',
        'C1.2, P4.2',
        ret.lastRun ? t.ev.lastRun(ret.lastRun.completedAt) : t.ev.noRun(ret.policiesEnabled),
      ],
      [t.c.privacy, 'A.5.34', 'P1-P8', t.ev.shredded(en.subjectKeysShredded)],
    ];
    return {
      title: t.title,
      subtitle: t.client(r.tenant.name),
      generatedAt: r.generatedAt,
      lang,
      sections: [
        { heading: t.h.controls, table: { head: t.head, rows: controls } },
        { heading: t.h.authentication, fields: kv(au) },
        { heading: t.h.encryption, fields: kv(en) },
        {
          heading: t.h.audit,
          fields: [
            [t.f.chainVerification, a.chainVerified ? t.f.verified : t.f.failed(a.problem ?? null)],
            [t.f.events, String(a.events)],
            [
              t.f.checkpoint,
              a.latestCheckpoint
                ? t.f.checkpointValue(a.latestCheckpoint.treeSize, a.latestCheckpoint.time)
                : t.f.noneYet,
            ],
          ],
        },
        {
          heading: t.h.access,
          fields: [[t.f.distinctStaff, String(r.access.distinctStaff)], ...kv(r.access.byAction)],
        },
        {
          heading: t.h.reviews,
          fields: r.accessReview ? kv(r.accessReview) : [[t.f.lastReview, t.f.noneClosed]],
        },
        { heading: t.h.incidents, fields: kv(inc) },
        { heading: t.h.retention, fields: kv(ret) },
        { heading: t.h.agreement, fields: agreementFields(r, t) },
        { heading: t.h.training, fields: trainingFields(r, t) },
        { heading: t.h.phishing, fields: phishingFields(r, t) },
      ],
    };
  }

  return { build, toDoc };
}

type Report = Awaited<ReturnType<SecurityReport['build']>>;
type T = SecurityReportText;

function agreementFields(r: Report, t: T): Array<[string, string]> {
  const p = r.processingAgreement;
  return p
    ? [
        [t.f.acceptedVersion, String(p.version)],
        [t.f.acceptedAt, p.acceptedAt],
        [t.f.currentVersion, String(p.latestVersion ?? t.none)],
      ]
    : [[t.f.acceptedVersion, t.f.noneAccepted]];
}

function trainingFields(r: Report, t: T): Array<[string, string]> {
  return [
    [t.f.evidence, t.f.evidenceValue],
    [t.f.activeTrainings, String(r.training.activeTrainings)],
    [t.f.expired, String(r.training.expired)],
    [t.f.overdue, String(r.training.overdue)],
    ...Object.entries(r.training.byRole).map(([role, x]): [string, string] => [
      t.f.coverage(role),
      t.f.coverageValue(x.compliant, x.members, x.coveragePercent, x.expired, x.overdue),
    ]),
  ];
}

function phishingFields(r: Report, t: T): Array<[string, string]> {
  const { reportsLastYear: y, refreshers: f } = r.phishing;
  return [
    [t.f.reported, t.f.reportedValue(y.simulation, y.suspicious)],
    [t.f.refreshers, t.f.refreshersValue(f.completed, f.assigned, f.overdue)],
    ...r.phishing.campaigns.map((c): [string, string] => [
      `${c.name} (${c.launchedAt ?? t.f.notLaunched})`,
      c.suppressed
        ? t.f.suppressed(c.minGroup)
        : t.f.campaign(c.sent, c.clickRate ?? 0, c.submitRate ?? 0, c.reportRate ?? 0),
    ]),
  ];
}

export type SecurityReport = ReturnType<typeof createSecurityReport>;
