// Read side of the automation export: consented customers' conversations with their encrypted
// messages, and the export manifests (owner of automation_exports). The conversation tables are
// read, never written, here (as pseudonymised analytics reads them).
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export interface ExportMessage {
  id: string;
  conversation_id: string;
  subject_id: string;
  direction: string;
  body_enc: Uint8Array;
}

export interface ExportConversation {
  id: string;
  channel: string;
  month: string;
}

const consented = sql`c.erased_at is null and coalesce((c.consents ->> 'training')::boolean, false)
  and not exists (select 1 from customer_restrictions r where r.customer_id = c.id)`;

export async function consentedConversations(tx: Tx, limit: number) {
  const list = await rows<ExportConversation>(
    tx,
    sql`select v.id, v.channel, to_char(v.created_at, 'YYYY-MM') as month
        from conversations v join customers c on c.id = v.customer_id
        where ${consented} order by v.created_at, v.id limit ${limit}`,
  );
  const [excluded] = await rows<{ n: number }>(
    tx,
    sql`select count(*)::int as n from conversations v join customers c on c.id = v.customer_id where not (${consented})`,
  );
  return { list, excluded: excluded?.n ?? 0 };
}

export const messagesOf = (tx: Tx, conversationIds: string[]) =>
  rows<ExportMessage>(
    tx,
    sql`select m.id, m.conversation_id, m.subject_id, m.direction, m.body_enc from messages m
        where m.kind = 'message' and m.conversation_id = any(${`{${conversationIds.join(',')}}`}::uuid[])
        order by m.conversation_id, m.seq`,
  );

export async function insertManifest(
  tx: Tx,
  m: {
    tenantId: string;
    createdBy: string;
    reason: string;
    k: number;
    quasiIdentifiers: string[];
    records: number;
    suppressed: number;
    excluded: number;
    sha256: string;
  },
): Promise<{ id: string; created_at: Date }> {
  const [r] = await rows<{ id: string; created_at: Date }>(
    tx,
    sql`insert into automation_exports (tenant_id, created_by, reason, k, quasi_identifiers, records, suppressed, excluded_no_consent, sha256)
        values (${m.tenantId}, ${m.createdBy}, ${m.reason}, ${m.k}, ${`{${m.quasiIdentifiers.join(',')}}`}::text[], ${m.records},
          ${m.suppressed}, ${m.excluded}, ${m.sha256}) returning id, created_at`,
  );
  return r!;
}
