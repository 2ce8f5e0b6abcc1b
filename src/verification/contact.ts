// The customer's first e-mail address or phone number on file, decrypted inside the caller's
// transaction: where one-time codes and payment links go (never to a value the caller dictates).
import { sql } from 'drizzle-orm';
import type { Keyring } from '../crypto/index.ts';
import { rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';

export async function contactOf(
  tx: Tx,
  keyring: Pick<Keyring, 'decryptFieldText'>,
  tenantId: string,
  customerId: string,
  channel: 'email' | 'sms',
): Promise<string | null> {
  const column = channel === 'email' ? 'emails_enc' : 'phones_enc';
  const [c] = await rows<{ v: Buffer | null; erased: boolean }>(
    tx,
    sql`select ${sql.identifier(column)} as v, erased_at is not null as erased from customers where id = ${customerId}`,
  );
  if (!c) throw new VigilError('not_found', 'customer not found');
  if (c.erased) throw new VigilError('data_erased', 'the data was erased');
  if (!c.v) return null;
  const list = JSON.parse(
    await keyring.decryptFieldText(
      { tenantId, table: 'customers', column, rowId: customerId, subjectId: customerId },
      Buffer.from(c.v),
      tx,
    ),
  ) as unknown;
  return Array.isArray(list) && typeof list[0] === 'string' ? list[0] : null;
}
