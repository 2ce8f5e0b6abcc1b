// Server-side search over the conversations an agent may see, without plaintext in any index.
// Words of the redacted text (as stored: tokens stay tokens and are not indexed) and the words of
// the customer's name are kept as keyed hashes (blind index, kind 'term'); a query's words are
// hashed the same way and must all match. E-mail addresses, phone numbers and customer numbers
// are found through the customers' own blind indexes. Nothing is decrypted to search, and the
// query itself is never logged, audited or put into a URL (POST body only).
import type { Keyring } from '../crypto/index.ts';
import { auditBase, type EventSink } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database, Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { storedText } from './inbox-items.ts';
import * as index from './search-store.ts';
import type { ConversationService, ListInput } from './service.ts';

/** The customers domain's lookups this module uses (blind index and the name to hash). */
export interface CustomerLookups {
  findInTx(
    tx: Tx,
    tenantId: string,
    by: { email?: string; phone?: string; customerNumber?: string },
  ): Promise<string[]>;
  nameInTx(tx: Tx, id: string): Promise<string | null>;
}

export interface SearchDeps {
  db: Pick<Database, 'withTenant'>;
  keyring: Pick<Keyring, 'decryptFieldText' | 'blindIndex'>;
  customers: CustomerLookups;
  conversations: Pick<ConversationService, 'list'>;
  audit: AuditRecorder;
  events: EventSink;
}

const MAX_TERMS = 8;
const BATCH = 100;
const TOKEN_PLACEHOLDER = /\[[A-Z][A-Z_]*(?::tok_[a-z0-9]{20})?\]/g;

