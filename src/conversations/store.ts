// Data access for conversations and messages. Callers run inside db.withTenant (RLS).
import { type SQL, sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export interface ConversationRow {
  id: string;
  tenant_id: string;
  customer_id: string;
  channel: 'chat' | 'email' | 'voice';
  status: string;
  priority: string;
  tags: string[];
  queue_id: string | null;
  assignee_id: string | null;
  subject_enc: Buffer | null;
  visitor_id: string | null;
  /** Detected in the first customer message (issue 29); null when unknown. */
  language: string | null;
  created_at: Date | string;
  last_message_at: Date | string;
  lma_text: string;
  snoozed_until: Date | string | null;
}

export interface MessageRow {
  id: string;
  subject_id: string;
  channel: string;
  kind: string;
  direction: string;
  author_type: string;
  author_id: string | null;
  body_enc: Buffer;
  findings: Array<{ type: string; operator: string }>;
  delivery_state: string;
  speaker: string | null;
  start_ms: number | null;
  end_ms: number | null;
  created_at: Date | string;
}

const COLS = sql`id, tenant_id, customer_id, channel, status, priority, tags, queue_id, assignee_id, subject_enc, visitor_id,
  language, created_at, last_message_at, last_message_at::text as lma_text, snoozed_until`;

export async function selectConversation(
  tx: Tx,
  id: string,
  forUpdate = false,
): Promise<ConversationRow | undefined> {
  const [r] = await rows<ConversationRow>(
    tx,
    sql`select ${COLS} from conversations where id = ${id} ${forUpdate ? sql`for update` : sql``}`,
  );
  return r;
}

export interface CallSummaryRow {
  id: string;
  direction: string;
  consent: string;
  consent_method: string | null;
  started_at: string;
  ended_at: string | null;
  has_recording: boolean;
}

export interface ConversationViewRow extends ConversationRow {
  in_scope: boolean;
  /** null when out of scope (nothing else is read then) */
  messages: MessageRow[] | null;
  call: CallSummaryRow | null;
}

/** Assigned to the user or in one of their queues (null: an unrestricted reader). */
const scopeOf = (userId: string | null) =>
  userId === null
    ? sql`true`
    : sql`(c.assignee_id = ${userId} or exists (select 1 from queue_members qm
           where qm.user_id = ${userId} and qm.queue_id = c.queue_id))`;

/**
 * Everything an agent's conversation view shows, in one round trip: the conversation, whether
 * the caller may see it, and only then its latest `limit` messages (oldest first) and its first
 * call. Reading a conversation is the hottest path of a contact center; three queries here were
 * two thirds of its database round trips.
 */
export async function selectConversationView(
  tx: Tx,
  id: string,
  userId: string | null,
  limit = 500,
): Promise<ConversationViewRow | undefined> {
  const inScope = scopeOf(userId);
  const [r] = await rows<Omit<ConversationViewRow, 'messages'> & { messages: RawMessage[] | null }>(
    tx,
    sql`select ${COLS}, ${inScope} as in_scope,
          case when ${inScope} then (select coalesce(json_agg(m order by m.seq), '[]'::json) from (
            select seq, id, subject_id, channel, kind, direction, author_type, author_id, encode(body_enc, 'base64') as body_enc,
              findings, delivery_state, speaker, start_ms, end_ms, created_at
            from messages where conversation_id = c.id order by seq desc limit ${limit}) m) end as messages,
          case when ${inScope} then (select row_to_json(k) from (
            select id, direction, consent, consent_method, started_at, ended_at, recording_ref_enc is not null as has_recording
            from calls where conversation_id = c.id order by started_at limit 1) k) end as call
        from conversations c where c.id = ${id}`,
  );
  if (!r) return undefined;
  return {
    ...r,
    messages: r.messages?.map((m) => ({ ...m, body_enc: Buffer.from(m.body_enc, 'base64') })) ?? null,
  };
}

type RawMessage = Omit<MessageRow, 'body_enc'> & { body_enc: string };

/**
 * The conversation and whether the agent may see it (assigned to them or in one of their
 * queues) in one round trip; userId null means an unrestricted reader (supervisor).
 */
export async function selectConversationInScope(
  tx: Tx,
  id: string,
  userId: string | null,
  forUpdate = false,
): Promise<(ConversationRow & { in_scope: boolean }) | undefined> {
  const [r] = await rows<ConversationRow & { in_scope: boolean }>(
    tx,
    sql`select ${COLS}, ${scopeOf(userId)} as in_scope from conversations c where c.id = ${id} ${forUpdate ? sql`for update` : sql``}`,
  );
  return r;
}

export interface ListFilters {
  status?: string;
  queueId?: string;
  assigneeId?: string | null;
  channel?: string;
  /** One customer's conversations (the agent's all-channel timeline). */
  customerId?: string;
  /** null = every queue (supervisors); otherwise the caller's queues (and their own assignments). */
  scope: { queueIds: string[]; userId: string } | null;
  after: { lma: string; id: string } | null;
  limit: number;
  /** true: only conversations snoozed now; false: only those not snoozed (the working views). */
  snoozed?: boolean;
  /** Search: conversations whose index holds every one of these term hashes ... */
  terms?: Buffer[];
  /** ... or (when set) whose customer is one of these (found through the customers' blind index). */
  customerIds?: string[];
}

/** The search condition: all terms (AND), or one of the customers, or both (OR). */
function searchCondition(f: ListFilters): SQL | null {
  const parts: SQL[] = [];
  // One probe of the primary key (conversation_id, term) per word and candidate row: the page
  // walks newest first and stops at `limit` matches; a grouped IN over the terms was re-run per
  // row when the planner misjudged it (1.4 s for two common words over 1,500 conversations).
  if (f.terms?.length)
    parts.push(
      sql`(${sql.join(
        f.terms.map(
          (t) =>
            sql`exists (select 1 from conversation_terms t where t.conversation_id = conversations.id and t.term = ${t})`,
        ),
        sql` and `,
      )})`,
    );
  if (f.customerIds?.length)
    parts.push(
      sql`customer_id in (${sql.join(
        f.customerIds.map((c) => sql`${c}::uuid`),
        sql`, `,
      )})`,
    );
  if (f.terms === undefined && f.customerIds === undefined) return null;
  return parts.length ? sql`(${sql.join(parts, sql` or `)})` : sql`false`;
}

/**
 * One page of the inbox, newest activity first (keyset on last_message_at, id). Every filter has
 * an index in this order (migration 0024), so a page is a seek plus `limit` rows. An agent's scope
 * (own queues or own assignments) is read as one ordered branch per queue and one for the
 * assignments elsewhere, merged: an OR of the two would have to collect and sort every match.
 */
export async function listConversations(tx: Tx, f: ListFilters): Promise<ConversationRow[]> {
  const conds: SQL[] = [sql`true`];
  if (f.status) conds.push(sql`status = ${f.status}`);
  if (f.channel) conds.push(sql`channel = ${f.channel}`);
  if (f.queueId) conds.push(sql`queue_id = ${f.queueId}`);
  if (f.customerId) conds.push(sql`customer_id = ${f.customerId}`);
  if (f.assigneeId === null) conds.push(sql`assignee_id is null`);
  else if (f.assigneeId) conds.push(sql`assignee_id = ${f.assigneeId}`);
  if (f.snoozed === true) conds.push(sql`snoozed_until > now()`);
  else if (f.snoozed === false) conds.push(sql`(snoozed_until is null or snoozed_until <= now())`);
  const search = searchCondition(f);
  if (search) conds.push(search);
  if (f.after) conds.push(sql`(last_message_at, id) < (${f.after.lma}::timestamptz, ${f.after.id}::uuid)`);
  const page = (extra: SQL) =>
    sql`(select ${COLS} from conversations where ${sql.join([...conds, extra], sql` and `)}
        order by last_message_at desc, id desc limit ${f.limit})`;
  if (!f.scope) return rows<ConversationRow>(tx, page(sql`true`));
  const queues = f.scope.queueIds.map((q) => sql`${q}::uuid`);
  const elsewhere = queues.length
    ? sql`(queue_id is null or queue_id not in (${sql.join(queues, sql`, `)}))`
    : sql`true`;
  const branches = [
    ...queues.map((q) => page(sql`queue_id = ${q}`)),
    page(sql`assignee_id = ${f.scope.userId} and ${elsewhere}`),
  ];
  return rows<ConversationRow>(
    tx,
    sql`select * from (${sql.join(branches, sql` union all `)}) s order by last_message_at desc, id desc limit ${f.limit}`,
  );
}

export async function queueIdsOf(tx: Tx, userId: string): Promise<string[]> {
  const r = await rows<{ queue_id: string }>(
    tx,
    sql`select queue_id from queue_members where user_id = ${userId}`,
  );
  return r.map((x) => x.queue_id);
}

export async function setDeliveryState(tx: Tx, messageId: string, state: string): Promise<void> {
  await tx.execute(sql`update messages set delivery_state = ${state} where id = ${messageId}`);
}
