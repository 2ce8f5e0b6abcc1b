// The chat channel: widget settings and origins, visitor identities (signed tokens), inbound
// visitor messages through the ingest pipeline, and live delivery to visitor sockets.

import { sql } from 'drizzle-orm';
import type { Keyring } from '../../crypto/index.ts';
import type { CustomerService } from '../../customers/service.ts';
import {
  type Ingest,
  type IngestResult,
  renderStored,
  systemContext,
  withIdempotentRetry,
} from '../../ingest/index.ts';
import type { ClusterBus, ClusterEvent } from '../../platform/cluster/index.ts';
import type { TenantRef } from '../../platform/context.ts';
import { type Database, rows, type Tx } from '../../platform/db.ts';
import { VigilError } from '../../platform/errors.ts';
import type { RateCounter } from '../../platform/rate-limit.ts';
import {
  effectiveLimits,
  type PlatformWidgetLimits,
  tenantWidgetLimits,
  type WidgetLimits,
} from './limits.ts';
import { originAllowed } from './origins.ts';
import { themeOf, type WidgetTheme } from './theme.ts';
import { anonymousVisitorId, signVisitorToken, verifyVisitorToken } from './token.ts';
import { createVisitorTyping } from './typing.ts';

export interface VisitorSocket {
  send(data: string): void;
  readonly readyState: number;
}

export interface ChatDeps {
  db: Pick<Database, 'withTenant' | 'withPlatform'>;
  keyring: Pick<Keyring, 'decryptFieldText'>;
  ingest: Pick<Ingest, 'ingestInTx' | 'publish'>;
  /** Visitors are customers (still anonymous) with their own subject key. */
  customers: Pick<CustomerService, 'createInTx'>;
  secret: Buffer;
  rates: RateCounter;
  /** Cluster bus: agent messages reach visitor sockets held by other nodes. */
  bus?: ClusterBus;
  /** The platform's limits; a tenant may set its own (tenant_rate_limits). */
  limits: PlatformWidgetLimits;
}

export interface WidgetTenant {
  tenant: TenantRef;
  allowedOrigins: string[];
  limits: WidgetLimits;
  theme: WidgetTheme;
}

const CACHE_MS = 5_000;

