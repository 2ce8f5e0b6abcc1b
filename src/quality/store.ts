// SQL for the quality tables (owner of quality_settings, quality_scorecards, quality_calibrations,
// quality_reviews). Every call runs inside a tenant transaction; RLS bounds it to the tenant.
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';
import type { Criterion, Scores } from './scoring.ts';

export interface ScorecardRow {
  id: string;
  name: string;
  criteria: Criterion[];
  created_at: Date;
}

export interface ReviewRow {
  id: string;
  scorecard_id: string;
  conversation_id: string;
  calibration_id: string | null;
  agent_id: string | null;
  queue_id: string | null;
  reviewer_id: string;
  status: 'assigned' | 'scored' | 'disputed' | 'resolved';
  scores: Scores | null;
  total: string | null;
  auto_failed: boolean;
  comment: string | null;
  dispute_reason: string | null;
  resolution: string | null;
  created_at: Date;
  scored_at: Date | null;
}

export async function blindReview(tx: Tx): Promise<boolean> {
  const [r] = await rows<{ blind_review: boolean }>(tx, sql`select blind_review from quality_settings`);
  return r?.blind_review ?? false;
}

export async function setBlindReview(tx: Tx, tenantId: string, blind: boolean): Promise<void> {
  await tx.execute(sql`insert into quality_settings (tenant_id, blind_review) values (${tenantId}, ${blind})
    on conflict (tenant_id) do update set blind_review = excluded.blind_review, updated_at = now()`);
}

export async function insertScorecard(
  tx: Tx,
  s: { tenantId: string; name: string; criteria: Criterion[]; createdBy: string },
): Promise<ScorecardRow> {
  const [r] = await rows<ScorecardRow>(
    tx,
    sql`insert into quality_scorecards (tenant_id, name, criteria, created_by)
        values (${s.tenantId}, ${s.name}, ${JSON.stringify(s.criteria)}::jsonb, ${s.createdBy})
        returning id, name, criteria, created_at`,
  );
  return r!;
}

export const listScorecards = (tx: Tx) =>
  rows<ScorecardRow>(
    tx,
    sql`select id, name, criteria, created_at from quality_scorecards order by created_at`,
  );

export async function scorecard(tx: Tx, id: string): Promise<ScorecardRow | undefined> {
  const [r] = await rows<ScorecardRow>(
    tx,
    sql`select id, name, criteria, created_at from quality_scorecards where id = ${id}`,
  );
  return r;
}

export async function reviewedConversations(tx: Tx, scorecardId: string): Promise<Set<string>> {
  const r = await rows<{ conversation_id: string }>(
    tx,
    sql`select distinct conversation_id from quality_reviews where scorecard_id = ${scorecardId}`,
  );
  return new Set(r.map((x) => x.conversation_id));
}

export async function insertReview(
  tx: Tx,
  r: {
    tenantId: string;
    scorecardId: string;
    conversationId: string;
    agentId: string | null;
    queueId: string | null;
    reviewerId: string;
    calibrationId?: string;
  },
): Promise<string | null> {
  const [row] = await rows<{ id: string }>(
    tx,
    sql`insert into quality_reviews (tenant_id, scorecard_id, conversation_id, agent_id, queue_id, reviewer_id, calibration_id)
        values (${r.tenantId}, ${r.scorecardId}, ${r.conversationId}, ${r.agentId}, ${r.queueId}, ${r.reviewerId}, ${r.calibrationId ?? null})
        on conflict do nothing returning id`,
  );
  return row?.id ?? null;
}

const REVIEW_COLUMNS = sql`id, scorecard_id, conversation_id, calibration_id, agent_id, queue_id, reviewer_id, status,
  scores, total::text as total, auto_failed, comment, dispute_reason, resolution, created_at, scored_at`;

export async function review(tx: Tx, id: string, forUpdate = false): Promise<ReviewRow | undefined> {
  const [r] = await rows<ReviewRow>(
    tx,
    sql`select ${REVIEW_COLUMNS} from quality_reviews where id = ${id} ${forUpdate ? sql`for update` : sql``}`,
  );
  return r;
}

export const listReviews = (tx: Tx, f: { reviewerId?: string; agentId?: string; calibrationId?: string }) =>
  rows<ReviewRow>(
    tx,
    sql`select ${REVIEW_COLUMNS} from quality_reviews where true
        ${f.reviewerId ? sql`and reviewer_id = ${f.reviewerId}` : sql``}
        ${f.agentId ? sql`and agent_id = ${f.agentId} and status <> 'assigned'` : sql``}
        ${f.calibrationId ? sql`and calibration_id = ${f.calibrationId}` : sql``}
        order by created_at desc, id limit 500`,
  );

export async function saveScores(
  tx: Tx,
  id: string,
  s: { scores: Scores; total: number; autoFailed: boolean; comment: string | null },
): Promise<void> {
  await tx.execute(sql`update quality_reviews set scores = ${JSON.stringify(s.scores)}::jsonb, total = ${s.total},
      auto_failed = ${s.autoFailed}, comment = ${s.comment}, status = 'scored', scored_at = now() where id = ${id}`);
}

export async function markDisputed(tx: Tx, id: string, reason: string): Promise<void> {
  await tx.execute(
    sql`update quality_reviews set status = 'disputed', dispute_reason = ${reason}, disputed_at = now() where id = ${id}`,
  );
}

export async function markResolved(tx: Tx, id: string, resolution: string): Promise<void> {
  await tx.execute(
    sql`update quality_reviews set status = 'resolved', resolution = ${resolution}, resolved_at = now() where id = ${id}`,
  );
}

export async function insertCalibration(
  tx: Tx,
  c: { tenantId: string; scorecardId: string; conversationId: string; createdBy: string },
): Promise<string> {
  const [r] = await rows<{ id: string }>(
    tx,
    sql`insert into quality_calibrations (tenant_id, scorecard_id, conversation_id, created_by)
        values (${c.tenantId}, ${c.scorecardId}, ${c.conversationId}, ${c.createdBy}) returning id`,
  );
  return r!.id;
}

export async function calibrationExists(tx: Tx, id: string): Promise<boolean> {
  return (await rows(tx, sql`select 1 from quality_calibrations where id = ${id}`)).length > 0;
}

export interface TrendRow {
  key: string | null;
  week: string;
  reviews: number;
  average: number | null;
  auto_failed: number;
}

/** Weekly averages of scored reviews (calibration reviews excluded) per agent or queue. */
export const trends = (tx: Tx, by: 'agent' | 'queue', since: string) =>
  rows<TrendRow>(
    tx,
    sql`select ${by === 'agent' ? sql`agent_id` : sql`queue_id`}::text as key,
          to_char(date_trunc('week', scored_at), 'YYYY-MM-DD') as week,
          count(*)::int as reviews, round(avg(total), 2)::float8 as average,
          count(*) filter (where auto_failed)::int as auto_failed
        from quality_reviews
        where status <> 'assigned' and calibration_id is null and scored_at >= ${since}::timestamptz
        group by 1, 2 order by 1, 2`,
  );

/** Read-only check that a user reviews for this tenant (supervisor or QA reviewer), as assignment checks membership. */
export async function isReviewerMember(tx: Tx, tenantId: string, userId: string): Promise<boolean> {
  return (
    (
      await rows(
        tx,
        sql`select 1 from memberships where tenant_id = ${tenantId} and user_id = ${userId} and role in ('supervisor', 'qa_reviewer')`,
      )
    ).length > 0
  );
}
