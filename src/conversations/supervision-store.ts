// Reads of the supervisor console: aggregates over conversations, messages, queue members and
// sessions of one tenant (inside db.withTenant). Counts and durations only, never content or
// customer data; agent names are staff data the supervisor already sees in the inbox.
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';
import { firstAnswerOf, targetOf } from './service-level-store.ts';

export interface QueueFigures {
  id: string;
  name: string;
  waiting: number;
  oldest_wait_seconds: number | null;
  open: number;
  /** Conversations of the last 24 h that were answered, or are older than the target. */
  sl_due: number;
  sl_met: number;
  /** The queue's own target for any channel (null: the default applies). */
  target_seconds: number | null;
}

export interface AgentFigures {
  id: string;
  display_name: string;
  recent_session: boolean;
  open_assigned: number;
  queues: number;
}

/**
 * Per queue: unassigned open conversations (waiting) and the longest of their waits, and the
 * service level of the last 24 hours: the share of conversations whose first agent answer came
 * within their target (queue and channel, else `defaultSeconds`) of their start (unanswered ones
 * count once the target has passed).
 */
export function queueFigures(tx: Tx, defaultSeconds: number): Promise<QueueFigures[]> {
  return rows<QueueFigures>(
    tx,
    sql`with recent as (
          select c.queue_id, c.created_at, ${firstAnswerOf('c')} as answered_at,
            make_interval(secs => coalesce(${targetOf('c')}, ${defaultSeconds})) as target
          from conversations c where c.created_at > now() - interval '24 hours' and c.queue_id is not null)
        select q.id, q.name,
          (select count(*)::int from conversations c where c.queue_id = q.id and c.status = 'open' and c.assignee_id is null) as waiting,
          (select extract(epoch from now() - min(c.created_at))::int from conversations c
            where c.queue_id = q.id and c.status = 'open' and c.assignee_id is null) as oldest_wait_seconds,
          (select count(*)::int from conversations c where c.queue_id = q.id and c.status in ('open', 'pending')) as open,
          (select count(*)::int from recent r where r.queue_id = q.id and (r.answered_at is not null
            or r.created_at < now() - r.target)) as sl_due,
          (select count(*)::int from recent r where r.queue_id = q.id and r.answered_at is not null
            and r.answered_at - r.created_at <= r.target) as sl_met,
          (select t.target_seconds from service_level_targets t where t.queue_id = q.id and t.channel = 'any') as target_seconds
        from queues q order by q.name`,
  );
}

/** Queue members and assignees: a recent session (presence) and their open assignments. */
export function agentFigures(tx: Tx, tenantId: string, presenceMinutes: number): Promise<AgentFigures[]> {
  return rows<AgentFigures>(
    tx,
    sql`with people as (
          select user_id from queue_members
          union select assignee_id from conversations where assignee_id is not null and status in ('open', 'pending'))
        select u.id, u.display_name,
          exists (select 1 from sessions s where s.user_id = u.id and s.revoked_at is null
            and s.idle_expires_at > now() and s.last_seen_at > now() - make_interval(mins => ${presenceMinutes})) as recent_session,
          (select count(*)::int from conversations c where c.assignee_id = u.id and c.status in ('open', 'pending')) as open_assigned,
          (select count(*)::int from queue_members qm where qm.user_id = u.id) as queues
        from people p join users u on u.id = p.user_id
        where exists (select 1 from memberships m where m.user_id = u.id and m.tenant_id = ${tenantId})
        order by u.display_name, u.id`,
  );
}
