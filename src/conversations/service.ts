// Conversations for agents: list, open (one audit read event), reply through the channel,
// internal notes, assignment (manual and round-robin among online agents), status, reveal of
// tokenized values. Agents see the conversations of their queues (and their own assignments);
// supervisors see the whole tenant. Anything else answers 404 and is recorded as authz.denied.
import { sql } from 'drizzle-orm';
import type { Keyring } from '../crypto/index.ts';
import {
  auditBase,
  type EventSink,
  type Ingest,
  type IngestResult,
  pgTextArray,
  renderStored,
  TOKEN_RE,
} from '../ingest/index.ts';
import { applyPolicy, type PiiPolicy, scanText } from '../pii/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx, withTenantReads } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { assertNotRestricted } from '../privacy/restriction.ts';
import { inboxItemExtras } from './inbox-items.ts';
import { markRead } from './inbox-store.ts';
import { assertRevealAllowed, auditingRefusal, revealIsAssigned } from './reveal-policy.ts';
import { meaningfulReason } from './reveal-reason.ts';
import * as store from './store.ts';

/** Sends an agent's reply in an e-mail conversation (provided by the e-mail channel). */
export type SendEmailReply = (
  ctx: TenantContext,
  reply: { conversationId: string; messageId: string; text: string },
) => Promise<{ deliveryState: EmailDeliveryState }>;

/** An outbound mail as the relay answered: not tried yet, accepted (2xx), retried (4xx), given up (5xx). */
export type EmailDeliveryState = 'queued' | 'sent' | 'deferred' | 'bounced';

/** Pushes an agent's reply to the chat visitor; true when a live socket took it. */
export type DeliverChat = (
  tenantId: string,
  visitorId: string,
  m: { conversationId: string; messageId: string; text: string; createdAt: string },
) => boolean;

