// Data access for the conversation search index and snooze. Callers run inside db.withTenant (RLS).
// The index holds keyed hashes only (see migration 0036).
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export interface UnindexedMessage {
  id: string;
  seq: string;
  subject_id: string;
  direction: string;
  body_enc: Buffer;
}

export interface IndexTarget {
  id: string;
  customer_id: string;
  subject_enc: Buffer | null;
  indexed_seq: string | null;
}

export async function indexTarget(tx: Tx, conversationId: string): Promise<IndexTarget | undefined> {
  const [r] = await rows<IndexTarget>(
    tx,
    sql`select c.id, c.customer_id, c.subject_enc, s.indexed_seq::text as indexed_seq
        from conversations c left join conversation_index_state s on s.conversation_id = c.id
        where c.id = ${conversationId}`,
  );
  return r;
}

/** Messages written after the indexer's last pass, oldest first, bounded per pass. */
export function messagesAfter(tx: Tx, conversationId: string, seq: string, limit = 200) {
  return rows<UnindexedMessage>(
    tx,
    sql`select id, seq::text as seq, subject_id, direction, body_enc from messages
        where conversation_id = ${conversationId} and seq > ${seq}::bigint order by seq limit ${limit}`,
  );
}

export async function addTerms(
  tx: Tx,
  tenantId: string,
  conversationId: string,
  terms: Array<{ term: Buffer; source: 'text' | 'name' }>,
): Promise<void> {
  if (!terms.length) return;
  const values = terms.map((t) => sql`(${tenantId}, ${conversationId}, ${t.term}, ${t.source})`);
  await tx.execute(
    sql`insert into conversation_terms (tenant_id, conversation_id, term, source)
        values ${sql.join(values, sql`, `)} on conflict do nothing`,
  );
}

export async function setIndexed(tx: Tx, tenantId: string, conversationId: string, seq: string) {
  await tx.execute(
    sql`insert into conversation_index_state (tenant_id, conversation_id, indexed_seq) values (${tenantId}, ${conversationId}, ${seq}::bigint)
        on conflict (conversation_id) do update set indexed_seq = greatest(conversation_index_state.indexed_seq, excluded.indexed_seq), indexed_at = now()`,
  );
}

/** Conversations of the tenant with messages the index has not seen (catch-up after a restart). */
export async function stale(tx: Tx, limit: number): Promise<string[]> {
  const r = await rows<{ id: string }>(
    tx,
    sql`select c.id from conversations c left join conversation_index_state s on s.conversation_id = c.id
        where exists (select 1 from messages m where m.conversation_id = c.id and m.seq > coalesce(s.indexed_seq, 0))
        order by c.last_message_at desc limit ${limit}`,
  );
  return r.map((x) => x.id);
}

/** A customer's message ends a snooze: the conversation is back in the working views. */
export async function wake(
  tx: Tx,
  conversationId: string,
): Promise<{ queueId: string | null; assigneeId: string | null } | null> {
  const [r] = await rows<{ queue_id: string | null; assignee_id: string | null }>(
    tx,
    sql`update conversations set snoozed_until = null where id = ${conversationId} and snoozed_until is not null
        returning queue_id, assignee_id`,
  );
  return r ? { queueId: r.queue_id, assigneeId: r.assignee_id } : null;
}

export async function setSnooze(tx: Tx, conversationId: string, until: string | null): Promise<void> {
  await tx.execute(
    sql`update conversations set snoozed_until = ${until}::timestamptz, updated_at = now() where id = ${conversationId}`,
  );
}
