// Service-level targets and breaches (tables service_level_targets, sla_breaches; migration 0037):
// the only place that reads or writes them. Runs inside db.withTenant. Conversations and messages
// are read for counts and times only, never content or customer data.
import { type SQL, sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export const SLA_CHANNELS = ['any', 'chat', 'email', 'voice'] as const;
export type SlaChannel = (typeof SLA_CHANNELS)[number];

export interface TargetRow {
  queue_id: string;
  queue_name: string;
  channel: SlaChannel;
  target_seconds: number;
  updated_at: Date | string;
}

export interface BreachRow {
  conversation_id: string;
  queue_id: string;
  channel: string;
  target_seconds: number;
}

export interface DailyRow {
  queue_id: string;
  day: string;
  arrived: number;
  answered: number;
  in_target: number;
  breaches: number;
  median_first_reply_seconds: number | null;
}

/** The target of conversation `c`: its channel's own, else the queue's 'any', else null. */
export const targetOf = (c: string): SQL =>
  sql`coalesce(
    (select t.target_seconds from service_level_targets t where t.queue_id = ${sql.raw(c)}.queue_id and t.channel = ${sql.raw(c)}.channel),
    (select t.target_seconds from service_level_targets t where t.queue_id = ${sql.raw(c)}.queue_id and t.channel = 'any'))`;

/** The first answer by an agent to conversation `c` (null while unanswered). */
export const firstAnswerOf = (c: string): SQL =>
  sql`(select min(m.created_at) from messages m where m.conversation_id = ${sql.raw(c)}.id
    and m.direction = 'outbound' and m.author_type = 'agent' and m.kind = 'message')`;

export const serviceLevelStore = {
  listTargets: (tx: Tx) =>
    rows<TargetRow>(
      tx,
      sql`select t.queue_id, q.name as queue_name, t.channel, t.target_seconds, t.updated_at
          from service_level_targets t join queues q on q.id = t.queue_id order by q.name, t.channel`,
    ),

  queueExists: async (tx: Tx, queueId: string) =>
    (await rows(tx, sql`select 1 from queues where id = ${queueId}`)).length > 0,

  /** Returns the previous target (null when there was none). */
  async upsertTarget(
    tx: Tx,
    tenantId: string,
    t: { queueId: string; channel: SlaChannel; targetSeconds: number; by: string | null },
  ): Promise<number | null> {
    const [prev] = await rows<{ target_seconds: number }>(
      tx,
      sql`select target_seconds from service_level_targets where queue_id = ${t.queueId} and channel = ${t.channel} for update`,
    );
    await tx.execute(
      sql`insert into service_level_targets (tenant_id, queue_id, channel, target_seconds, updated_by)
          values (${tenantId}, ${t.queueId}, ${t.channel}, ${t.targetSeconds}, ${t.by})
          on conflict (queue_id, channel) do update set target_seconds = excluded.target_seconds,
            updated_by = excluded.updated_by, updated_at = now()`,
    );
    return prev?.target_seconds ?? null;
  },

  deleteTarget: async (tx: Tx, queueId: string, channel: SlaChannel) =>
    (
      await rows(
        tx,
        sql`delete from service_level_targets where queue_id = ${queueId} and channel = ${channel} returning 1`,
      )
    ).length > 0,

  /**
   * Records every waiting conversation (open, unassigned, unanswered) older than its target that
   * has no breach yet, and returns those: each breach is raised exactly once, on any node.
   */
  recordBreaches: (tx: Tx, tenantId: string, limit: number) =>
    rows<BreachRow>(
      tx,
      sql`insert into sla_breaches (tenant_id, conversation_id, queue_id, channel, target_seconds)
          select ${tenantId}, w.id, w.queue_id, w.channel, w.target from (
            select c.id, c.queue_id, c.channel, c.created_at, ${targetOf('c')} as target
            from conversations c
            where c.status = 'open' and c.assignee_id is null and c.queue_id is not null
              and not exists (select 1 from sla_breaches b where b.conversation_id = c.id)) w
          where w.target is not null and w.created_at < now() - make_interval(secs => w.target)
            and not exists (select 1 from messages m where m.conversation_id = w.id
              and m.direction = 'outbound' and m.author_type = 'agent' and m.kind = 'message')
          order by w.created_at limit ${limit}
          on conflict (conversation_id) do nothing
          returning conversation_id, queue_id, channel, target_seconds`,
    ),

  /** Per queue: breaches in the last 24 h and waiting conversations already past their target. */
  breachCounts: (tx: Tx) =>
    rows<{
      queue_id: string;
      breaches_24h: number;
      breached_waiting: number;
      breached_target: number | null;
    }>(
      tx,
      sql`select b.queue_id, count(*)::int as breaches_24h,
            count(*) filter (where c.status = 'open' and c.assignee_id is null)::int as breached_waiting,
            min(b.target_seconds) filter (where c.status = 'open' and c.assignee_id is null)::int as breached_target
          from sla_breaches b join conversations c on c.id = b.conversation_id
          where b.breached_at > now() - interval '24 hours' group by b.queue_id`,
    ),

  /** Daily figures per queue over the last `days` days (UTC days), counts and durations only. */
  daily: (tx: Tx, days: number, defaultSeconds: number) =>
    rows<DailyRow>(
      tx,
      sql`with recent as (
            select c.queue_id, (c.created_at at time zone 'UTC')::date as day, c.created_at,
              ${firstAnswerOf('c')} as answered_at,
              coalesce(${targetOf('c')}, ${defaultSeconds}::int) as target
            from conversations c
            where c.queue_id is not null and c.created_at >= (now() at time zone 'UTC')::date - ${days - 1}::int),
          per_day as (
            select queue_id, day, count(*)::int as arrived, count(answered_at)::int as answered,
              count(*) filter (where answered_at - created_at <= make_interval(secs => target))::int as in_target,
              (percentile_cont(0.5) within group (order by extract(epoch from answered_at - created_at)))::int
                as median_first_reply_seconds
            from recent group by queue_id, day),
          breaches as (
            select queue_id, (breached_at at time zone 'UTC')::date as day, count(*)::int as n
            from sla_breaches where breached_at >= (now() at time zone 'UTC')::date - ${days - 1}::int
            group by queue_id, day)
          select coalesce(p.queue_id, b.queue_id) as queue_id, coalesce(p.day, b.day)::text as day,
            coalesce(p.arrived, 0) as arrived, coalesce(p.answered, 0) as answered,
            coalesce(p.in_target, 0) as in_target, coalesce(b.n, 0) as breaches, p.median_first_reply_seconds
          from per_day p full join breaches b on b.queue_id = p.queue_id and b.day = p.day
          order by 2 desc, 1`,
    ),
};
