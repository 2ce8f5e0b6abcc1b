// Records of processing activities (Art. 30(1)), per tenant: generated from configuration
// (channels, retention policies, key management, PII policy) until the DPO edits it; the stored
// record keeps its edits while retention periods always come from the live policies.
import { sql } from 'drizzle-orm';
import Type, { type Static } from 'typebox';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import type { Doc, DocLocale } from '../platform/documents.ts';
import { actorEvent, iso } from './events.ts';
import type { CATEGORIES } from './retention.ts';
import { ROPA_TEXT } from './ropa-text.ts';

const Str = Type.String({ minLength: 1, maxLength: 500 });
const List = Type.Array(Str, { maxItems: 40 });
export const Activity = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9-]{1,40}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    purposes: List,
    legalBasis: Str,
    dataCategories: List,
    subjectCategories: List,
    recipients: List,
    transfers: List,
    retentionCategory: Type.Optional(
      Type.Union([
        Type.Literal('chat'),
        Type.Literal('email'),
        Type.Literal('transcripts'),
        Type.Literal('recordings'),
        Type.Literal('customer_profiles'),
        Type.Literal('audit_events'),
      ]),
    ),
    retentionNote: Type.Optional(Str),
    securityMeasures: List,
  },
  { additionalProperties: false },
);
export const RopaDocument = Type.Object(
  {
    controller: Type.Object(
      { name: Str, contact: Type.String({ maxLength: 500 }), dpoContact: Type.String({ maxLength: 500 }) },
      { additionalProperties: false },
    ),
    processor: Type.Object({ name: Str, role: Str }, { additionalProperties: false }),
    activities: Type.Array(Activity, { minItems: 1, maxItems: 50 }),
    generalSecurityMeasures: List,
  },
  { additionalProperties: false },
);
export type RopaDocument = Static<typeof RopaDocument>;

const CUSTOMER_SUBJECTS = ['end customers of the client company', 'prospective customers'];
const STAFF_MEASURES = ['role-based access with least privilege', 'mandatory multi-factor authentication'];

