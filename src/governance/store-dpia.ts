// SQL of the DPIAs (dpias, dpia_versions) and the catalogue read behind the RLS control.
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export interface DpiaRow {
  id: string;
  activity_id: string;
  current_version: number;
  review_due_at: string | Date | null;
  review_reason: string | null;
  created_at: string | Date;
  content: Record<string, unknown>;
  control_snapshot: Record<string, string>;
  dpo_opinion: string | null;
  signed_by: string | null;
  signed_at: string | Date | null;
  created_by: string;
  version_created_at: string | Date;
}

const CURRENT = sql`select d.id, d.activity_id, d.current_version, d.review_due_at, d.review_reason, d.created_at,
    v.content, v.control_snapshot, v.dpo_opinion, v.signed_by, v.signed_at, v.created_by,
    v.created_at as version_created_at
  from dpias d join dpia_versions v on v.dpia_id = d.id and v.version = d.current_version`;

export const selectDpias = (tx: Tx) => rows<DpiaRow>(tx, sql`${CURRENT} order by d.activity_id limit 200`);

export async function selectDpia(tx: Tx, id: string, lock = false): Promise<DpiaRow | undefined> {
  const [r] = await rows<DpiaRow>(
    tx,
    sql`${CURRENT} where d.id = ${id} ${lock ? sql`for update of d` : sql``}`,
  );
  return r;
}

export const selectVersions = (tx: Tx, id: string) =>
  rows<{
    version: number;
    signed_by: string | null;
    signed_at: string | Date | null;
    created_at: string | Date;
  }>(
    tx,
    sql`select version, signed_by, signed_at, created_at from dpia_versions where dpia_id = ${id} order by version`,
  );

export async function insertDpia(
  tx: Tx,
  d: { tenantId: string; activityId: string; content: unknown; snapshot: unknown; by: string },
): Promise<string | null> {
  const [r] = await rows<{ id: string }>(
    tx,
    sql`insert into dpias (tenant_id, activity_id) values (${d.tenantId}, ${d.activityId})
        on conflict (tenant_id, activity_id) do nothing returning id`,
  );
  if (!r) return null;
  await insertVersion(tx, { ...d, dpiaId: r.id, version: 1 });
  return r.id;
}

export async function insertVersion(
  tx: Tx,
  d: { tenantId: string; dpiaId: string; version: number; content: unknown; snapshot: unknown; by: string },
): Promise<void> {
  await tx.execute(sql`insert into dpia_versions (tenant_id, dpia_id, version, content, control_snapshot, created_by)
    values (${d.tenantId}, ${d.dpiaId}, ${d.version}, ${JSON.stringify(d.content)}::jsonb,
      ${JSON.stringify(d.snapshot)}::jsonb, ${d.by})`);
  await tx.execute(sql`update dpias set current_version = ${d.version} where id = ${d.dpiaId}`);
}

export async function signVersion(
  tx: Tx,
  d: { dpiaId: string; version: number; opinion: string; by: string; snapshot: unknown },
): Promise<void> {
  await tx.execute(sql`update dpia_versions set dpo_opinion = ${d.opinion}, signed_by = ${d.by}, signed_at = now(),
      control_snapshot = ${JSON.stringify(d.snapshot)}::jsonb
    where dpia_id = ${d.dpiaId} and version = ${d.version}`);
  await tx.execute(sql`update dpias set review_due_at = now() + interval '12 months', review_reason = null
    where id = ${d.dpiaId}`);
}

export async function markReviewDue(tx: Tx, id: string, reason: string): Promise<void> {
  await tx.execute(sql`update dpias set review_due_at = least(coalesce(review_due_at, now()), now()),
    review_reason = ${reason} where id = ${id}`);
}

/** Tables of the public schema with row-level security enabled and forced (catalogue, no owner). */
export async function selectForcedRlsTables(tx: Tx): Promise<string[]> {
  const r = await rows<{ relname: string }>(
    tx,
    sql`select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' and c.relrowsecurity and c.relforcerowsecurity
        order by c.relname`,
  );
  return r.map((x) => x.relname);
}
