// The shared ingest pipeline. Every text that enters or leaves Vigil through a channel (chat,
// e-mail, voice, notes, agent replies) goes: clean -> scan -> tenant policy -> encrypt -> persist
// + audit, in ONE transaction, before anything is acknowledged. A retry with the same
// idempotency key returns the stored message instead of writing a second one.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { abilityFor } from '../authz/roles.ts';
import type { Keyring } from '../crypto/index.ts';
import { registerEncryptedColumn } from '../crypto/index.ts';
import type { CustomerService } from '../customers/service.ts';
import { applyPolicy, type Channel, type EntityType, type Lang, scanText } from '../pii/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, pgErrorOf, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import type { EventSink } from './events.ts';
import type { PolicyStore } from './policy.ts';
import { cleanText, isBlank } from './text.ts';

registerEncryptedColumn({ table: 'messages', column: 'body_enc' });
registerEncryptedColumn({ table: 'pii_tokens', column: 'value_enc', idColumn: 'token' });
registerEncryptedColumn({ table: 'conversations', column: 'subject_enc' });

export type ConversationChannel = 'chat' | 'email' | 'voice';
export type AuthorType = 'customer' | 'visitor' | 'agent' | 'system' | 'service';

/** Who the message is about when a new conversation is opened; matched by blind index first. */
export interface CustomerRef {
  id?: string;
  email?: string;
  phone?: string;
  name?: string;
  language?: string;
}

export interface IngestInput {
  /** The PII policy channel: the conversation's channel, or 'note' for internal notes. */
  channel: Channel;
  kind?: 'message' | 'note' | 'transcript';
  direction: 'inbound' | 'outbound' | 'internal';
  author: { type: AuthorType; id: string | null };
  text: string;
  /**
   * Channel-scoped and unique per message, e.g. `chat:<visitorId>:<clientMessageId>`,
   * `email:<Message-ID>`, `voice:<callId>:<segmentId>`. Only its SHA-256 is stored.
   */
  idempotencyKey?: string;
  /** Append to this conversation ... */
  conversationId?: string;
  /** ... or open a new one. */
  newConversation?: {
    channel: ConversationChannel;
    customer: CustomerRef;
    queueId?: string | null;
    /** E-mail subject; scanned and encrypted like the body. */
    subject?: string;
    visitorId?: string;
  };
  deliveryState?:
    | 'received'
    | 'pending'
    | 'queued'
    | 'sent'
    | 'deferred'
    | 'bounced'
    | 'delivered'
    | 'failed'
    | 'internal';
  voice?: { speaker: 'customer' | 'agent' | 'ivr' | 'other'; startMs?: number; endMs?: number };
  lang?: Lang;
  /** The audit action; defaults to message.ingest (inbound), message.send, conversation.note. */
  auditAction?: string;
}

export interface IngestResult {
  conversationId: string;
  messageId: string;
  customerId: string;
  /** False when the idempotency key had been seen: nothing was written. */
  created: boolean;
  conversationCreated: boolean;
  queueId: string | null;
  assigneeId: string | null;
  visitorId: string | null;
  /** The stored text (policy applied; tokens rendered as [TYPE:tok_...]). */
  text: string;
  findings: Array<{ type: EntityType; operator: string }>;
}

export interface IngestDeps {
  db: Pick<Database, 'withTenant'>;
  keyring: Pick<Keyring, 'encryptField' | 'decryptFieldText' | 'blindIndex'>;
  audit: AuditRecorder;
  customers: Pick<CustomerService, 'resolveInTx'>;
  policies: PolicyStore;
  events: EventSink;
  /**
   * Routing by language (issue 29): the language of a new chat or e-mail conversation's first
   * customer message and the queue the tenant routes it to (null: the usual default queue).
   */
  routeByLanguage?: (tx: Tx, text: string) => Promise<{ language: string | null; queueId: string | null }>;
}