async function generated(tx: Tx, tenant: TenantContext['tenant']): Promise<RopaDocument> {
  const [t] = await rows<{ default_region: string }>(
    tx,
    sql`select default_region from tenants where id = ${tenant.id}`,
  );
  const [pii] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from tenant_pii_policies`);
  const region = t?.default_region ?? 'DE';
  const common = [
    'encryption at rest (AES-256-GCM envelope encryption, one key per data subject, crypto-shredding on erasure)',
    'tenant isolation in the application and by database row-level security',
    'tamper-evident audit log of every access (hash chain, Merkle tree, signed checkpoints)',
    pii?.n
      ? 'PII/PCI redaction of message text by the tenant policy'
      : 'PII/PCI redaction of message text (default policy)',
    ...STAFF_MEASURES,
  ];
  const contact = (
    name: string,
    channel: string,
    category: (typeof CATEGORIES)[number],
    extra: string[] = [],
  ) => ({
    id: channel,
    name,
    purposes: ['answering customer enquiries on behalf of the client company', 'quality assurance'],
    legalBasis: 'Art. 6(1)(b) GDPR (contract) and Art. 6(1)(f) (legitimate interest in customer service)',
    dataCategories: [
      'contact data',
      'message content (redacted of card data)',
      'order and contract references',
      ...extra,
    ],
    subjectCategories: CUSTOMER_SUBJECTS,
    recipients: [
      'client company (controller)',
      'contact-center agents and supervisors of the service provider',
    ],
    transfers: [`none outside the hosting region (${region})`],
    retentionCategory: category,
    securityMeasures: common,
  });
  return {
    controller: { name: tenant.name, contact: '', dpoContact: '' },
    processor: {
      name: 'the contact-center service provider operating Vigil',
      role: 'processor (Art. 28 GDPR)',
    },
    activities: [
      contact('Customer service by chat', 'chat', 'chat'),
      contact('Customer service by e-mail', 'email', 'email', ['e-mail attachments']),
      contact('Customer service by telephone', 'voice', 'transcripts', ['phone numbers', 'call transcripts']),
      {
        id: 'recording',
        name: 'Call recording',
        purposes: ['quality assurance and evidence of agreements'],
        legalBasis: 'Art. 6(1)(a) GDPR (consent of the caller, recorded per call)',
        dataCategories: ['voice recordings'],
        subjectCategories: CUSTOMER_SUBJECTS,
        recipients: ['client company (controller)'],
        transfers: [`none outside the hosting region (${region})`],
        retentionCategory: 'recordings',
        securityMeasures: [...common, 'recording only with granted consent; withdrawal drops the recording'],
      },
      {
        id: 'profiles',
        name: 'Customer profiles',
        purposes: ['identifying customers across channels', 'caller verification'],
        legalBasis: 'Art. 6(1)(b) GDPR (contract)',
        dataCategories: [
          'name',
          'e-mail addresses',
          'phone numbers',
          'postal address',
          'date of birth',
          'customer number',
          'consents',
        ],
        subjectCategories: CUSTOMER_SUBJECTS,
        recipients: [
          'client company (controller)',
          'contact-center agents (masked fields until verification)',
        ],
        transfers: [`none outside the hosting region (${region})`],
        retentionCategory: 'customer_profiles',
        securityMeasures: [...common, 'lookups by keyed blind index only'],
      },
      {
        id: 'audit',
        name: 'Access logging and insider-threat monitoring',
        purposes: ['accountability (Art. 5(2))', 'security of processing (Art. 32)', 'detecting misuse'],
        legalBasis: 'Art. 6(1)(c) and (f) GDPR',
        dataCategories: [
          'staff user ids',
          'access times',
          'IP addresses',
          'accessed record ids (no content)',
        ],
        subjectCategories: ['staff of the service provider and the client company'],
        recipients: ['security officer', 'data protection officer', 'SIEM of the service provider'],
        transfers: [`none outside the hosting region (${region})`],
        retentionCategory: 'audit_events',
        securityMeasures: ['append-only storage', 'signed checkpoints', 'retention by signed anchors'],
      },
    ],
    generalSecurityMeasures: common,
  };
}

export function createRopa(deps: {
  db: Pick<Database, 'withTenant'>;
  audit: AuditRecorder;
  clock?: () => Date;
}) {
  const { db, audit } = deps;
  const clock = deps.clock ?? (() => new Date());

  async function get(ctx: TenantContext) {
    const out = await db.withTenant(ctx.tenant.id, async (tx) => {
      const [stored] = await rows<{
        document: RopaDocument;
        version: number;
        updated_at: Date | string;
        updated_by: string | null;
      }>(tx, sql`select document, version, updated_at, updated_by from processing_records`);
      const policies = await rows<{ category: string; days: number; enabled: boolean }>(
        tx,
        sql`select category, days, enabled from retention_policies`,
      );
      const document = stored?.document ?? (await generated(tx, ctx.tenant));
      const retention = Object.fromEntries(
        policies
          .filter((p) => p.enabled)
          .map((p) => [p.category, `deleted ${p.days} days after the last activity (automatic)`]),
      );
      return {
        tenant: { id: ctx.tenant.id, slug: ctx.tenant.slug, name: ctx.tenant.name },
        source: stored ? 'edited' : 'generated',
        version: stored?.version ?? 0,
        updatedAt: iso(stored?.updated_at ?? null),
        generatedAt: clock().toISOString(),
        document,
        retention: Object.fromEntries(
          document.activities.map((a) => [
            a.id,
            [
              a.retentionCategory
                ? (retention[a.retentionCategory] ?? 'no automatic deletion configured')
                : null,
              a.retentionNote ?? null,
            ]
              .filter(Boolean)
              .join('; ') || 'not specified',
          ]),
        ),
      };
    });
    await audit.standalone(
      actorEvent(ctx, 'ropa.read', 'processing_record', ctx.tenant.id, { version: out.version }),
    );
    return out;
  }

  async function put(ctx: TenantContext, document: RopaDocument) {
    await db.withTenant(ctx.tenant.id, async (tx) => {
      const [r] = await rows<{ version: number }>(
        tx,
        sql`insert into processing_records (tenant_id, document, updated_by) values (${ctx.tenant.id}, ${JSON.stringify(document)}::jsonb, ${ctx.actor.id})
            on conflict (tenant_id) do update set document = excluded.document, version = processing_records.version + 1,
              updated_by = excluded.updated_by, updated_at = now() returning version`,
      );
      await audit.inTx(
        tx,
        actorEvent(ctx, 'ropa.update', 'processing_record', ctx.tenant.id, {
          version: r!.version,
          activities: document.activities.length,
        }),
      );
    });
    return get(ctx);
  }

  function toDoc(r: Awaited<ReturnType<typeof get>>, lang: DocLocale = 'en'): Doc {
    const t = ROPA_TEXT[lang];
    const d = r.document;
    const j = (xs: string[]) => (xs.length ? xs.join('; ') : t.none);
    return {
      title: t.title,
      subtitle: t.subtitle(d.controller.name, r.version, r.source),
      generatedAt: r.generatedAt,
      lang,
      sections: [
        {
          heading: t.h.parties,
          fields: [
            [t.f.controller, d.controller.name],
            [t.f.contact, d.controller.contact || t.notSpecified],
            [t.f.dpo, d.controller.dpoContact || t.notSpecified],
            [t.f.processor, `${d.processor.name} - ${d.processor.role}`],
          ],
        },
        ...d.activities.map((a) => ({
          heading: t.activity(a.name),
          fields: [
            [t.f.purposes, j(a.purposes)],
            [t.f.legalBasis, a.legalBasis],
            [t.f.dataCategories, j(a.dataCategories)],
            [t.f.subjectCategories, j(a.subjectCategories)],
            [t.f.recipients, j(a.recipients)],
            [t.f.transfers, j(a.transfers)],
            [t.f.erasure, r.retention[a.id] ?? t.notSpecified],
            [t.f.measures, j(a.securityMeasures)],
          ] as Array<[string, string]>,
        })),
        { heading: t.h.security, paragraphs: d.generalSecurityMeasures },
      ],
    };
  }

  return { get, put, toDoc };
}

export type Ropa = ReturnType<typeof createRopa>;
