// SQL of change-triggered review items (governance_reviews) and of the DPAs (dpa_versions,
// dpa_acceptances).
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export type ReviewKind = 'sub_processor' | 'role_grant' | 'pii_policy' | 'cockpit_tool';

export interface ReviewRow {
  id: string;
  kind: ReviewKind;
  ref: string | null;
  diff: Record<string, unknown>;
  state: 'open' | 'closed';
  decision: string | null;
  reason: string | null;
  decided_by: string | null;
  decided_at: string | Date | null;
  created_at: string | Date;
}

export async function insertReview(
  tx: Tx,
  r: { tenantId: string; kind: ReviewKind; ref: string | null; diff: unknown },
): Promise<string> {
  const [row] = await rows<{ id: string }>(
    tx,
    sql`insert into governance_reviews (tenant_id, kind, ref, diff)
        values (${r.tenantId}, ${r.kind}, ${r.ref}, ${JSON.stringify(r.diff)}::jsonb) returning id`,
  );
  return row!.id;
}

export const selectReviews = (tx: Tx, state?: 'open' | 'closed') =>
  rows<ReviewRow>(
    tx,
    sql`select id, kind, ref, diff, state, decision, reason, decided_by, decided_at, created_at
        from governance_reviews ${state ? sql`where state = ${state}` : sql``}
        order by created_at desc, id limit 500`,
  );

export async function closeReview(
  tx: Tx,
  id: string,
  d: { decision: string; reason: string; by: string },
): Promise<boolean> {
  const r = await rows<{ id: string }>(
    tx,
    sql`update governance_reviews set state = 'closed', decision = ${d.decision}, reason = ${d.reason},
          decided_by = ${d.by}, decided_at = now()
        where id = ${id} and state = 'open' returning id`,
  );
  return r.length > 0;
}

export const reviewExists = async (tx: Tx, id: string) =>
  (await rows(tx, sql`select 1 from governance_reviews where id = ${id}`)).length > 0;

export async function latestDpa(tx: Tx) {
  const [r] = await rows<{
    version: number;
    content: unknown;
    content_sha256: string;
    created_at: string | Date;
  }>(
    tx,
    sql`select version, content, content_sha256, created_at from dpa_versions order by version desc limit 1`,
  );
  return r;
}

export async function insertDpaVersion(
  tx: Tx,
  tenantId: string,
  content: unknown,
  sha: string,
): Promise<number> {
  const [r] = await rows<{ version: number }>(
    tx,
    sql`insert into dpa_versions (tenant_id, version, content, content_sha256)
        select ${tenantId}, coalesce(max(version), 0) + 1, ${JSON.stringify(content)}::jsonb, ${sha} from dpa_versions
        returning version`,
  );
  return r!.version;
}

export const dpaVersionExists = async (tx: Tx, version: number) =>
  (await rows(tx, sql`select 1 from dpa_versions where version = ${version}`)).length > 0;

export async function insertAcceptance(
  tx: Tx,
  tenantId: string,
  version: number,
  by: string,
): Promise<string> {
  const [r] = await rows<{ id: string }>(
    tx,
    sql`insert into dpa_acceptances (tenant_id, version, accepted_by) values (${tenantId}, ${version}, ${by}) returning id`,
  );
  return r!.id;
}

export const selectAcceptances = (tx: Tx) =>
  rows<{ version: number; accepted_by: string; accepted_at: string | Date }>(
    tx,
    sql`select version, accepted_by, accepted_at from dpa_acceptances order by accepted_at desc limit 100`,
  );
