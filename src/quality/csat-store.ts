// SQL for customer-satisfaction surveys (the quality domain owns csat_surveys). Scores, times and
// ids only: the table holds no text a customer wrote. Callers run inside db.withTenant (RLS).
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export interface SurveyRow {
  id: string;
  conversation_id: string;
  channel: 'chat' | 'email';
  score: number | null;
  expires_at: Date | string;
  answered_at: Date | string | null;
}

/**
 * Opens a survey for this resolution unless one was already opened since the conversation's
 * last message (a tag change on a resolved conversation asks nobody twice). Null: none opened.
 */
export async function openSurvey(
  tx: Tx,
  s: {
    tenantId: string;
    conversationId: string;
    channel: 'chat' | 'email';
    queueId: string | null;
    agentId: string | null;
    since: Date | string;
    ttlDays: number;
  },
): Promise<{ id: string; expires_at: Date | string } | null> {
  const [r] = await rows<{ id: string; expires_at: Date | string }>(
    tx,
    sql`insert into csat_surveys (tenant_id, conversation_id, channel, queue_id, agent_id, expires_at)
        select ${s.tenantId}, ${s.conversationId}, ${s.channel}, ${s.queueId}, ${s.agentId},
               now() + make_interval(days => ${s.ttlDays})
        where not exists (select 1 from csat_surveys where conversation_id = ${s.conversationId}
                            and created_at >= ${new Date(s.since).toISOString()}::timestamptz)
        on conflict (conversation_id) where answered_at is null do nothing
        returning id, expires_at`,
  );
  return r ?? null;
}

export async function survey(tx: Tx, id: string): Promise<SurveyRow | undefined> {
  const [r] = await rows<SurveyRow>(
    tx,
    sql`select id, conversation_id, channel, score, expires_at, answered_at from csat_surveys where id = ${id}`,
  );
  return r;
}

/** Records the answer once; false when it was answered or expired meanwhile. */
export async function answer(tx: Tx, id: string, score: number): Promise<boolean> {
  const r = await rows(
    tx,
    sql`update csat_surveys set score = ${score}, answered_at = now()
        where id = ${id} and answered_at is null and expires_at > now() returning id`,
  );
  return r.length > 0;
}

/** Answered surveys at or below a score (worst first, then newest): the low-satisfaction pool. */
export const lowSatisfaction = (tx: Tx, q: { maxScore: number; queueId?: string; limit: number }) =>
  rows<{ conversation_id: string; queue_id: string | null; agent_id: string | null; score: number }>(
    tx,
    sql`select distinct on (conversation_id) conversation_id, queue_id, agent_id, score from csat_surveys
        where answered_at is not null and score <= ${q.maxScore}
          ${q.queueId ? sql`and queue_id = ${q.queueId}` : sql``}
        order by conversation_id, answered_at desc
        limit ${q.limit}`,
  );
