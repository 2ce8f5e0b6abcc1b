// Art. 18 restriction of processing: while a customer is restricted, their data is only stored.
// The paths that process it (agent replies, profile updates) call this one check in their
// transaction.
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';

export async function isRestricted(tx: Tx, tenantId: string, customerId: string): Promise<boolean> {
  const r = await rows<{ one: number }>(
    tx,
    sql`select 1 as one from customer_restrictions where tenant_id = ${tenantId} and customer_id = ${customerId}`,
  );
  return r.length > 0;
}

/** Throws 423 processing_restricted when the customer's processing is restricted. */
export async function assertNotRestricted(tx: Tx, tenantId: string, customerId: string): Promise<void> {
  if (await isRestricted(tx, tenantId, customerId))
    throw new VigilError('processing_restricted', 'processing of this customer is restricted');
}
