// The e-mail channel: inbound mail (already parsed) through the shared pipeline with threading,
// sanitized HTML and encrypted attachments; agent replies through the relay with threading
// headers, delivery state on the message and bounded retries. No addresses, subjects or
// Message-IDs in logs or audit events: ids and error codes only.
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { ConversationService, EmailDeliveryState } from '../../conversations/service.ts';
import type { Keyring } from '../../crypto/index.ts';
import { registerEncryptedColumn } from '../../crypto/index.ts';
import { type Ingest, type IngestResult, renderStored, systemContext } from '../../ingest/index.ts';
import type { FileScanService } from '../../malware/index.ts';
import { scanText } from '../../pii/index.ts';
import type { TenantContext } from '../../platform/context.ts';
import { type Database, rows, type Tx } from '../../platform/db.ts';
import { screenAttachments } from './attachments.ts';
import { htmlFromText, htmlToText, sanitizeEmailHtml } from './html.ts';

registerEncryptedColumn({ table: 'email_messages', column: 'headers_enc' });
registerEncryptedColumn({ table: 'email_messages', column: 'html_enc' });
registerEncryptedColumn({ table: 'email_attachments', column: 'filename_enc' });
registerEncryptedColumn({ table: 'email_attachments', column: 'content_enc' });

const MAX_BODY = 19_000;
const MAX_ATTEMPTS = 8;

/** Stored (encrypted) header values needed to answer and to thread. */
interface StoredHeaders {
  messageId: string;
  references: string[];
  /** Inbound: where replies go; outbound: the recipient. */
  peer: string | null;
  /** Inbound: the tenant address it was sent to; outbound: our from-address. */
  own: string | null;
  subject?: string;
  inReplyTo?: string | null;
}

export interface Recipient {
  tenantId: string;
  queueId: string | null;
  address: string;
}

/** `<Abc@Host>` → `abc@host` (what threading compares). */
export const normalizeMessageId = (id: string) => id.trim().replace(/^<|>$/g, '').trim().toLowerCase();
export const hashMessageId = (id: string) =>
  createHash('sha256')
    .update(`email-msgid:${normalizeMessageId(id)}`, 'utf8')
    .digest('hex');

const msgIdList = (v: string | string[] | undefined): string[] => {
  const all = (Array.isArray(v) ? v : v ? [v] : []).flatMap((x) => x.match(/<[^<>\s]{1,250}>/g) ?? []);
  return all.slice(-30);
};

export class EmailError extends Error {
  constructor(
    readonly code: string,
    readonly smtp: number,
  ) {
    super(code);
  }
}

export interface EmailDeps {
  db: Database;
  keyring: Pick<Keyring, 'encryptField' | 'decryptFieldText' | 'decryptField'>;
  ingest: Pick<Ingest, 'ingestInTx' | 'publish'>;
  conversations: Pick<ConversationService, 'setEmailSender'>;
  logger: Pick<Logger, 'warn' | 'info' | 'error'>;
  hostname: string;
  relayUrl?: string | undefined;
  retryBaseSeconds: number;
  /** Upper bound for one relay attempt inside an HTTP request. */
  sendTimeoutMs?: number;
  /** Inspection, scan state and scanning of attachments (issue 26). */
  files: Pick<FileScanService, 'inspect' | 'register' | 'kick' | 'statesOf'>;
}