export const TOKEN_RE = /\[([A-Z_]+):(tok_[a-z0-9]{20})\]/g;
const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const newToken = () => {
  const b = randomBytes(20);
  let s = 'tok_';
  for (const x of b) s += TOKEN_ALPHABET[x % TOKEN_ALPHABET.length];
  return s;
};
export const hashKey = (k: string) => createHash('sha256').update(k, 'utf8').digest('hex');
export const MAX_TEXT = 20_000;

/** Renders stored text for a reader: tokens stay (revealable) or collapse to their type. */
export function renderStored(text: string, canReveal: boolean): string {
  return canReveal ? text : text.replace(TOKEN_RE, (_m, type: string) => `[${type}]`);
}

export const auditActorType = (ctx: TenantContext) =>
  ctx.actor.type === 'anonymous' ? ('system' as const) : ctx.actor.type;

/** The who/where part of an audit event, from the request context (ids only). */
export const auditBase = (ctx: TenantContext) => ({
  tenantId: ctx.tenant.id,
  actorType: auditActorType(ctx),
  actorId: ctx.actor.id,
  ip: ctx.ip || null,
  uaHash: ctx.uaHash || null,
  requestId: ctx.requestId,
});

/** Runs fn; when a concurrent twin won the unique idempotency index, runs it once more (it then finds the twin). */
export async function withIdempotentRetry<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (pgErrorOf(e).code === '23505') return fn();
    throw e;
  }
}

const reopenOn = (input: IngestInput) =>
  input.direction === 'inbound'
    ? sql`, status = case when status in ('resolved', 'closed') then 'open' else status end`
    : sql``;

