// What an inbox item shows beyond the conversation row: the latest customer message (encrypted,
// decrypted by the caller), whether the customer is waiting for an answer, and how many
// customer messages the reader has not seen. Callers run inside db.withTenant (RLS).
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';
import { firstAnswerOf } from './service-level-store.ts';

export interface InboxExtraRow {
  conversation_id: string;
  message_id: string | null;
  subject_id: string | null;
  body_enc: Buffer | null;
  /** Set when the latest message is the customer's: they wait for an answer since then. */
  waiting_since: Date | string | null;
  /** An agent has answered at least once (the service-level clock then restarts per wait). */
  answered: boolean;
  unread: number;
}

export function inboxExtras(tx: Tx, conversationIds: string[], userId: string): Promise<InboxExtraRow[]> {
  if (!conversationIds.length) return Promise.resolve([]);
  const ids = sql.join(
    conversationIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  return rows<InboxExtraRow>(
    tx,
    sql`select c.id as conversation_id, lc.id as message_id, lc.subject_id, lc.body_enc,
          case when la.direction = 'inbound' then la.created_at end as waiting_since,
          ${firstAnswerOf('c')} is not null as answered,
          (select count(*)::int from messages m where m.conversation_id = c.id and m.direction = 'inbound'
            and m.seq > coalesce((select r.last_read_seq from conversation_reads r
              where r.conversation_id = c.id and r.user_id = ${userId}), 0)) as unread
        from conversations c
        left join lateral (select id, subject_id, body_enc from messages m where m.conversation_id = c.id
          and m.direction = 'inbound' and m.kind <> 'note' order by m.seq desc limit 1) lc on true
        left join lateral (select direction, created_at from messages m where m.conversation_id = c.id
          and m.kind <> 'note' order by m.seq desc limit 1) la on true
        where c.id in (${ids})`,
  );
}

/** The reader has seen every message of the conversation up to now. */
export async function markRead(tx: Tx, tenantId: string, conversationId: string, userId: string) {
  await tx.execute(
    sql`insert into conversation_reads (tenant_id, conversation_id, user_id, last_read_seq)
        select ${tenantId}, ${conversationId}, ${userId}, coalesce(max(seq), 0) from messages where conversation_id = ${conversationId}
        on conflict (conversation_id, user_id) do update set last_read_seq = excluded.last_read_seq, read_at = now()`,
  );
}
