// Building blocks for the compliance tests: conversations on any channel through the real ingest
// pipeline, moved into the past with an owner UPDATE (the clock of the data, not of the test).
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { systemContext } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import type { TestVigil } from '../helpers/app.ts';

export const DAY = 86_400_000;

export async function newConversation(
  v: TestVigil,
  tenant: { id: string; slug: string },
  channel: 'chat' | 'email' | 'voice',
  opts: { customerId?: string; email?: string; name?: string; text?: string } = {},
): Promise<{ conversationId: string; customerId: string }> {
  const ctx = systemContext({ id: tenant.id, slug: tenant.slug, name: tenant.slug });
  const customer = opts.customerId
    ? { id: opts.customerId }
    : { name: opts.name ?? 'Erika Muster', ...(opts.email ? { email: opts.email } : {}) };
  const r = await v.app.contact!.ingest.ingestMessage(ctx, {
    channel,
    ...(channel === 'voice' ? { kind: 'transcript' as const, voice: { speaker: 'customer' as const } } : {}),
    direction: 'inbound',
    author: { type: channel === 'chat' ? 'visitor' : 'customer', id: null },
    text: opts.text ?? 'Guten Tag, ich habe eine Frage zu meiner Rechnung.',
    idempotencyKey: `t:${randomUUID()}`,
    newConversation: { channel, customer, ...(channel === 'email' ? { subject: 'Rechnung' } : {}) },
  });
  return { conversationId: r.conversationId, customerId: r.customerId };
}

/** Moves a conversation (and its messages) `days` into the past. */
export async function ageConversation(v: TestVigil, id: string, days: number) {
  const at = new Date(Date.now() - days * DAY).toISOString();
  await v.core.db.withOwner(async (tx) => {
    await tx.execute(
      sql`update conversations set created_at = ${at}::timestamptz, last_message_at = ${at}::timestamptz where id = ${id}`,
    );
    await tx.execute(sql`update messages set created_at = ${at}::timestamptz where conversation_id = ${id}`);
  });
}

export async function ageCustomer(v: TestVigil, id: string, days: number) {
  const at = new Date(Date.now() - days * DAY).toISOString();
  await v.core.db.withOwner((tx) =>
    tx.execute(sql`update customers set created_at = ${at}::timestamptz where id = ${id}`),
  );
}

/** A call on a conversation with a stored recording reference, ended `days` ago. */
export async function addRecordedCall(
  v: TestVigil,
  tenantId: string,
  conversationId: string,
  subjectId: string,
  days: number,
) {
  const at = new Date(Date.now() - days * DAY).toISOString();
  const id = randomUUID();
  const enc = (column: string, value: string) =>
    v.core.keyring.encryptField({ tenantId, table: 'calls', column, rowId: id, subjectId }, value);
  const [from, to, ref] = [
    await enc('from_enc', '+49 30 1234567'),
    await enc('to_enc', '+49 30 7654321'),
    await enc('recording_ref_enc', 's3://rec/1'),
  ];
  await v.core.db.withTenant(tenantId, (tx) =>
    tx.execute(
      sql`insert into calls (id, tenant_id, conversation_id, subject_id, direction, from_enc, to_enc, started_at, ended_at, consent, recording_ref_enc)
          values (${id}, ${tenantId}, ${conversationId}, ${subjectId}, 'inbound', ${from}, ${to},
            ${at}::timestamptz, ${at}::timestamptz, 'granted', ${ref})`,
    ),
  );
  return id;
}

export async function exists(v: TestVigil, table: 'conversations' | 'customers', id: string, extra = sql``) {
  const r = await v.core.db.withOwner((tx) =>
    rows<{ one: number }>(tx, sql`select 1 as one from ${sql.identifier(table)} where id = ${id} ${extra}`),
  );
  return r.length > 0;
}