export function createIngest(deps: IngestDeps) {
  const { keyring, audit, customers, policies } = deps;

  /** Applies the tenant policy to one text; tokenized originals go to pii_tokens, encrypted. */
  async function protect(
    tx: Tx,
    tenantId: string,
    text: string,
    channel: Channel,
    lang: Lang | undefined,
    owner: { conversationId: string; messageId: string; subjectId: string },
    opts: { deferTokens?: boolean } = {},
  ) {
    const policy = await policies.policyFor(tx, tenantId);
    const tokens: SQL[] = [];
    const spans = scanText(text, { channel, ...(lang ? { lang } : {}) });
    let pseudonymKey: Buffer | undefined;
    const needsPseudonym = spans.some((s) => {
      const ch = policy.channels?.[channel];
      const op =
        ch?.entities?.[s.type]?.operator ??
        policy.entities[s.type]?.operator ??
        ch?.defaultOperator ??
        policy.defaultOperator;
      return op === 'pseudonymize';
    });
    if (needsPseudonym)
      pseudonymKey = await keyring.blindIndex(tenantId, 'customer_number', 'vigil-pseudonym-key-v1', tx);
    const out = await applyPolicy(text, spans, policy, channel, {
      ...(pseudonymKey ? { pseudonymKey } : {}),
      tokenize: async (type, value) => {
        const token = newToken();
        const enc = await keyring.encryptField(
          { tenantId, table: 'pii_tokens', column: 'value_enc', rowId: token, subjectId: owner.subjectId },
          value,
          tx,
        );
        tokens.push(
          sql`(${token}, ${tenantId}::uuid, ${owner.conversationId}::uuid, ${owner.messageId}::uuid, ${owner.subjectId}::uuid, ${type}, ${enc})`,
        );
        return `[${type}:${token}]`;
      },
    });
    // One statement for all of a text's tokens; the caller may fold it into its own insert.
    const tokenInsert = tokens.length
      ? sql`insert into pii_tokens (token, tenant_id, conversation_id, message_id, subject_id, entity_type, value_enc)
            values ${sql.join(tokens, sql`, `)}`
      : null;
    if (tokenInsert && !opts.deferTokens) await tx.execute(tokenInsert);
    return {
      text: out.text,
      findings: out.findings.map((f) => ({ type: f.type, operator: f.operator })),
      tokenInsert: opts.deferTokens ? tokenInsert : null,
    };
  }

  async function defaultQueue(tx: Tx, channel: ConversationChannel): Promise<string | null> {
    if (channel === 'chat') {
      const [w] = await rows<{ queue_id: string | null }>(tx, sql`select queue_id from chat_widget_settings`);
      if (w?.queue_id) return w.queue_id;
    }
    const [q] = await rows<{ id: string }>(tx, sql`select id from queues order by created_at, name limit 1`);
    return q?.id ?? null;
  }

  async function resolveCustomer(
    tx: Tx,
    tenantId: string,
    ref: CustomerRef,
    source: string,
  ): Promise<string> {
    if (ref.id) {
      const [c] = await rows<{ id: string }>(
        tx,
        sql`select coalesce(merged_into, id) as id from customers where id = ${ref.id}`,
      );
      if (!c) throw new VigilError('not_found', 'customer not found');
      return c.id;
    }
    // Matched by contact key (unique per tenant and identifier): concurrent first contacts of
    // one sender end up with one customer.
    return customers.resolveInTx(
      tx,
      tenantId,
      { email: ref.email, phone: ref.phone },
      {
        ...(ref.name ? { name: cleanText(ref.name).slice(0, 200) } : {}),
        ...(ref.email ? { emails: [ref.email] } : {}),
        ...(ref.phone ? { phones: [ref.phone] } : {}),
        ...(ref.language && /^[a-z]{2}$/.test(ref.language) ? { language: ref.language } : {}),
      },
      source,
    );
  }

  /**
   * Opens a conversation (customer matched by blind index or created, default queue) without a
   * message: calls start this way. The subject line, if any, goes through the policy too.
   */
  async function openConversationInTx(
    tx: Tx,
    ctx: TenantContext,
    nc: NonNullable<IngestInput['newConversation']>,
    opts: {
      messageId?: string;
      lang?: Lang | undefined;
      conversationId?: string;
      routed?: { language: string | null; queueId: string | null };
    } = {},
  ) {
    const tenantId = ctx.tenant.id;
    const customerId = await resolveCustomer(tx, tenantId, nc.customer, nc.channel);
    let queueId: string | null;
    // A language route is the tenant's explicit choice for this language: it wins over the
    // address's or the widget's default queue.
    if (opts.routed?.queueId) queueId = opts.routed.queueId;
    else if (nc.queueId === undefined || nc.queueId === null) queueId = await defaultQueue(tx, nc.channel);
    else {
      // The foreign key alone would accept another tenant's queue: check it under RLS.
      const [q] = await rows<{ id: string }>(tx, sql`select id from queues where id = ${nc.queueId}`);
      if (!q) throw new VigilError('invalid_input', 'unknown queue');
      queueId = q.id;
    }
    const conversationId = opts.conversationId ?? randomUUID();
    const visitorId = nc.visitorId ?? null;
    const findings: IngestResult['findings'] = [];
    let subjectEnc: Buffer | null = null;
    // The conversation row must exist before tokens reference it.
    await tx.execute(sql`insert into conversations (id, tenant_id, customer_id, channel, queue_id, visitor_id, language)
      values (${conversationId}, ${tenantId}, ${customerId}, ${nc.channel}, ${queueId}, ${visitorId}, ${opts.routed?.language ?? null})`);
    if (nc.subject && !isBlank(cleanText(nc.subject))) {
      const p = await protect(tx, tenantId, cleanText(nc.subject).slice(0, 998), nc.channel, opts.lang, {
        conversationId,
        messageId: opts.messageId ?? conversationId,
        subjectId: customerId,
      });
      findings.push(...p.findings);
      subjectEnc = await keyring.encryptField(
        {
          tenantId,
          table: 'conversations',
          column: 'subject_enc',
          rowId: conversationId,
          subjectId: customerId,
        },
        p.text,
        tx,
      );
      await tx.execute(
        sql`update conversations set subject_enc = ${subjectEnc} where id = ${conversationId}`,
      );
    }
    return { conversationId, customerId, queueId, visitorId, findings };
  }

  /**
   * The pipeline inside the caller's transaction (channels that write more in the same
   * transaction, e.g. the chat visitor row). Publish `result` with `publish()` after commit.
   */
  async function ingestInTx(
    tx: Tx,
    ctx: TenantContext,
    input: IngestInput,
    opts: { checkDuplicate?: boolean } = {},
  ): Promise<IngestResult> {
    const tenantId = ctx.tenant.id;
    const text = cleanText(input.text);
    if (isBlank(text)) throw new VigilError('invalid_input', 'the message is empty');
    if (text.length > MAX_TEXT) throw new VigilError('payload_too_large', 'the message is too long');
    const idem = input.idempotencyKey ? hashKey(input.idempotencyKey) : null;

    // ingestMessage skips the look-up on its first attempt: the unique index refuses a twin and
    // the retry (with the look-up) then answers with the stored message.
    if (idem && opts.checkDuplicate !== false) {
      const [dup] = await rows<{
        id: string;
        conversation_id: string;
        subject_id: string;
        body_enc: Buffer;
        customer_id: string;
        queue_id: string | null;
        assignee_id: string | null;
        visitor_id: string | null;
        findings: IngestResult['findings'];
      }>(
        tx,
        sql`select m.id, m.conversation_id, m.subject_id, m.body_enc, m.findings, c.customer_id, c.queue_id, c.assignee_id, c.visitor_id
            from messages m join conversations c on c.id = m.conversation_id
            where m.tenant_id = ${tenantId} and m.idem_hash = ${idem}`,
      );
      if (dup) {
        const stored = await keyring.decryptFieldText(
          { tenantId, table: 'messages', column: 'body_enc', rowId: dup.id, subjectId: dup.subject_id },
          Buffer.from(dup.body_enc),
          tx,
        );
        return {
          conversationId: dup.conversation_id,
          messageId: dup.id,
          customerId: dup.customer_id,
          created: false,
          conversationCreated: false,
          queueId: dup.queue_id,
          assigneeId: dup.assignee_id,
          visitorId: dup.visitor_id,
          text: stored,
          findings: dup.findings,
        };
      }
    }

    let conversationId: string;
    let customerId: string;
    let queueId: string | null;
    let assigneeId: string | null = null;
    let visitorId: string | null = null;
    let conversationCreated = false;
    const messageId = randomUUID();
    const findings: IngestResult['findings'] = [];

    if (input.conversationId) {
      const [c] = await rows<{
        id: string;
        customer_id: string;
        queue_id: string | null;
        assignee_id: string | null;
        visitor_id: string | null;
        status: string;
      }>(
        tx,
        // Locks the row and records the new message's time in one round trip; a customer
        // writing again re-opens a resolved conversation.
        sql`update conversations set last_message_at = now(), updated_at = now() ${reopenOn(input)}
            where id = ${input.conversationId}
            returning id, customer_id, queue_id, assignee_id, visitor_id, status`,
      );
      if (!c) throw new VigilError('not_found', 'conversation not found');
      conversationId = c.id;
      customerId = c.customer_id;
      queueId = c.queue_id;
      assigneeId = c.assignee_id;
      visitorId = c.visitor_id;
    } else if (input.newConversation) {
      const nc = input.newConversation;
      const routable = input.direction === 'inbound' && (nc.channel === 'chat' || nc.channel === 'email');
      const opened = await openConversationInTx(tx, ctx, nc, {
        messageId,
        lang: input.lang,
        ...(routable && deps.routeByLanguage ? { routed: await deps.routeByLanguage(tx, text) } : {}),
      });
      conversationId = opened.conversationId;
      customerId = opened.customerId;
      queueId = opened.queueId;
      visitorId = opened.visitorId;
      findings.push(...opened.findings);
      conversationCreated = true;
    } else {
      throw new VigilError('invalid_input', 'a message needs a conversation');
    }

    const p = await protect(
      tx,
      tenantId,
      text,
      input.channel,
      input.lang,
      { conversationId, messageId, subjectId: customerId },
      { deferTokens: true },
    );
    findings.push(...p.findings);
    const body = await keyring.encryptField(
      { tenantId, table: 'messages', column: 'body_enc', rowId: messageId, subjectId: customerId },
      p.text,
      tx,
    );
    const kind = input.kind ?? (input.channel === 'note' ? 'note' : 'message');
    const delivery =
      input.deliveryState ??
      (input.direction === 'internal' ? 'internal' : input.direction === 'inbound' ? 'received' : 'pending');
    const counts: Record<string, number> = {};
    for (const f of findings) counts[f.operator] = (counts[f.operator] ?? 0) + 1;
    const auditEvent = {
      ...auditBase(ctx),
      action:
        input.auditAction ??
        (input.direction === 'internal'
          ? 'conversation.note'
          : input.direction === 'inbound'
            ? 'message.ingest'
            : 'message.send'),
      resourceType: 'conversation',
      resourceId: conversationId,
      outcome: 'success',
      meta: {
        messageId,
        customerId,
        channel: input.channel,
        kind,
        findings: findings.length,
        redacted: counts.redact ?? 0,
        masked: counts.mask ?? 0,
        tokenized: counts.tokenize ?? 0,
      },
    } as const;
    // The message, its tokens and the audit event in one statement.
    await audit.inTxWith(
      tx,
      auditEvent,
      (auditCte) => sql`with ${auditCte}${p.tokenInsert ? sql`, pii_t as (${p.tokenInsert})` : sql``}
      insert into messages
        (id, tenant_id, conversation_id, subject_id, channel, kind, direction, author_type, author_id,
         body_enc, findings, delivery_state, idem_hash, speaker, start_ms, end_ms)
      values (${messageId}, ${tenantId}, ${conversationId}, ${customerId}, ${input.channel}, ${kind}, ${input.direction},
        ${input.author.type}, ${input.author.id}, ${body}, ${JSON.stringify(p.findings)}::jsonb, ${delivery}, ${idem},
        ${input.voice?.speaker ?? null}, ${input.voice?.startMs ?? null}, ${input.voice?.endMs ?? null})`,
    );
    return {
      conversationId,
      messageId,
      customerId,
      created: true,
      conversationCreated,
      queueId,
      assigneeId,
      visitorId,
      text: p.text,
      findings,
    };
  }

  function publish(ctx: TenantContext, r: IngestResult): void {
    if (!r.created) return;
    const base = {
      tenantId: ctx.tenant.id,
      conversationId: r.conversationId,
      queueId: r.queueId,
      assigneeId: r.assigneeId,
    };
    if (r.conversationCreated) deps.events.publish({ ...base, type: 'conversation.created' });
    deps.events.publish({ ...base, type: 'message.created', messageId: r.messageId });
  }

  /**
   * The entry point for channels: one transaction, committed before it returns. Safe to call
   * again with the same idempotency key (returns the stored ids with created = false).
   */
  async function ingestMessage(ctx: TenantContext, input: IngestInput): Promise<IngestResult> {
    let attempt = 0;
    const r = await withIdempotentRetry(() =>
      deps.db.withTenant(ctx.tenant.id, (tx) =>
        ingestInTx(tx, ctx, input, { checkDuplicate: attempt++ > 0 }),
      ),
    );
    publish(ctx, r);
    return r;
  }

  return { ingestMessage, ingestInTx, openConversationInTx, publish, protect };
}

export type Ingest = ReturnType<typeof createIngest>;

/** A request context for work without an HTTP request (SMTP, jobs, the demo seed). */
export function systemContext(
  tenant: TenantContext['tenant'],
  opts: { requestId?: string; actor?: TenantContext['actor']; ip?: string } = {},
): TenantContext {
  return {
    requestId: opts.requestId ?? randomUUID(),
    ip: opts.ip ?? '',
    uaHash: '',
    actor: opts.actor ?? { type: 'system', id: null },
    tenant,
    roles: [],
    // No permissions: the pipeline itself needs none; routes check abilities before calling it.
    ability: emptyAbility(),
  };
}

const emptyAbility = () => abilityFor([]);
