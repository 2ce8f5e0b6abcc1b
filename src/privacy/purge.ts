// Deleting everything Vigil holds on one customer, shared by erasure requests (Art. 17), retention
// of customer profiles and tenant offboarding: the conversations go with their messages, PII
// tokens, calls and e-mail parts (by cascade), chat visitors and blind indexes are deleted, the
// customers row stays as a tombstone without personal data, and the subject key is crypto-shredded
// so copies of the ciphertext (backups) no longer decrypt.
import { sql } from 'drizzle-orm';
import type { Keyring, ReplaySubjectErasure } from '../crypto/index.ts';
import { rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';

export interface PurgeCounts {
  conversations: number;
  messages: number;
  piiTokens: number;
  calls: number;
  identifiers: number;
  chatVisitors: number;
  keysShredded: number;
  keyDestroyed: boolean;
  ledgerSeq: number;
}

/** Refuses (409) when a legal hold covers the customer or one of their conversations. */
export async function assertNoLegalHold(tx: Tx, customerId: string): Promise<void> {
  const held = await rows<{ one: number }>(
    tx,
    sql`select 1 as one from legal_holds h where h.released_at is null and (
          (h.scope = 'customer' and h.target_id = ${customerId}) or
          (h.scope = 'conversation' and h.target_id in (select id from conversations where customer_id = ${customerId})))
        limit 1`,
  );
  if (held.length) throw new VigilError('conflict', 'a legal hold suspends deletion of this data');
}

export async function purgeCustomer(
  tx: Tx,
  keyring: Pick<Keyring, 'shredSubject'>,
  tenantId: string,
  customerId: string,
  tombstone: { reason: 'request' | 'retention' | 'offboarding'; requestId: string | null },
): Promise<PurgeCounts> {
  const count = async (q: ReturnType<typeof sql>) => (await rows<{ n: number }>(tx, q))[0]?.n ?? 0;
  const inConvs = sql`(select id from conversations where customer_id = ${customerId})`;
  const conversations = await count(
    sql`select count(*)::int as n from conversations where customer_id = ${customerId}`,
  );
  const messages = await count(
    sql`select count(*)::int as n from messages where conversation_id in ${inConvs}`,
  );
  const piiTokens = await count(
    sql`select count(*)::int as n from pii_tokens where conversation_id in ${inConvs}`,
  );
  const calls = await count(sql`select count(*)::int as n from calls where conversation_id in ${inConvs}`);
  const identifiers = await count(
    sql`select count(*)::int as n from customer_identifiers where customer_id = ${customerId}`,
  );
  const chatVisitors = await count(
    sql`select count(*)::int as n from chat_visitors where customer_id = ${customerId}`,
  );
  const shred = await keyring.shredSubject(tenantId, customerId, tx, {
    reason: tombstone.reason,
    requestId: tombstone.requestId,
  });
  // Dated as the ledger entry, so a restore that replays it leaves the same tombstone.
  await deleteCustomerData(tx, customerId, shred.entry.time);
  await tx.execute(sql`insert into customer_erasures (tenant_id, customer_id, request_id, reason, erased_at)
    values (${tenantId}, ${customerId}, ${tombstone.requestId}, ${tombstone.reason}, ${shred.entry.time}::timestamptz)`);
  return {
    conversations,
    messages,
    piiTokens,
    calls,
    identifiers,
    chatVisitors,
    keysShredded: shred.entry.keyIds.length,
    keyDestroyed: shred.destroyed,
    ledgerSeq: shred.entry.seq,
  };
}

/** The rows that go with an erasure; the customers row stays as a tombstone erased at `erasedAt`. */
async function deleteCustomerData(tx: Tx, customerId: string, erasedAt: string): Promise<void> {
  const inConvs = sql`(select id from conversations where customer_id = ${customerId})`;
  await tx.execute(sql`delete from pii_tokens where conversation_id in ${inConvs}`);
  await tx.execute(sql`delete from calls where conversation_id in ${inConvs}`);
  await tx.execute(sql`delete from conversations where customer_id = ${customerId}`);
  await tx.execute(sql`delete from chat_visitors where customer_id = ${customerId}`);
  await tx.execute(sql`delete from customer_identifiers where customer_id = ${customerId}`);
  await tx.execute(sql`delete from customer_contact_keys where customer_id = ${customerId}`);
  await tx.execute(sql`delete from customer_restrictions where customer_id = ${customerId}`);
  await tx.execute(sql`update customers set name_enc = null, emails_enc = null, phones_enc = null, address_enc = null,
    dob_enc = null, customer_number_enc = null, notes_enc = null, language = null, consents = '{}'::jsonb,
    erased_at = ${erasedAt}::timestamptz, updated_at = ${erasedAt}::timestamptz where id = ${customerId}`);
}

/**
 * The erasure ledger's replay after a restore: the same deletion as the live erasure, dated as the
 * ledger entry, for a customer the restored database still holds (the keys are destroyed by the
 * replay itself). The request is completed if the backup holds it.
 */
export const replayCustomerErasure: ReplaySubjectErasure = async (tx, e) => {
  const [c] = await rows<{ erased: boolean }>(
    tx,
    sql`select erased_at is not null as erased from customers where id = ${e.subjectId}`,
  );
  if (!c || c.erased) return;
  await deleteCustomerData(tx, e.subjectId, e.erasedAt);
  const [r] = e.requestId
    ? await rows<{ id: string }>(tx, sql`select id from subject_requests where id = ${e.requestId}`)
    : [];
  if (r)
    await tx.execute(sql`update subject_requests set state = 'completed', completed_at = ${e.erasedAt}::timestamptz
      where id = ${r.id} and state not in ('completed', 'rejected')`);
  await tx.execute(sql`insert into customer_erasures (tenant_id, customer_id, request_id, reason, erased_at)
    values (${e.tenantId}, ${e.subjectId}, ${r?.id ?? null}, ${e.reason}, ${e.erasedAt}::timestamptz)
    on conflict do nothing`);
};
