// Inbox items as an agent scans them: a pseudonymous customer reference (never a name in the
// list), a preview of the latest customer message or the subject (as stored: redacted by the
// tenant's policy, tokens shown only as their type), how long the customer has waited, and the
// reader's unread count.
import { createHash } from 'node:crypto';
import type { Keyring } from '../crypto/index.ts';
import { renderStored } from '../ingest/index.ts';
import type { Tx } from '../platform/db.ts';
import { inboxExtras } from './inbox-store.ts';
import type { ConversationRow } from './store.ts';

const PREVIEW_CHARS = 140;

/** A stable, non-reversible short reference of a customer within a tenant. */
export const customerRef = (tenantId: string, customerId: string) =>
  createHash('sha256').update(`${tenantId}:${customerId}`).digest('hex').slice(0, 6).toUpperCase();

const firstLine = (s: string) => {
  const line = s.trim().split(/\r?\n/)[0] ?? '';
  return line.length > PREVIEW_CHARS ? `${line.slice(0, PREVIEW_CHARS - 1)}…` : line;
};

/**
 * A stored text as a reader without reveal rights sees it (tokens shown as their type), or null
 * once the customer is erased and the text no longer decrypts.
 */
export async function storedText(
  keyring: Pick<Keyring, 'decryptFieldText'>,
  tx: Tx,
  field: { tenantId: string; table: string; column: string; rowId: string; subjectId: string },
  v: Buffer,
): Promise<string | null> {
  try {
    return renderStored(await keyring.decryptFieldText(field, Buffer.from(v), tx), false);
  } catch {
    return null;
  }
}

export async function inboxItemExtras(
  tx: Tx,
  keyring: Pick<Keyring, 'decryptFieldText'>,
  tenantId: string,
  userId: string,
  page: ConversationRow[],
) {
  const extras = new Map(
    (
      await inboxExtras(
        tx,
        page.map((c) => c.id),
        userId,
      )
    ).map((e) => [e.conversation_id, e]),
  );
  const decrypt = async (table: string, column: string, rowId: string, subjectId: string, v: Buffer) => {
    const text = await storedText(keyring, tx, { tenantId, table, column, rowId, subjectId }, v);
    return text === null ? null : firstLine(text);
  };
  const out = new Map<
    string,
    { customerRef: string; preview: string | null; waitingSince: string | null; unread: number }
  >();
  for (const c of page) {
    const e = extras.get(c.id);
    const subject = c.subject_enc
      ? await decrypt('conversations', 'subject_enc', c.id, c.customer_id, c.subject_enc)
      : null;
    const last =
      !subject && e?.message_id && e.body_enc && e.subject_id
        ? await decrypt('messages', 'body_enc', e.message_id, e.subject_id, e.body_enc)
        : null;
    out.set(c.id, {
      customerRef: customerRef(tenantId, c.customer_id),
      preview: subject ?? last,
      waitingSince: e?.waiting_since ? new Date(e.waiting_since).toISOString() : null,
      unread: e?.unread ?? 0,
    });
  }
  return out;
}
