// Data access for customers: encrypted columns, blind-index identifiers. SQL only, no policy.
import { type SQL, sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export interface CustomerRow {
  id: string;
  tenant_id: string;
  name_enc: Buffer | null;
  emails_enc: Buffer | null;
  phones_enc: Buffer | null;
  address_enc: Buffer | null;
  dob_enc: Buffer | null;
  customer_number_enc: Buffer | null;
  notes_enc: Buffer | null;
  language: string | null;
  consents: Record<string, boolean>;
  merged_into: string | null;
  erased_at: Date | string | null;
  created_at: Date | string;
  created_text: string;
}

/** Encrypted column per field; the column name is also the FieldContext column. */
export const ENCRYPTED_FIELDS = {
  name: 'name_enc',
  emails: 'emails_enc',
  phones: 'phones_enc',
  address: 'address_enc',
  dateOfBirth: 'dob_enc',
  customerNumber: 'customer_number_enc',
  notes: 'notes_enc',
} as const;
export type EncryptedField = keyof typeof ENCRYPTED_FIELDS;

const COLUMNS = sql`id, tenant_id, name_enc, emails_enc, phones_enc, address_enc, dob_enc, customer_number_enc,
  notes_enc, language, consents, merged_into, erased_at, created_at, created_at::text as created_text`;

export async function selectCustomer(tx: Tx, id: string): Promise<CustomerRow | undefined> {
  const [r] = await rows<CustomerRow>(tx, sql`select ${COLUMNS} from customers where id = ${id}`);
  return r;
}

export async function listCustomers(
  tx: Tx,
  limit: number,
  after: { created: string; id: string } | null,
): Promise<CustomerRow[]> {
  const cond = after ? sql`and (created_at, id) < (${after.created}::timestamptz, ${after.id}::uuid)` : sql``;
  return rows<CustomerRow>(
    tx,
    sql`select ${COLUMNS} from customers where merged_into is null ${cond}
        order by created_at desc, id desc limit ${limit}`,
  );
}

export async function insertCustomer(
  tx: Tx,
  c: {
    id: string;
    tenantId: string;
    language: string | null;
    consents: Record<string, boolean>;
    source: string;
  },
): Promise<void> {
  await tx.execute(sql`insert into customers (id, tenant_id, language, consents, source)
    values (${c.id}, ${c.tenantId}, ${c.language}, ${JSON.stringify(c.consents)}::jsonb, ${c.source})`);
}

export async function updateEncrypted(
  tx: Tx,
  id: string,
  values: Partial<Record<EncryptedField, Buffer | null>>,
) {
  const sets: SQL[] = [];
  for (const [field, value] of Object.entries(values) as Array<[EncryptedField, Buffer | null]>) {
    sets.push(sql`${sql.identifier(ENCRYPTED_FIELDS[field])} = ${value}`);
  }
  if (!sets.length) return;
  await tx.execute(sql`update customers set ${sql.join(sets, sql`, `)}, updated_at = now() where id = ${id}`);
}

export async function updatePlain(
  tx: Tx,
  id: string,
  v: { language?: string | null; consents?: Record<string, boolean> },
): Promise<void> {
  if (v.language !== undefined)
    await tx.execute(sql`update customers set language = ${v.language}, updated_at = now() where id = ${id}`);
  if (v.consents !== undefined)
    await tx.execute(
      sql`update customers set consents = consents || ${JSON.stringify(v.consents)}::jsonb, updated_at = now() where id = ${id}`,
    );
}

export type IdentifierKind = 'email' | 'phone' | 'customer_number';

export async function replaceIdentifiers(
  tx: Tx,
  tenantId: string,
  customerId: string,
  kind: IdentifierKind,
  blinds: Buffer[],
) {
  await tx.execute(
    sql`delete from customer_identifiers where customer_id = ${customerId} and kind = ${kind}`,
  );
  // The contact keys follow the identifiers: a removed address no longer routes to this record.
  const kept = blinds.length
    ? sql`and blind not in (${sql.join(
        blinds.map((b) => sql`${b}`),
        sql`, `,
      )})`
    : sql``;
  await tx.execute(
    sql`delete from customer_contact_keys where customer_id = ${customerId} and kind = ${kind} ${kept}`,
  );
  for (const b of blinds) {
    await tx.execute(sql`insert into customer_identifiers (tenant_id, customer_id, kind, blind)
      values (${tenantId}, ${customerId}, ${kind}, ${b}) on conflict do nothing`);
    // A key another record holds stays with it (first come; `vigil customers dedupe` merges).
    await claimContactKey(tx, tenantId, kind, b, customerId);
  }
}

/**
 * Claims the contact key for `customerId` unless a record holds it already; returns the holder.
 * A concurrent claim of the same key waits here for the other transaction and then reads its
 * holder (the primary key serialises first contacts of one sender).
 */
export async function claimContactKey(
  tx: Tx,
  tenantId: string,
  kind: IdentifierKind,
  blind: Buffer,
  customerId: string,
): Promise<string> {
  const [won] = await rows<{ customer_id: string }>(
    tx,
    sql`insert into customer_contact_keys (tenant_id, kind, blind, customer_id)
        values (${tenantId}, ${kind}, ${blind}, ${customerId}) on conflict do nothing returning customer_id`,
  );
  if (won) return won.customer_id;
  return (await contactKeyOwner(tx, kind, blind)) ?? customerId;
}

/** The live record a contact key resolves to (following merges), if any. */
export async function contactKeyOwner(
  tx: Tx,
  kind: IdentifierKind,
  blind: Buffer,
): Promise<string | undefined> {
  const [r] = await rows<{ id: string }>(
    tx,
    sql`select coalesce(c.merged_into, c.id) as id from customer_contact_keys k join customers c on c.id = k.customer_id
        where k.kind = ${kind} and k.blind = ${blind} and c.erased_at is null`,
  );
  return r?.id;
}

/** Moves the contact keys of a merged duplicate to the surviving record. */
export async function moveContactKeys(tx: Tx, from: string, to: string): Promise<void> {
  await tx.execute(sql`update customer_contact_keys set customer_id = ${to} where customer_id = ${from}`);
}

/** Customers with this identifier, following merges to the surviving record. */
export async function findByBlind(tx: Tx, kind: IdentifierKind, blind: Buffer): Promise<string[]> {
  const r = await rows<{ id: string }>(
    tx,
    sql`select distinct coalesce(c.merged_into, c.id) as id from customer_identifiers i
        join customers c on c.id = i.customer_id
        where i.kind = ${kind} and i.blind = ${blind} and c.erased_at is null
        limit 20`,
  );
  return r.map((x) => x.id);
}
