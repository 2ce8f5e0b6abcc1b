// SQL of the sub-processor register: platform entries, per-tenant assignment, change notices.
import { sql } from 'drizzle-orm';
import { pgTextArray, rows, type Tx } from '../platform/db.ts';

export const TRANSFER_MECHANISMS = ['none', 'adequacy', 'scc', 'bcr'] as const;
export type TransferMechanism = (typeof TRANSFER_MECHANISMS)[number];

export interface SubProcessorInput {
  name: string;
  service: string;
  dataCategories: string[];
  countries: string[];
  transferMechanism: TransferMechanism;
  contractStart?: string | null;
  contractEnd?: string | null;
  lastAuditAt?: string | null;
  auditEvidenceSha256?: string | null;
  status?: 'active' | 'retired';
}

export interface SubProcessorRow {
  id: string;
  name: string;
  service: string;
  data_categories: string[];
  countries: string[];
  transfer_mechanism: TransferMechanism;
  contract_start: string | Date | null;
  contract_end: string | Date | null;
  last_audit_at: string | Date | null;
  audit_evidence_sha256: string | null;
  status: string;
  version: number;
  updated_at: string | Date;
}

export interface NoticeRow {
  id: string;
  tenant_id: string;
  sub_processor_id: string;
  version: number;
  kind: 'added' | 'changed';
  summary: Record<string, unknown>;
  objection_deadline: string | Date;
  decision: 'pending' | 'accepted' | 'objected' | 'lapsed';
  decided_by: string | null;
  decided_at: string | Date | null;
  reason: string | null;
  mailed: number;
  created_at: string | Date;
}

const COLS = sql`id, name, service, data_categories, countries, transfer_mechanism, contract_start::text,
  contract_end::text, last_audit_at::text, audit_evidence_sha256, status, version, updated_at`;

export async function insertSubProcessor(tx: Tx, i: SubProcessorInput): Promise<SubProcessorRow> {
  const [r] = await rows<SubProcessorRow>(
    tx,
    sql`insert into sub_processors (name, service, data_categories, countries, transfer_mechanism,
          contract_start, contract_end, last_audit_at, audit_evidence_sha256, status)
        values (${i.name}, ${i.service}, ${pgTextArray(i.dataCategories)}::text[], ${pgTextArray(i.countries)}::text[],
          ${i.transferMechanism}, ${i.contractStart ?? null}::date, ${i.contractEnd ?? null}::date,
          ${i.lastAuditAt ?? null}::date, ${i.auditEvidenceSha256 ?? null}, ${i.status ?? 'active'})
        returning ${COLS}`,
  );
  return r!;
}

export async function updateSubProcessorRow(
  tx: Tx,
  id: string,
  i: SubProcessorInput,
): Promise<SubProcessorRow | undefined> {
  const [r] = await rows<SubProcessorRow>(
    tx,
    sql`update sub_processors set name = ${i.name}, service = ${i.service},
          data_categories = ${pgTextArray(i.dataCategories)}::text[], countries = ${pgTextArray(i.countries)}::text[],
          transfer_mechanism = ${i.transferMechanism}, contract_start = ${i.contractStart ?? null}::date,
          contract_end = ${i.contractEnd ?? null}::date, last_audit_at = ${i.lastAuditAt ?? null}::date,
          audit_evidence_sha256 = ${i.auditEvidenceSha256 ?? null}, status = ${i.status ?? 'active'},
          version = version + 1, updated_at = now()
        where id = ${id} returning ${COLS}`,
  );
  return r;
}

export const selectSubProcessors = (tx: Tx, ids?: string[]) =>
  rows<SubProcessorRow>(
    tx,
    sql`select ${COLS} from sub_processors
        ${ids ? sql`where id = any(${pgTextArray(ids)}::uuid[])` : sql``} order by name, id`,
  );

/** Tenants the sub-processor is assigned to (any state): those a change must notify. */
export const selectAssignedTenants = (tx: Tx, subProcessorId: string) =>
  rows<{ tenant_id: string }>(
    tx,
    sql`select tenant_id from tenant_sub_processors where sub_processor_id = ${subProcessorId} order by tenant_id`,
  );

export async function upsertAssignment(tx: Tx, tenantId: string, subProcessorId: string): Promise<void> {
  await tx.execute(sql`insert into tenant_sub_processors (tenant_id, sub_processor_id, state)
    values (${tenantId}, ${subProcessorId}, 'pending')
    on conflict (tenant_id, sub_processor_id) do update set state = 'pending', updated_at = now()`);
}

export async function setAssignment(
  tx: Tx,
  tenantId: string,
  subProcessorId: string,
  state: 'active' | 'blocked',
  acceptedVersion: number | null,
): Promise<void> {
  await tx.execute(sql`update tenant_sub_processors set state = ${state}, updated_at = now(),
      accepted_version = coalesce(${acceptedVersion}::int, accepted_version)
    where tenant_id = ${tenantId} and sub_processor_id = ${subProcessorId}`);
}

export const selectAssignments = (tx: Tx, tenantId: string) =>
  rows<{ sub_processor_id: string; state: string; accepted_version: number | null }>(
    tx,
    sql`select sub_processor_id, state, accepted_version from tenant_sub_processors
        where tenant_id = ${tenantId} order by sub_processor_id`,
  );

export async function insertNotice(
  tx: Tx,
  n: {
    tenantId: string;
    subProcessorId: string;
    version: number;
    kind: 'added' | 'changed';
    summary: unknown;
    windowDays: number;
  },
): Promise<NoticeRow> {
  // A newer notice for the same sub-processor supersedes an undecided older one.
  await tx.execute(sql`update sub_processor_notices set decision = 'lapsed', decided_at = now()
    where sub_processor_id = ${n.subProcessorId} and decision = 'pending'`);
  const [r] = await rows<NoticeRow>(
    tx,
    sql`insert into sub_processor_notices (tenant_id, sub_processor_id, version, kind, summary, objection_deadline)
        values (${n.tenantId}, ${n.subProcessorId}, ${n.version}, ${n.kind}, ${JSON.stringify(n.summary)}::jsonb,
          now() + make_interval(days => ${n.windowDays}))
        returning *`,
  );
  return r!;
}

export const selectNotices = (tx: Tx) =>
  rows<NoticeRow & { open: boolean }>(
    tx,
    sql`select *, (decision = 'pending' and objection_deadline > now()) as open
        from sub_processor_notices order by created_at desc, id limit 200`,
  );

export async function selectNoticeForUpdate(tx: Tx, id: string) {
  const [r] = await rows<NoticeRow & { open: boolean }>(
    tx,
    sql`select *, (decision = 'pending' and objection_deadline > now()) as open
        from sub_processor_notices where id = ${id} for update`,
  );
  return r;
}

export async function decideNotice(
  tx: Tx,
  id: string,
  d: { decision: 'accepted' | 'objected' | 'lapsed'; by: string | null; reason: string | null },
): Promise<void> {
  await tx.execute(sql`update sub_processor_notices set decision = ${d.decision}, decided_by = ${d.by},
    decided_at = now(), reason = ${d.reason} where id = ${id}`);
}

/** Pending notices whose window closed without an objection (this tenant, RLS). */
export const selectLapsed = (tx: Tx) =>
  rows<{ id: string; sub_processor_id: string; version: number }>(
    tx,
    sql`select id, sub_processor_id, version from sub_processor_notices
        where decision = 'pending' and objection_deadline <= now() for update`,
  );

export async function markMailed(tx: Tx, id: string, n: number): Promise<void> {
  await tx.execute(sql`update sub_processor_notices set mailed = ${n} where id = ${id}`);
}