export function createChatService(deps: ChatDeps) {
  const { db, secret, ingest } = deps;
  const cache = new Map<string, { at: number; value: WidgetTenant | null }>();
  const sockets = new Map<string, Set<VisitorSocket>>();

  /** The tenant's widget, or null when the tenant does not exist or has no enabled widget. */
  async function widgetFor(slug: string): Promise<WidgetTenant | null> {
    const hit = cache.get(slug);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const [t] = await db.withPlatform((tx) =>
      rows<TenantRef & { status: string }>(
        tx,
        sql`select id, slug, name, status from tenants where slug = ${slug}`,
      ),
    );
    let value: WidgetTenant | null = null;
    if (t && t.status === 'active') {
      const [w, own] = await db.withTenant(t.id, async (tx) => [
        (
          await rows<{ enabled: boolean; allowed_origins: string[]; theme: unknown }>(
            tx,
            sql`select enabled, allowed_origins, theme from chat_widget_settings`,
          )
        )[0],
        await tenantWidgetLimits(tx),
      ]);
      if (w?.enabled)
        value = {
          tenant: { id: t.id, slug: t.slug, name: t.name },
          allowedOrigins: w.allowed_origins,
          limits: effectiveLimits(deps.limits, own),
          theme: themeOf(w.theme),
        };
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(slug, { at: Date.now(), value });
    return value;
  }

  /** Resolves the widget and enforces the origin allow-list (a missing Origin is refused too). */
  async function admit(slug: string, origin: string | undefined): Promise<WidgetTenant> {
    const w = await widgetFor(slug);
    if (!w) throw new VigilError('not_found', 'not found');
    if (!originAllowed(origin, w.allowedOrigins))
      throw new VigilError('forbidden', 'this origin may not use the widget');
    return w;
  }

  function visitorFromToken(w: WidgetTenant, token: string | undefined): string | null {
    if (!token) return null;
    const claims = verifyVisitorToken(secret, token, w.tenant.id);
    if (!claims) throw new VigilError('unauthenticated', 'the visitor token is invalid or expired');
    return claims.visitorId;
  }

  /** Counted in the database so that every node of a cluster counts the same hits. */
  async function rateLimit(namespace: string, key: string, max: number): Promise<void> {
    const h = await deps.rates.hit(namespace, key, 60_000);
    if (h.current > max)
      throw new VigilError('rate_limited', 'too many messages; slow down', {
        retryAfter: Math.ceil(h.ttlMs / 1000),
      });
  }

  /**
   * A visitor's message: committed (scan, policy, encrypt, persist, audit) before it returns.
   * The same clientMessageId from the same visitor returns the stored ids (created = false).
   */
  async function postMessage(
    w: WidgetTenant,
    input: { text: string; clientMessageId: string; visitorToken?: string | undefined },
    client: { ip: string; requestId: string; origin?: string | undefined },
    /** Runs in the message's own transaction (a visitor's upload stores its file there). */
    inTx?: (tx: Tx, r: IngestResult) => Promise<void>,
  ): Promise<IngestResult & { visitorToken: string }> {
    const tenantId = w.tenant.id;
    const known = visitorFromToken(w, input.visitorToken);
    // Without a token every message is a first message: it opens a visitor (and a customer), so
    // these are limited per address and origin; a visitor continues with the token it was given.
    if (!known)
      await rateLimit(
        'widget.anonymous',
        `${tenantId}\0${client.ip}\0${client.origin ?? ''}`,
        w.limits.anonymousPerIp,
      );
    const visitorId = known ?? anonymousVisitorId(secret, tenantId, input.clientMessageId);
    await rateLimit('widget.visitor', `${tenantId}:${visitorId}`, w.limits.perVisitor);
    const ctx = systemContext(w.tenant, {
      requestId: client.requestId,
      ip: client.ip,
      actor: { type: 'visitor', id: visitorId },
    });
    const r = await withIdempotentRetry(() =>
      db.withTenant(tenantId, async (tx) => {
        let [v] = await rows<{ customer_id: string }>(
          tx,
          sql`select customer_id from chat_visitors where id = ${visitorId}`,
        );
        if (!v) {
          // A visitor is an (as yet anonymous) customer with its own subject key.
          const customerId = await deps.customers.createInTx(tx, tenantId, {}, 'chat');
          await tx.execute(
            sql`insert into chat_visitors (id, tenant_id, customer_id) values (${visitorId}, ${tenantId}, ${customerId})`,
          );
          v = { customer_id: customerId };
        } else {
          await tx.execute(sql`update chat_visitors set last_seen_at = now() where id = ${visitorId}`);
        }
        const [open] = await rows<{ id: string }>(
          tx,
          sql`select id from conversations where visitor_id = ${visitorId} and status <> 'closed'
              order by last_message_at desc limit 1`,
        );
        const res = await ingest.ingestInTx(tx, ctx, {
          channel: 'chat',
          direction: 'inbound',
          author: { type: 'visitor', id: visitorId },
          text: input.text,
          idempotencyKey: `chat:${visitorId}:${input.clientMessageId}`,
          ...(open
            ? { conversationId: open.id }
            : { newConversation: { channel: 'chat' as const, customer: { id: v.customer_id }, visitorId } }),
        });
        if (res.created && inTx) await inTx(tx, res);
        return res;
      }),
    );
    ingest.publish(ctx, r);
    return { ...r, visitorToken: signVisitorToken(secret, tenantId, visitorId) };
  }

  /** The visitor's current conversation as the visitor may see it (no internal notes). */
  async function history(w: WidgetTenant, token: string | undefined) {
    const visitorId = visitorFromToken(w, token);
    if (!visitorId) throw new VigilError('unauthenticated', 'a visitor token is required');
    // Renewed on every read: an active visitor's token does not expire mid-conversation.
    const visitorToken = signVisitorToken(secret, w.tenant.id, visitorId);
    return db.withTenant(w.tenant.id, async (tx) => {
      const [c] = await rows<{ id: string }>(
        tx,
        sql`select id from conversations where visitor_id = ${visitorId} order by last_message_at desc limit 1`,
      );
      if (!c) return { conversationId: null, messages: [], visitorToken };
      const list = await rows<{
        id: string;
        subject_id: string;
        body_enc: Buffer;
        direction: string;
        created_at: Date | string;
      }>(
        tx,
        sql`select id, subject_id, body_enc, direction, created_at from messages
            where conversation_id = ${c.id} and kind = 'message' order by seq desc limit 200`,
      );
      const messages = [];
      for (const m of list.reverse()) {
        const text = await deps.keyring.decryptFieldText(
          {
            tenantId: w.tenant.id,
            table: 'messages',
            column: 'body_enc',
            rowId: m.id,
            subjectId: m.subject_id,
          },
          Buffer.from(m.body_enc),
          tx,
        );
        messages.push({
          id: m.id,
          author: m.direction === 'inbound' ? 'visitor' : 'agent',
          text: renderStored(text, false),
          createdAt: new Date(m.created_at).toISOString(),
        });
      }
      return { conversationId: c.id, messages, visitorToken };
    });
  }

  const socketKey = (tenantId: string, visitorId: string) => `${tenantId}:${visitorId}`;

  function registerSocket(tenantId: string, visitorId: string, s: VisitorSocket): () => void {
    const k = socketKey(tenantId, visitorId);
    let set = sockets.get(k);
    if (!set) {
      set = new Set();
      sockets.set(k, set);
    }
    set.add(s);
    return () => {
      set.delete(s);
      if (!set.size) sockets.delete(k);
    };
  }

  /**
   * Pushes an agent's message to the visitor's open sockets; true when one on this node took it.
   * Otherwise, in a cluster, the other nodes hear of it by ids and the one holding the visitor's
   * socket reads the stored message and delivers it (the text never crosses the bus).
   */
  function deliver(
    tenantId: string,
    visitorId: string,
    m: { conversationId: string; messageId: string; text: string; createdAt: string },
  ): boolean {
    const sent = deliverHere(tenantId, visitorId, m);
    if (!sent && deps.bus?.kind === 'nats')
      deps.bus.publish({
        type: 'chat.deliver',
        tenantId,
        visitorId,
        conversationId: m.conversationId,
        messageId: m.messageId,
        createdAt: m.createdAt,
      });
    return sent;
  }

  deps.bus?.subscribe((e, origin) => {
    if (e.type !== 'chat.deliver' || origin.local || !sockets.has(socketKey(e.tenantId, e.visitorId))) return;
    void deliverStored(e).catch(() => {
      // the visitor sees it on the next history fetch
    });
  });

  async function deliverStored(e: Extract<ClusterEvent, { type: 'chat.deliver' }>): Promise<void> {
    const text = await db.withTenant(e.tenantId, async (tx) => {
      const [m] = await rows<{ id: string; subject_id: string; body_enc: Buffer }>(
        tx,
        sql`select m.id, m.subject_id, m.body_enc from messages m join conversations c on c.id = m.conversation_id
            where m.id = ${e.messageId} and m.conversation_id = ${e.conversationId} and c.visitor_id = ${e.visitorId}
              and m.kind = 'message' and m.direction = 'outbound'`,
      );
      if (!m) return null;
      const plain = await deps.keyring.decryptFieldText(
        { tenantId: e.tenantId, table: 'messages', column: 'body_enc', rowId: m.id, subjectId: m.subject_id },
        Buffer.from(m.body_enc),
        tx,
      );
      return renderStored(plain, false);
    });
    if (text === null) return;
    const m = { conversationId: e.conversationId, messageId: e.messageId, text, createdAt: e.createdAt };
    if (deliverHere(e.tenantId, e.visitorId, m))
      await db.withTenant(e.tenantId, (tx) =>
        tx.execute(
          sql`update messages set delivery_state = 'delivered' where id = ${e.messageId} and delivery_state = 'sent'`,
        ),
      );
  }

  function deliverHere(
    tenantId: string,
    visitorId: string,
    m: { conversationId: string; messageId: string; text: string; createdAt: string },
  ): boolean {
    return sendToVisitor(tenantId, visitorId, { type: 'message', author: 'agent', ...m });
  }

  /** A frame to the visitor's sockets on this node; true when one took it. */
  function sendToVisitor(tenantId: string, visitorId: string, frame: object): boolean {
    let sent = false;
    for (const s of sockets.get(socketKey(tenantId, visitorId)) ?? []) {
      if (s.readyState !== 1) continue;
      try {
        s.send(JSON.stringify(frame));
        sent = true;
      } catch {
        // closed meanwhile
      }
    }
    return sent;
  }

  // Typing hints both ways over the bus (ids only); without a bus, nobody is told.
  const typing = deps.bus ? createVisitorTyping({ db, bus: deps.bus, sendToVisitor }) : null;

  /** A survey prompt (issue 29) to the visitor's sockets on this node; true when one took it. */
  function promptVisitor(
    tenantId: string,
    visitorId: string,
    frame: { type: 'csat'; conversationId: string; token: string; question: string; thanks: string },
  ): boolean {
    return sendToVisitor(tenantId, visitorId, frame);
  }

  return {
    promptVisitor,
    widgetFor,
    /** Drops the cached widget of a tenant (its settings changed on this node). */
    forget: (slug: string) => void cache.delete(slug),
    admit,
    visitorFromToken,
    postMessage,
    history,
    registerSocket,
    deliver,
    sendToVisitor,
    visitorTyping: (tenantId: string, visitorId: string) =>
      typing ? typing.visitorTyping(tenantId, visitorId) : Promise.resolve(),
  };
}

export type ChatService = ReturnType<typeof createChatService>;