export function createEmailService(deps: EmailDeps) {
  const { db, keyring, ingest, logger } = deps;
  const sendTimeoutMs = deps.sendTimeoutMs ?? 4000;

  const enc = (
    tx: Tx,
    tenantId: string,
    table: string,
    column: string,
    rowId: string,
    subjectId: string,
    v: string | Buffer,
  ) => keyring.encryptField({ tenantId, table, column, rowId, subjectId }, v, tx);
  const decText = (
    tx: Tx,
    tenantId: string,
    table: string,
    column: string,
    rowId: string,
    subjectId: string,
    v: Buffer,
  ) => keyring.decryptFieldText({ tenantId, table, column, rowId, subjectId }, Buffer.from(v), tx);

  async function tenantCtx(tx: Tx, tenantId: string, requestId?: string): Promise<TenantContext> {
    const [t] = await rows<{ id: string; slug: string; name: string }>(
      tx,
      sql`select id, slug, name from tenants where id = ${tenantId}`,
    );
    if (!t) throw new EmailError('unknown_tenant', 550);
    return systemContext(t, { ...(requestId ? { requestId } : {}) });
  }

  /** The tenant and queue an address receives mail for (platform-level lookup, one function). */
  async function resolveRecipient(address: string): Promise<Recipient | null> {
    const a = address.trim().toLowerCase();
    if (a.length < 3 || a.length > 254) return null;
    const [r] = await db.withPlatform((tx) =>
      rows<{ tenant_id: string; queue_id: string | null }>(
        tx,
        sql`select tenant_id, queue_id from vigil_inbound_address(${a})`,
      ),
    );
    return r ? { tenantId: r.tenant_id, queueId: r.queue_id, address: a } : null;
  }

  /**
   * Stores one parsed message for one recipient tenant: pipeline (text + subject), e-mail row,
   * sanitized HTML, attachments — one transaction, committed before it returns.
   */
  async function receive(
    mail: ParsedMail,
    rcpt: Recipient,
    opts: { rawHash: string; envelopeFrom: string | null; sessionId?: string },
  ): Promise<{ conversationId: string; messageId: string; created: boolean }> {
    const rawId =
      mail.messageId && /^<[^<>\s]{1,250}>$/.test(mail.messageId.trim()) ? mail.messageId.trim() : null;
    const threadKey = rawId ? normalizeMessageId(rawId) : `raw:${opts.rawHash}`;
    const msgidHash = rawId ? hashMessageId(rawId) : createHash('sha256').update(threadKey).digest('hex');
    const refs = [...msgIdList(mail.references), ...msgIdList(mail.inReplyTo)];
    const from = mail.from?.value.find((a) => a.address)?.address ?? opts.envelopeFrom ?? null;
    const replyTo = mail.replyTo?.value.find((a) => a.address)?.address ?? from;
    const name = mail.from?.value.find((a) => a.address)?.name || undefined;

    let text = (mail.text ?? '').trim();
    const html = typeof mail.html === 'string' && mail.html ? sanitizeEmailHtml(mail.html) : null;
    if (!text && html) text = htmlToText(html).trim();
    if (text.length > MAX_BODY) text = `${text.slice(0, MAX_BODY)}\n[…]`;
    if (!text.replace(/[\s\p{C}]/gu, '')) text = '(no text)';

    const screened = await screenAttachments(mail.attachments ?? [], deps.files);
    const r = await db.withTenant(rcpt.tenantId, async (tx) => {
      const ctx = await tenantCtx(tx, rcpt.tenantId);
      let conversationId: string | undefined;
      if (refs.length) {
        const hashes = refs.map(hashMessageId);
        const [hit] = await rows<{ conversation_id: string }>(
          tx,
          sql`select e.conversation_id from email_messages e join conversations c on c.id = e.conversation_id
              where e.msgid_hash in (${sql.join(
                hashes.map((h) => sql`${h}`),
                sql`, `,
              )}) and c.status <> 'closed' order by e.created_at desc limit 1`,
        );
        conversationId = hit?.conversation_id;
      }
      const res: IngestResult = await ingest.ingestInTx(tx, ctx, {
        channel: 'email',
        direction: 'inbound',
        author: { type: 'customer', id: null },
        text,
        idempotencyKey: `email:${threadKey}`,
        ...(conversationId
          ? { conversationId }
          : {
              newConversation: {
                channel: 'email' as const,
                customer: { ...(from ? { email: from } : {}), ...(name ? { name } : {}) },
                queueId: rcpt.queueId,
                ...(mail.subject ? { subject: mail.subject } : {}),
              },
            }),
      });
      if (!res.created) return { ctx, res };
      const headers: StoredHeaders = {
        messageId: rawId ?? '',
        references: msgIdList(mail.references)
          .concat(rawId ? [rawId] : [])
          .slice(-30),
        peer: replyTo,
        own: rcpt.address,
        // No subject here: the raw subject never bypasses the policy (the conversation keeps the
        // redacted one, which replies use).
      };
      // The PII scan ran on the text. The sanitized HTML is kept as it is only when the policy
      // changed nothing in the text and a scan of the HTML's own text finds nothing either;
      // otherwise the stored HTML is derived from the redacted text.
      let storedHtml: string | null = null;
      if (html) {
        const clean =
          res.findings.length === 0 && scanText(htmlToText(html), { channel: 'email' }).length === 0;
        storedHtml = clean ? html : htmlFromText(res.text);
      }
      const t = rcpt.tenantId;
      const sid = res.customerId;
      await tx.execute(sql`insert into email_messages (id, tenant_id, conversation_id, subject_id, direction, msgid_hash, headers_enc, html_enc, dropped)
        values (${res.messageId}, ${t}, ${res.conversationId}, ${sid}, 'inbound', ${msgidHash},
          ${await enc(tx, t, 'email_messages', 'headers_enc', res.messageId, sid, JSON.stringify(headers))},
          ${storedHtml ? await enc(tx, t, 'email_messages', 'html_enc', res.messageId, sid, storedHtml) : null},
          ${JSON.stringify(screened.dropped)}::jsonb)`);
      for (const { part: a, verdict } of screened.kept) {
        const id = randomUUID();
        await tx.execute(sql`insert into email_attachments (id, tenant_id, message_id, subject_id, content_type, size, filename_enc, content_enc)
          values (${id}, ${t}, ${res.messageId}, ${sid}, ${verdict.type}, ${a.content.length},
            ${a.filename ? await enc(tx, t, 'email_attachments', 'filename_enc', id, sid, a.filename.slice(0, 255)) : null},
            ${await enc(tx, t, 'email_attachments', 'content_enc', id, sid, a.content)})`);
        const declaredType = (a.contentType || 'application/octet-stream').toLowerCase();
        const file = {
          fileId: id,
          tenantId: t,
          source: 'email' as const,
          conversationId: res.conversationId,
        };
        await deps.files.register(tx, { ...file, subjectId: sid, declaredType, data: a.content }, verdict);
      }
      return { ctx, res };
    });
    ingest.publish(r.ctx, r.res);
    if (r.res.created && screened.kept.length) deps.files.kick();
    return { conversationId: r.res.conversationId, messageId: r.res.messageId, created: r.res.created };
  }

  // ---- outbound -------------------------------------------------------------------------------

  const transport = deps.relayUrl
    ? nodemailer.createTransport(deps.relayUrl, {
        connectionTimeout: 3000,
        greetingTimeout: 3000,
        socketTimeout: 5000,
      } as never)
    : null;

  const errorCode = (e: unknown): string => {
    const x = e as { code?: string; responseCode?: number };
    if (x.responseCode) return `smtp_${x.responseCode}`;
    if (x.code === 'timeout') return 'timeout';
    return (x.code ?? 'relay_error')
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .slice(0, 40);
  };

  /** Loads what the relay needs for one outbound message (inside the tenant's transaction). */
  async function loadOutbound(tx: Tx, tenantId: string, messageId: string) {
    const [m] = await rows<{
      id: string;
      subject_id: string;
      headers_enc: Buffer;
      body_enc: Buffer;
      attempts: number;
    }>(
      tx,
      sql`select e.id, e.subject_id, e.headers_enc, m.body_enc, e.attempts from email_messages e join messages m on m.id = e.id
          where e.id = ${messageId} and e.direction = 'outbound'`,
    );
    if (!m) return null;
    const headers = JSON.parse(
      await decText(tx, tenantId, 'email_messages', 'headers_enc', m.id, m.subject_id, m.headers_enc),
    ) as StoredHeaders;
    const body = renderStored(
      await decText(tx, tenantId, 'messages', 'body_enc', m.id, m.subject_id, m.body_enc),
      false,
    );
    return { headers, body, attempts: m.attempts };
  }

  async function relay(h: StoredHeaders, body: string): Promise<void> {
    if (!transport) throw Object.assign(new Error('no relay'), { code: 'no_relay' });
    if (!h.peer || !h.own) throw Object.assign(new Error('no recipient'), { code: 'no_recipient' });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        transport.sendMail({
          from: h.own,
          to: h.peer,
          subject: h.subject ?? '',
          text: body,
          messageId: h.messageId,
          ...(h.inReplyTo ? { inReplyTo: h.inReplyTo } : {}),
          ...(h.references.length ? { references: h.references } : {}),
        }),
        new Promise((_r, rej) => {
          timer = setTimeout(
            () => rej(Object.assign(new Error('timeout'), { code: 'timeout' })),
            sendTimeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  const backoffSeconds = (attempts: number) => Math.min(deps.retryBaseSeconds * 2 ** (attempts - 1), 3600);

  async function recordAttempt(tenantId: string, messageId: string, attempts: number, err: unknown | null) {
    await db.withTenant(tenantId, async (tx) => {
      if (err === null) {
        await tx.execute(
          sql`update email_messages set attempts = ${attempts}, delivery_error = null, next_attempt_at = null where id = ${messageId}`,
        );
        await tx.execute(sql`update messages set delivery_state = 'sent' where id = ${messageId}`);
      } else {
        const next =
          retryable(err) && attempts < MAX_ATTEMPTS
            ? new Date(Date.now() + backoffSeconds(attempts) * 1000)
            : null;
        await tx.execute(sql`update email_messages set attempts = ${attempts}, delivery_error = ${errorCode(err)},
          next_attempt_at = ${next ? next.toISOString() : null}::timestamptz where id = ${messageId}`);
        await tx.execute(
          sql`update messages set delivery_state = ${next ? 'deferred' : 'bounced'} where id = ${messageId}`,
        );
      }
    });
  }

  /** A permanent refusal (5xx) bounces at once; a temporary one (4xx, timeout, network) is retried. */
  const retryable = (e: unknown) => !((e as { responseCode?: number }).responseCode! >= 500);

  async function attempt(tenantId: string, messageId: string): Promise<EmailDeliveryState> {
    const loaded = await db.withTenant(tenantId, (tx) => loadOutbound(tx, tenantId, messageId));
    if (!loaded) return 'bounced';
    const attempts = loaded.attempts + 1;
    try {
      await relay(loaded.headers, loaded.body);
      await recordAttempt(tenantId, messageId, attempts, null);
      return 'sent';
    } catch (e) {
      logger.warn({ tenantId, messageId, attempts, code: errorCode(e) }, 'e-mail delivery failed');
      await recordAttempt(tenantId, messageId, attempts, e);
      return retryable(e) && attempts < MAX_ATTEMPTS ? 'deferred' : 'bounced';
    }
  }

  /** The headers of the customer's latest mail in the conversation (where answers go), or null. */
  async function lastInboundHeaders(tx: Tx, tenantId: string, conversationId: string) {
    const [last] = await rows<{ id: string; subject_id: string; headers_enc: Buffer }>(
      tx,
      sql`select id, subject_id, headers_enc from email_messages where conversation_id = ${conversationId}
          and direction = 'inbound' order by created_at desc limit 1`,
    );
    if (!last) return null;
    const raw = await decText(
      tx,
      tenantId,
      'email_messages',
      'headers_enc',
      last.id,
      last.subject_id,
      last.headers_enc,
    );
    return JSON.parse(raw) as StoredHeaders;
  }

  /** The agent reply path (injected into the conversation service). */
  async function sendReply(
    ctx: TenantContext,
    reply: { conversationId: string; messageId: string; text: string },
  ): Promise<{ deliveryState: EmailDeliveryState }> {
    const tenantId = ctx.tenant.id;
    await db.withTenant(tenantId, async (tx) => {
      const prev = await lastInboundHeaders(tx, tenantId, reply.conversationId);
      const [conv] = await rows<{ customer_id: string; subject_enc: Buffer | null }>(
        tx,
        sql`select customer_id, subject_enc from conversations where id = ${reply.conversationId}`,
      );
      if (!conv) return;
      let own = prev?.own ?? null;
      if (!own) {
        const [a] = await rows<{ address: string }>(
          tx,
          sql`select address from email_inbound_addresses order by created_at limit 1`,
        );
        own = a?.address ?? null;
      }
      let subject = '';
      if (!subject && conv.subject_enc)
        subject = renderStored(
          await decText(
            tx,
            tenantId,
            'conversations',
            'subject_enc',
            reply.conversationId,
            conv.customer_id,
            conv.subject_enc,
          ),
          false,
        );
      const ourId = `<${randomUUID()}@${deps.hostname}>`;
      const headers: StoredHeaders = {
        messageId: ourId,
        inReplyTo: prev?.messageId || null,
        references: [...(prev?.references ?? [])].slice(-29),
        peer: prev?.peer ?? null,
        own,
        subject: /^re:/i.test(subject) ? subject : `Re: ${subject}`.trim(),
      };
      if (headers.inReplyTo && !headers.references.includes(headers.inReplyTo))
        headers.references.push(headers.inReplyTo);
      await tx.execute(sql`insert into email_messages (id, tenant_id, conversation_id, subject_id, direction, msgid_hash, headers_enc)
        values (${reply.messageId}, ${tenantId}, ${reply.conversationId}, ${conv.customer_id}, 'outbound', ${hashMessageId(ourId)},
          ${await enc(tx, tenantId, 'email_messages', 'headers_enc', reply.messageId, conv.customer_id, JSON.stringify(headers))})`);
    });
    return { deliveryState: await attempt(tenantId, reply.messageId) };
  }

  /**
   * A notice in the conversation's thread that is not an agent message (the satisfaction survey,
   * issue 29): sent once through the relay to the customer's address, not stored as a message.
   */
  async function sendNotice(
    tenantId: string,
    conversationId: string,
    notice: { subject: string; text: string },
  ): Promise<void> {
    const prev = await db.withTenant(tenantId, (tx) => lastInboundHeaders(tx, tenantId, conversationId));
    if (!prev) return;
    await relay(
      {
        messageId: `<${randomUUID()}@${deps.hostname}>`,
        inReplyTo: prev.messageId || null,
        references: [...prev.references, ...(prev.messageId ? [prev.messageId] : [])].slice(-30),
        peer: prev.peer,
        own: prev.own,
        subject: notice.subject,
      },
      notice.text,
    );
  }

  // ---- retries --------------------------------------------------------------------------------

  const inFlight = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  async function retryDue(): Promise<number> {
    // Ids only, across tenants: the one platform-level read of the retry job.
    const due = await db.withOwner((tx) =>
      rows<{ id: string; tenant_id: string }>(
        tx,
        sql`select id, tenant_id from email_messages where next_attempt_at is not null and next_attempt_at <= now()
            and direction = 'outbound' order by next_attempt_at limit 20`,
      ),
    );
    let n = 0;
    for (const d of due) {
      if (inFlight.has(d.id)) continue;
      inFlight.add(d.id);
      try {
        await attempt(d.tenant_id, d.id);
        n++;
      } catch (e) {
        logger.error({ messageId: d.id, code: errorCode(e) }, 'e-mail retry failed');
      } finally {
        inFlight.delete(d.id);
      }
    }
    return n;
  }

  function startRetries(intervalMs = 1000) {
    if (timer || !transport) return;
    timer = setInterval(() => {
      if (running) return;
      running = retryDue()
        .catch((e) => logger.error({ code: errorCode(e) }, 'e-mail retry scan failed'))
        .then(() => {
          running = null;
        });
    }, intervalMs);
    timer.unref();
  }

  async function stop() {
    if (timer) clearInterval(timer);
    timer = null;
    await running;
    transport?.close();
  }

  // ---- agent view -----------------------------------------------------------------------------

  async function details(ctx: TenantContext, conversationId: string) {
    const tenantId = ctx.tenant.id;
    const canReveal = ctx.ability.can('reveal', 'Customer');
    return db.withTenant(tenantId, async (tx) => {
      const list = await rows<{
        id: string;
        subject_id: string;
        direction: string;
        html_enc: Buffer | null;
        dropped: Array<{ reason: string; contentType: string; size: number }>;
        delivery_error: string | null;
        attempts: number;
        next_attempt_at: Date | string | null;
        delivery_state: string;
      }>(
        tx,
        sql`select e.id, e.subject_id, e.direction, e.html_enc, e.dropped, e.delivery_error, e.attempts, e.next_attempt_at, m.delivery_state
            from email_messages e join messages m on m.id = e.id where e.conversation_id = ${conversationId} order by m.seq`,
      );
      const atts = await rows<{ id: string; message_id: string; content_type: string; size: number }>(
        tx,
        sql`select a.id, a.message_id, a.content_type, a.size from email_attachments a
            join email_messages e on e.id = a.message_id where e.conversation_id = ${conversationId} order by a.created_at`,
      );
      const scans = new Map((await deps.files.statesOf(tx, conversationId)).map((f) => [f.file_id, f]));
      const out = [];
      for (const m of list) {
        out.push({
          messageId: m.id,
          direction: m.direction,
          html: m.html_enc
            ? renderStored(
                await decText(tx, tenantId, 'email_messages', 'html_enc', m.id, m.subject_id, m.html_enc),
                canReveal,
              )
            : null,
          attachments: atts
            .filter((a) => a.message_id === m.id)
            .map((a) => ({
              id: a.id,
              contentType: a.content_type,
              size: a.size,
              // Only `clean` files can be downloaded (…/files/:id); agents see why others cannot.
              scanState: scans.get(a.id)?.state ?? 'pending',
            })),
          dropped: m.dropped,
          deliveryState: m.delivery_state,
          deliveryError: m.delivery_error,
          attempts: m.attempts,
          nextAttemptAt: m.next_attempt_at ? new Date(m.next_attempt_at).toISOString() : null,
        });
      }
      return { conversationId, messages: out };
    });
  }

  if (transport) deps.conversations.setEmailSender(sendReply);

  return { resolveRecipient, receive, sendReply, sendNotice, retryDue, startRetries, stop, details };
}

export type EmailService = ReturnType<typeof createEmailService>;