export interface ConversationDeps {
  db: Pick<Database, 'withTenant' | 'execAppStatement'>;
  keyring: Pick<Keyring, 'decryptFieldText'>;
  audit: AuditRecorder;
  ingest: Pick<Ingest, 'ingestInTx' | 'publish'>;
  events: EventSink;
  isOnline: (tenantId: string, userId: string) => boolean;
  /** Minutes a session counts as "online" after its last request. */
  presenceMinutes?: number;
  sendEmailReply?: SendEmailReply;
  deliverChat?: DeliverChat;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const encodeCursor = (lma: string, id: string) => Buffer.from(`${lma}|${id}`).toString('base64url');
function decodeCursor(c: string | undefined): { lma: string; id: string } | null {
  if (!c) return null;
  const [lma, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  if (!lma || !id || !/^[0-9a-f-]{36}$/.test(id) || !/^\d{4}-\d\d-\d\d[ T][0-9:.+-]+$/.test(lma))
    throw new VigilError('invalid_input', 'invalid cursor');
  return { lma, id };
}

/** What a page of the inbox is asked for (query string or search body). */
export interface ListInput {
  status?: string;
  queue?: string;
  assignee?: string;
  channel?: string;
  customer?: string;
  view?: 'mine' | 'unassigned' | 'snoozed' | 'all';
  cursor?: string;
  limit?: number;
}

const REDACT_ALL: PiiPolicy = { defaultOperator: 'redact', minScore: 0.3, entities: {} };

/** A reason typed by a person, made safe for the audit log: PII redacted, bounded, no digit runs. */
export async function sanitizeReason(reason: string): Promise<string> {
  const clean = reason.replace(/[\p{C}]/gu, ' ').trim();
  const { text } = await applyPolicy(clean, scanText(clean, { minScore: 0.3 }), REDACT_ALL, undefined);
  return text
    .replace(/[^\s@]+@[^\s@]+/g, '[EMAIL]')
    .replace(/\d[\d\s./-]{5,}\d/g, '[NUMBER]')
    .slice(0, 200);
}

export function isSupervisor(ctx: TenantContext): boolean {
  return ctx.roles.includes('supervisor');
}

/**
 * Whether the caller reads across every queue: supervisors, and QA reviewers, who reach this
 * service only through quality reviews (pseudonymised view, audited reveal); the route rules give
 * them no Conversation permission of their own.
 */
const tenantWide = (ctx: TenantContext) => isSupervisor(ctx) || ctx.roles.includes('qa_reviewer');

export function createConversationService(deps: ConversationDeps) {
  const { db, keyring, audit, ingest } = deps;
  const presenceMinutes = deps.presenceMinutes ?? 5;
  let sendEmailReply = deps.sendEmailReply;

  const userId = (ctx: TenantContext) => {
    if (ctx.actor.type !== 'user' || !ctx.actor.id) throw new VigilError('forbidden', 'agents only');
    return ctx.actor.id;
  };

  async function scopeOf(tx: Tx, ctx: TenantContext): Promise<{ queueIds: string[]; userId: string } | null> {
    if (tenantWide(ctx)) return null;
    const uid = userId(ctx);
    return { queueIds: await store.queueIdsOf(tx, uid), userId: uid };
  }

  const denied = (ctx: TenantContext, id: string) =>
    audit.standalone({
      ...auditBase(ctx),
      action: 'authz.denied',
      resourceType: 'conversation',
      resourceId: id,
      outcome: 'denied',
      meta: { reason: 'queue' },
    });

  /**
   * Runs fn with the conversation when the caller may see it. A conversation outside the
   * caller's queues is indistinguishable from a missing one (404) and recorded as authz.denied.
   */
  async function withConversation<T>(
    ctx: TenantContext,
    id: string,
    fn: (tx: Tx, c: store.ConversationRow) => Promise<T>,
    forUpdate = false,
  ): Promise<T> {
    return withScoped<store.ConversationRow & { in_scope: boolean }, T>(
      ctx,
      id,
      (tx) => store.selectConversationInScope(tx, id, scopeUserOf(ctx), forUpdate),
      fn,
    );
  }

  /** Whose queues bound what the caller sees; null for supervisors (every queue). */
  const scopeUserOf = (ctx: TenantContext) => (tenantWide(ctx) ? null : userId(ctx));

  /** withConversation with a caller's own loader (one that reports in_scope). */
  async function withScoped<R extends { in_scope: boolean }, T>(
    ctx: TenantContext,
    id: string,
    load: (tx: Tx) => Promise<R | undefined>,
    fn: (tx: Tx, c: R) => Promise<T>,
    readOnly = false,
  ): Promise<T> {
    let outOfScope = false;
    const body = async (tx: Tx): Promise<{ none: true } | { value: T }> => {
      const c = await load(tx);
      if (!c) return { none: true as const };
      if (!c.in_scope) {
        outOfScope = true;
        return { none: true as const };
      }
      return { value: await fn(tx, c) };
    };
    // A read (no locks, no writes) goes statement by statement: one round trip each.
    const result = readOnly
      ? await withTenantReads(db, ctx.tenant.id, body)
      : await db.withTenant(ctx.tenant.id, body);
    if ('none' in result) {
      if (outOfScope) await denied(ctx, id);
      throw new VigilError('not_found', 'conversation not found');
    }
    return result.value;
  }

  const summary = (c: store.ConversationRow) => ({
    id: c.id,
    channel: c.channel,
    status: c.status,
    priority: c.priority,
    tags: c.tags,
    queueId: c.queue_id,
    assigneeId: c.assignee_id,
    customerId: c.customer_id,
    language: c.language,
    createdAt: iso(c.created_at),
    lastMessageAt: iso(c.last_message_at),
    snoozedUntil:
      c.snoozed_until && new Date(c.snoozed_until).getTime() > Date.now() ? iso(c.snoozed_until) : null,
  });

  /**
   * One page of the inbox. A view narrows it: mine, unassigned, snoozed (only those), or none;
   * snoozed conversations stay out of every other view until they wake. `search` adds the
   * search's conditions (src/conversations/search.ts), computed inside the same transaction.
   */
  async function list(
    ctx: TenantContext,
    q: ListInput,
    search?: (tx: Tx) => Promise<Pick<store.ListFilters, 'terms' | 'customerIds'>>,
  ) {
    const limit = Math.min(q.limit ?? 50, 100);
    const after = decodeCursor(q.cursor);
    const assignee = q.view === 'mine' ? 'me' : q.view === 'unassigned' ? 'none' : q.assignee;
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const scope = await scopeOf(tx, ctx);
      const list = await store.listConversations(tx, {
        ...(q.status ? { status: q.status } : {}),
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.queue ? { queueId: q.queue } : {}),
        ...(q.customer ? { customerId: q.customer } : {}),
        ...(assignee
          ? { assigneeId: assignee === 'none' ? null : assignee === 'me' ? userId(ctx) : assignee }
          : {}),
        ...(search ? await search(tx) : {}),
        snoozed: q.view === 'snoozed',
        scope,
        after,
        limit: limit + 1,
      });
      const page = list.slice(0, limit);
      const last = page[page.length - 1];
      const extras = await inboxItemExtras(tx, keyring, ctx.tenant.id, userId(ctx), page);
      return {
        items: page.map((c) => ({ ...summary(c), ...extras.get(c.id) })),
        nextCursor: list.length > limit && last ? encodeCursor(last.lma_text, last.id) : null,
      };
    });
  }

  async function get(ctx: TenantContext, id: string) {
    const canReveal = ctx.ability.can('reveal', 'Customer');
    const load = (tx: Tx) => store.selectConversationView(tx, id, scopeUserOf(ctx));
    const view = await withScoped(
      ctx,
      id,
      load,
      async (tx, c) => {
        const tenantId = ctx.tenant.id;
        let subject: string | null = null;
        let erased = false;
        const dec = async (table: string, column: string, rowId: string, subjectId: string, v: Buffer) => {
          try {
            return renderStored(
              await keyring.decryptFieldText(
                { tenantId, table, column, rowId, subjectId },
                Buffer.from(v),
                tx,
              ),
              canReveal,
            );
          } catch (e) {
            if (e instanceof VigilError && e.code === 'data_erased') {
              erased = true;
              return null;
            }
            throw e;
          }
        };
        if (c.subject_enc)
          subject = await dec('conversations', 'subject_enc', c.id, c.customer_id, c.subject_enc);
        const messages = [];
        for (const m of c.messages ?? []) {
          messages.push({
            id: m.id,
            kind: m.kind,
            channel: m.channel,
            direction: m.direction,
            authorType: m.author_type,
            authorId: m.author_id,
            text: await dec('messages', 'body_enc', m.id, m.subject_id, m.body_enc),
            findings: m.findings,
            deliveryState: m.delivery_state,
            createdAt: iso(m.created_at),
            ...(m.speaker ? { speaker: m.speaker } : {}),
            ...(m.start_ms !== null ? { startMs: m.start_ms } : {}),
            ...(m.end_ms !== null ? { endMs: m.end_ms } : {}),
          });
        }
        const call = c.call;
        // An upsert of its own (autocommitted on the one-round-trip path): the unread marker.
        if (ctx.actor.type === 'user' && ctx.actor.id) await markRead(tx, tenantId, c.id, ctx.actor.id);
        return {
          ...summary(c),
          subject,
          erased,
          messages,
          call: call
            ? {
                callId: call.id,
                direction: call.direction,
                consent: call.consent,
                consentMethod: call.consent_method,
                startedAt: iso(call.started_at),
                endedAt: call.ended_at ? iso(call.ended_at) : null,
                hasRecording: call.has_recording,
              }
            : null,
        };
      },
      true,
    );
    // Exactly one read event per open, recorded before the content is returned.
    await audit.standalone({
      ...auditBase(ctx),
      action: 'conversation.read',
      resourceType: 'conversation',
      resourceId: id,
      outcome: 'success',
      meta: { customerId: view.customerId, messages: view.messages.length },
    });
    return view;
  }

  async function reply(ctx: TenantContext, id: string, text: string) {
    const uid = userId(ctx);
    let r!: IngestResult;
    let channel!: store.ConversationRow['channel'];
    await withConversation(
      ctx,
      id,
      async (tx, c) => {
        channel = c.channel;
        if (c.channel === 'voice') throw new VigilError('conflict', 'a call cannot be answered in writing');
        // Never store a reply as if it went out when no relay can carry it.
        if (c.channel === 'email' && !sendEmailReply)
          throw new VigilError('mail_relay_missing', 'no outbound mail relay is configured (SMTP_RELAY_URL)');
        if (c.status === 'closed') throw new VigilError('conflict', 'the conversation is closed');
        await assertNotRestricted(tx, ctx.tenant.id, c.customer_id);
        r = await ingest.ingestInTx(tx, ctx, {
          channel: c.channel,
          direction: 'outbound',
          author: { type: 'agent', id: uid },
          text,
          conversationId: c.id,
          deliveryState: c.channel === 'chat' ? 'sent' : 'queued',
          auditAction: 'conversation.reply',
        });
      },
      true,
    );
    ingest.publish(ctx, r);
    const initial = channel === 'chat' ? 'sent' : 'queued';
    let deliveryState: string = initial;
    const outText = renderStored(r.text, false);
    if (channel === 'chat' && r.visitorId && deps.deliverChat) {
      if (
        deps.deliverChat(ctx.tenant.id, r.visitorId, {
          conversationId: id,
          messageId: r.messageId,
          text: outText,
          createdAt: new Date().toISOString(),
        })
      )
        deliveryState = 'delivered';
    } else if (channel === 'email' && sendEmailReply) {
      try {
        deliveryState = (
          await sendEmailReply(ctx, { conversationId: id, messageId: r.messageId, text: outText })
        ).deliveryState;
      } catch {
        deliveryState = 'deferred';
      }
    }
    // The e-mail service records its own outcome; what else changed is stored here.
    if (deliveryState !== initial && channel !== 'email') {
      await db.withTenant(ctx.tenant.id, (tx) => store.setDeliveryState(tx, r.messageId, deliveryState));
    }
    return {
      messageId: r.messageId,
      conversationId: id,
      deliveryState,
      text: renderStored(r.text, true),
      findings: r.findings,
    };
  }

  async function note(ctx: TenantContext, id: string, text: string) {
    const uid = userId(ctx);
    let r!: IngestResult;
    await withConversation(ctx, id, async (tx, c) => {
      r = await ingest.ingestInTx(tx, ctx, {
        channel: 'note',
        kind: 'note',
        direction: 'internal',
        author: { type: 'agent', id: uid },
        text,
        conversationId: c.id,
        auditAction: 'conversation.note',
      });
    });
    ingest.publish(ctx, r);
    return {
      messageId: r.messageId,
      conversationId: id,
      text: renderStored(r.text, true),
      findings: r.findings,
    };
  }

  async function onlineMembers(tx: Tx, ctx: TenantContext, queueId: string): Promise<string[]> {
    const members = await rows<{ user_id: string; recent: boolean }>(
      tx,
      sql`select m.user_id, exists (
            select 1 from sessions s where s.user_id = m.user_id and s.revoked_at is null
              and s.idle_expires_at > now() and s.last_seen_at > now() - make_interval(mins => ${presenceMinutes})
          ) as recent
          from queue_members m join users u on u.id = m.user_id
          where m.queue_id = ${queueId} and u.status = 'active'
            and not exists (select 1 from membership_suspensions ms where ms.tenant_id = m.tenant_id and ms.user_id = m.user_id)
          order by m.last_assigned_at asc nulls first, m.user_id`,
    );
    return members.filter((m) => m.recent || deps.isOnline(ctx.tenant.id, m.user_id)).map((m) => m.user_id);
  }

  async function assign(
    ctx: TenantContext,
    id: string,
    body: { userId?: string | null; mode?: 'round_robin' },
  ) {
    const uid = userId(ctx);
    const result = await withConversation(
      ctx,
      id,
      async (tx, c) => {
        let target: string | null;
        if (body.mode === 'round_robin') {
          if (!c.queue_id) throw new VigilError('conflict', 'the conversation has no queue');
          const [next] = await onlineMembers(tx, ctx, c.queue_id);
          if (!next) throw new VigilError('conflict', 'no agent of the queue is online');
          target = next;
        } else {
          if (body.userId === undefined) throw new VigilError('invalid_input', 'userId or mode is required');
          target = body.userId;
          if (!isSupervisor(ctx) && target !== null && target !== uid)
            throw new VigilError('forbidden', 'agents can only assign conversations to themselves');
          if (target !== null) {
            const ok = c.queue_id
              ? await rows(
                  tx,
                  sql`select 1 from queue_members where queue_id = ${c.queue_id} and user_id = ${target}`,
                )
              : await rows(
                  tx,
                  sql`select 1 from memberships where tenant_id = ${ctx.tenant.id} and user_id = ${target} and role in ('agent', 'supervisor')`,
                );
            if (!ok.length) throw new VigilError('invalid_input', 'the user is not a member of the queue');
          }
        }
        await tx.execute(
          sql`update conversations set assignee_id = ${target}, updated_at = now() where id = ${c.id}`,
        );
        if (target && c.queue_id)
          await tx.execute(
            sql`update queue_members set last_assigned_at = clock_timestamp() where queue_id = ${c.queue_id} and user_id = ${target}`,
          );
        await audit.inTx(tx, {
          ...auditBase(ctx),
          action: 'conversation.assign',
          resourceType: 'conversation',
          resourceId: c.id,
          outcome: 'success',
          meta: { assigneeId: target, mode: body.mode ?? 'manual' },
        });
        return { queueId: c.queue_id, assigneeId: target };
      },
      true,
    );
    deps.events.publish({
      type: 'conversation.assigned',
      tenantId: ctx.tenant.id,
      conversationId: id,
      ...result,
    });
    return { id, ...result };
  }

  async function update(
    ctx: TenantContext,
    id: string,
    patch: { status?: string; priority?: string; tags?: string[] },
  ) {
    const result = await withConversation(
      ctx,
      id,
      async (tx, c) => {
        const tags = patch.tags ? [...new Set(patch.tags)] : undefined;
        await tx.execute(sql`update conversations set
            status = coalesce(${patch.status ?? null}, status),
            priority = coalesce(${patch.priority ?? null}, priority),
            tags = ${tags ? sql`${pgTextArray(tags)}::text[]` : sql`tags`},
            updated_at = now()
          where id = ${c.id}`);
        await audit.inTx(tx, {
          ...auditBase(ctx),
          action: 'conversation.update',
          resourceType: 'conversation',
          resourceId: c.id,
          outcome: 'success',
          meta: {
            status: patch.status ?? null,
            priority: patch.priority ?? null,
            tags: tags ? tags.length : null,
          },
        });
        const after = await store.selectConversation(tx, c.id);
        return summary(after!);
      },
      true,
    );
    deps.events.publish({
      type: 'conversation.updated',
      tenantId: ctx.tenant.id,
      conversationId: id,
      queueId: result.queueId,
      assigneeId: result.assigneeId,
    });
    return result;
  }

  async function reveal(
    ctx: TenantContext,
    id: string,
    tokenInput: string,
    reason: string,
    acknowledgeUnassigned?: boolean,
  ) {
    const uid = userId(ctx);
    const token = [...tokenInput.matchAll(/tok_[a-z0-9]{20}/g)][0]?.[0];
    if (!token) throw new VigilError('invalid_input', 'not a token');
    const safeReason = await sanitizeReason(meaningfulReason(reason));
    const value = await auditingRefusal(audit, ctx, id, () =>
      withConversation(ctx, id, async (tx, c) => {
        const [t] = await rows<{ token: string; subject_id: string; entity_type: string; value_enc: Buffer }>(
          tx,
          sql`select token, subject_id, entity_type, value_enc from pii_tokens where token = ${token} and conversation_id = ${c.id}`,
        );
        if (!t) throw new VigilError('not_found', 'token not found');
        const assigned = revealIsAssigned(c.assignee_id, uid);
        assertRevealAllowed(assigned, acknowledgeUnassigned);
        const plain = await keyring.decryptFieldText(
          {
            tenantId: ctx.tenant.id,
            table: 'pii_tokens',
            column: 'value_enc',
            rowId: t.token,
            subjectId: t.subject_id,
          },
          Buffer.from(t.value_enc),
          tx,
        );
        // The reveal and its audit event commit together: no value leaves unrecorded.
        await audit.inTx(tx, {
          ...auditBase(ctx),
          action: 'value.reveal',
          resourceType: 'conversation',
          resourceId: c.id,
          outcome: 'success',
          reason: safeReason,
          meta: { assigned, entityType: t.entity_type, customerId: c.customer_id },
        });
        return { type: t.entity_type, value: plain };
      }),
    );
    return { token, ...value };
  }

  /** Tokens in a stored text (for clients that want to offer "reveal"). */
  const tokensIn = (text: string) => [...text.matchAll(TOKEN_RE)].map((m) => m[2]);

  /** What a live connection may see: every queue (supervisors) or the caller's queues. */
  async function liveScope(ctx: TenantContext): Promise<'all' | Set<string>> {
    if (isSupervisor(ctx)) return 'all';
    const uid = userId(ctx);
    return new Set(await db.withTenant(ctx.tenant.id, (tx) => store.queueIdsOf(tx, uid)));
  }

  return {
    liveScope,
    list,
    get,
    reply,
    note,
    assign,
    update,
    reveal,
    tokensIn,
    setEmailSender(fn: SendEmailReply | undefined) {
      sendEmailReply = fn;
    },
  };
}

export type ConversationService = ReturnType<typeof createConversationService>;
