// Inbox items as an agent scans them: a pseudonymous customer reference (never a name in the
// list), a preview of the latest customer message or the subject (as stored: redacted by the
// tenant's policy, tokens shown only as their type), how long the customer has waited, and the
// reader's unread count, and where the conversation stands against its service-level target.
import { createHash } from 'node:crypto';
import type { Keyring } from '../crypto/index.ts';
import { renderStored } from '../ingest/index.ts';
import type { Tx } from '../platform/db.ts';
import { type InboxExtraRow, inboxExtras } from './inbox-store.ts';
import { serviceLevelStore, type TargetRow } from './service-level-store.ts';
import { DEFAULT_TARGET_SECONDS } from './service-levels.ts';
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

/** The last quarter of a target is "due soon". */
const DUE_SOON_SHARE = 0.25;

export type SlaState = 'ok' | 'due_soon' | 'breached' | 'none';
export interface ItemSla {
  targetSeconds: number;
  dueAt: string | null;
  state: SlaState;
}

/** The channel's own target of the queue, else the queue's 'any', else the default (as service-levels.ts). */
function targetSecondsOf(targets: TargetRow[], c: Pick<ConversationRow, 'queue_id' | 'channel'>) {
  const ofQueue = targets.filter((t) => t.queue_id === c.queue_id);
  return (
    ofQueue.find((t) => t.channel === c.channel)?.target_seconds ??
    ofQueue.find((t) => t.channel === 'any')?.target_seconds ??
    DEFAULT_TARGET_SECONDS
  );
}

/**
 * The service level of one item. Only an open conversation whose customer waits for an answer
 * runs against the clock: until the first agent answer it runs from the conversation's creation
 * (the moment the breach check in service-level-store.ts measures from), afterwards from the
 * customer's latest unanswered message. Past the target (strictly) is a breach, as there.
 */
export function itemSla(
  c: Pick<ConversationRow, 'queue_id' | 'channel' | 'status' | 'created_at'>,
  e: Pick<InboxExtraRow, 'waiting_since' | 'answered'> | undefined,
  targets: TargetRow[],
  now: number,
): ItemSla {
  const targetSeconds = targetSecondsOf(targets, c);
  if (c.status !== 'open' || !e?.waiting_since) return { targetSeconds, dueAt: null, state: 'none' };
  const since = new Date(e.answered ? e.waiting_since : c.created_at).getTime();
  const due = since + targetSeconds * 1000;
  const state: SlaState =
    now > due ? 'breached' : now >= due - targetSeconds * 1000 * DUE_SOON_SHARE ? 'due_soon' : 'ok';
  return { targetSeconds, dueAt: new Date(due).toISOString(), state };
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
  // One read of the tenant's targets for the whole page (a handful of rows per tenant).
  const targets = page.length ? await serviceLevelStore.listTargets(tx) : [];
  const now = Date.now();
  const decrypt = async (table: string, column: string, rowId: string, subjectId: string, v: Buffer) => {
    const text = await storedText(keyring, tx, { tenantId, table, column, rowId, subjectId }, v);
    return text === null ? null : firstLine(text);
  };
  const out = new Map<
    string,
    { customerRef: string; preview: string | null; waitingSince: string | null; unread: number; sla: ItemSla }
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
      sla: itemSla(c, e, targets, now),
    });
  }
  return out;
}