/** The words of a text as the index keeps them: letters and digits, at least two characters. */
export function wordsOf(text: string): string[] {
  const clean = text.replace(TOKEN_PLACEHOLDER, ' ').normalize('NFKC').toLocaleLowerCase('und');
  const out = new Set<string>();
  for (const m of clean.matchAll(/[\p{L}\p{N}]+/gu)) if (m[0].length >= 2 && m[0].length <= 64) out.add(m[0]);
  return [...out];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[\d\s()./-]{6,24}$/;

export function createConversationSearch(deps: SearchDeps) {
  const { db, keyring } = deps;
  const queues = new Map<string, Promise<void>>();
  const caughtUp = new Set<string>();

  const hashAll = async (tx: Tx, tenantId: string, words: string[], source: 'text' | 'name') => {
    const out: Array<{ term: Buffer; source: 'text' | 'name' }> = [];
    for (const w of words) out.push({ term: await keyring.blindIndex(tenantId, 'term', w, tx), source });
    return out;
  };

  const decrypt = (
    tx: Tx,
    tenantId: string,
    table: string,
    column: string,
    rowId: string,
    subjectId: string,
    v: Buffer,
  ) => storedText(keyring, tx, { tenantId, table, column, rowId, subjectId }, v);

  /** Indexes what is new in one conversation; wakes it from a snooze when the customer wrote. */
  async function indexConversation(tenantId: string, conversationId: string): Promise<void> {
    const woke = await db.withTenant(tenantId, async (tx) => {
      const c = await index.indexTarget(tx, conversationId);
      if (!c) return null;
      const first = c.indexed_seq === null;
      const words = new Set<string>();
      let nameWords: string[] = [];
      if (first) {
        const subject = c.subject_enc
          ? await decrypt(tx, tenantId, 'conversations', 'subject_enc', c.id, c.customer_id, c.subject_enc)
          : null;
        for (const w of wordsOf(subject ?? '')) words.add(w);
        nameWords = wordsOf((await deps.customers.nameInTx(tx, c.customer_id)) ?? '');
      }
      const msgs = await index.messagesAfter(tx, c.id, c.indexed_seq ?? '0');
      for (const m of msgs) {
        const text = await decrypt(tx, tenantId, 'messages', 'body_enc', m.id, m.subject_id, m.body_enc);
        for (const w of wordsOf(text ?? '')) words.add(w);
      }
      await index.addTerms(tx, tenantId, c.id, [
        ...(await hashAll(tx, tenantId, [...words], 'text')),
        ...(await hashAll(tx, tenantId, nameWords, 'name')),
      ]);
      const last = msgs[msgs.length - 1];
      await index.setIndexed(tx, tenantId, c.id, last?.seq ?? c.indexed_seq ?? '0');
      return msgs.some((m) => m.direction === 'inbound') && !first ? index.wake(tx, c.id) : null;
    });
    // The queue and the assignee are told it is back (the live hub routes by them).
    if (woke) deps.events.publish({ type: 'conversation.updated', tenantId, conversationId, ...woke });
  }

  /** Index jobs run one after another per tenant; a search waits for the ones queued before it. */
  function enqueue(tenantId: string, job: () => Promise<void>): Promise<void> {
    const next = (queues.get(tenantId) ?? Promise.resolve()).then(job).catch(() => {
      // a failed pass leaves indexed_seq where it was: the next message of the conversation retries it
    });
    queues.set(tenantId, next);
    void next.then(() => {
      if (queues.get(tenantId) === next) queues.delete(tenantId);
    });
    return next;
  }

  /** The event hook: every committed message is indexed shortly after. */
  function onEvent(e: { type: string; tenantId: string; conversationId: string }) {
    if (e.type === 'message.created' || e.type === 'conversation.created')
      void enqueue(e.tenantId, () => indexConversation(e.tenantId, e.conversationId));
  }

  /**
   * Once per tenant and process: conversations written while no indexer listened, in batches
   * through the same queue (a batch that came back full queues the next one), so a search waits
   * for one batch at most, never for a whole backlog.
   */
  function catchUp(tenantId: string) {
    if (caughtUp.has(tenantId)) return;
    caughtUp.add(tenantId);
    const batch = async () => {
      const ids = await db.withTenant(tenantId, (tx) => index.stale(tx, BATCH));
      for (const id of ids) await indexConversation(tenantId, id);
      if (ids.length === BATCH) void enqueue(tenantId, batch);
    };
    void enqueue(tenantId, batch);
  }

  /** What the query asks for: term hashes, or customers by e-mail, phone or customer number. */
  async function conditions(tx: Tx, tenantId: string, q: string) {
    const query = q.trim();
    if (EMAIL.test(query))
      return {
        kind: 'email',
        filter: { customerIds: await deps.customers.findInTx(tx, tenantId, { email: query }) },
      };
    if (PHONE.test(query) && /\d{6}/.test(query.replace(/\D/g, '')))
      return {
        kind: 'phone',
        filter: { customerIds: await deps.customers.findInTx(tx, tenantId, { phone: query }) },
      };
    const words = wordsOf(query);
    if (!words.length)
      throw new VigilError('invalid_input', 'the search needs a word of at least two letters');
    if (words.length > MAX_TERMS) throw new VigilError('invalid_input', 'too many words in the search');
    const terms = (await hashAll(tx, tenantId, words, 'text')).map((t) => t.term);
    // One word may also be a customer number (exact, through the customers' blind index).
    const byNumber =
      words.length === 1 && /\d/.test(query) && !/\s/.test(query)
        ? await deps.customers.findInTx(tx, tenantId, { customerNumber: query })
        : [];
    return { kind: 'text', filter: byNumber.length ? { terms, customerIds: byNumber } : { terms } };
  }

  async function search(ctx: TenantContext, body: ListInput & { q: string }) {
    const tenantId = ctx.tenant.id;
    catchUp(tenantId);
    await (queues.get(tenantId) ?? Promise.resolve());
    let kind = 'text';
    const { q, ...list } = body;
    const page = await deps.conversations.list(ctx, list, async (tx) => {
      const c = await conditions(tx, tenantId, q);
      kind = c.kind;
      return c.filter;
    });
    // The kind of search and how many matched; never the query.
    await deps.audit.standalone({
      ...auditBase(ctx),
      action: 'conversation.search',
      resourceType: 'conversation',
      resourceId: null,
      outcome: 'success',
      meta: { kind, count: page.items.length, view: body.view ?? null },
    });
    return page;
  }

  return {
    search,
    onEvent,
    indexConversation,
    idle: (tenantId: string) => queues.get(tenantId) ?? Promise.resolve(),
  };
}

export type ConversationSearch = ReturnType<typeof createConversationSearch>;
