// Secure payment capture. An agent asks for a payment (amount, currency, reference) on a
// conversation; the customer pays on a Vigil-hosted page behind a single-use, expiring link, or,
// on a call, keys the card on the phone and the telephony integration posts the digits to Vigil.
// Either way the card goes from the request straight to the provider and is dropped: the database
// keeps status, brand, last four digits and the provider's token; the agent sees only those.
// On a call, recording and transcription are flagged paused from the request until it settles.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { auditBase, systemContext } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext, TenantRef } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { deniedConversation, OPEN_STATUSES, visibleConversation } from '../verification/access.ts';
import { recordTimelineEvent, type TimelineMeta } from '../verification/timeline.ts';
import { type CardProblem, parseCard } from './cards.ts';
import type { ChargeResult, PaymentProvider } from './provider.ts';

export const LINK_TTL_MINUTES = 15;
export const DTMF_TTL_MINUTES = 10;

export interface NewPayment {
  amountMinor: number;
  currency: string;
  reference: string;
  method: 'link' | 'dtmf';
  /** Link method: send the link to the customer (live chat, else the e-mail address on file). */
  sendToCustomer?: boolean;
}

export interface PaymentView {
  id: string;
  conversationId: string;
  method: 'link' | 'dtmf';
  amountMinor: number;
  currency: string;
  reference: string;
  status: 'pending' | 'succeeded' | 'declined' | 'expired' | 'cancelled' | 'failed';
  card: { brand: string; last4: string } | null;
  declineCode: string | null;
  recordingPaused: boolean;
  expiresAt: string;
  createdAt: string;
  completedAt: string | null;
}

export interface PaymentDeps {
  db: Pick<Database, 'withTenant' | 'withPlatform'>;
  audit: AuditRecorder;
  provider: PaymentProvider | null;
  /** Base URL of the hosted page links (config.publicUrl or the listening address). */
  publicUrl: () => string;
  /**
   * Sends the link to the customer, not through the transcript (links are bearer secrets, and the
   * PII pipeline would rightly redact them): the visitor's live chat, else the e-mail on file.
   */
  deliverLink?: (
    ctx: TenantContext,
    conversation: { id: string; channel: string; visitorId: string | null; customerId: string },
    message: { subject: string; text: string },
  ) => Promise<'chat' | 'email' | null>;
}

interface Row {
  id: string;
  conversation_id: string;
  method: 'link' | 'dtmf';
  amount_minor: string | number;
  currency: string;
  reference: string;
  status: PaymentView['status'];
  card_brand: string | null;
  card_last4: string | null;
  decline_code: string | null;
  recording_paused: boolean;
  expires_at: Date | string;
  created_at: Date | string;
  completed_at: Date | string | null;
  used_at: Date | string | null;
  live: boolean;
}

const COLS = sql`id, conversation_id, method, amount_minor, currency, reference, status, card_brand, card_last4,
  decline_code, recording_paused, expires_at, created_at, completed_at, used_at, (expires_at > now()) as live`;
const iso = (d: Date | string) => new Date(d).toISOString();
const sha256 = (s: string) => createHash('sha256').update(s).digest();

export function view(r: Row): PaymentView {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    method: r.method,
    amountMinor: Number(r.amount_minor),
    currency: r.currency,
    reference: r.reference,
    status: r.status,
    card: r.card_brand && r.card_last4 ? { brand: r.card_brand, last4: r.card_last4 } : null,
    declineCode: r.decline_code,
    recordingPaused: r.recording_paused,
    expiresAt: iso(r.expires_at),
    createdAt: iso(r.created_at),
    completedAt: r.completed_at ? iso(r.completed_at) : null,
  };
}

/** Amounts as people read them, e.g. "49.90 EUR" (minor units per ISO 4217 for the usual currencies). */
export function formatAmount(minor: number, currency: string): string {
  const digits = ['JPY', 'KRW', 'ISK', 'CLP', 'VND'].includes(currency) ? 0 : 2;
  return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
}

type Ctx = Pick<TenantContext, 'tenant' | 'actor'> & TenantContext;

export function createPaymentService(deps: PaymentDeps) {
  const { db, audit } = deps;

  const auditEvent = (
    ctx: TenantContext,
    action: string,
    paymentId: string,
    outcome: 'success' | 'failure' | 'denied',
    meta: TimelineMeta,
  ) => ({
    ...auditBase(ctx),
    action,
    resourceType: 'payment_request',
    resourceId: paymentId,
    outcome,
    meta,
  });

  /** Ends the recording pause of a settled request (timeline shows it). */
  async function resumeRecording(tx: Tx, ctx: Ctx, r: Row) {
    if (!r.recording_paused) return;
    await tx.execute(sql`update payment_requests set recording_paused = false where id = ${r.id}`);
    await recordTimelineEvent(tx, ctx, r.conversation_id, 'recording.resumed', { paymentId: r.id });
  }

  /** Pending requests past their expiry become 'expired' (lazily, on every read). */
  async function expireDue(tx: Tx, ctx: Ctx, conversationId: string) {
    const due = await rows<Row>(
      tx,
      sql`select ${COLS} from payment_requests where conversation_id = ${conversationId}
          and status = 'pending' and expires_at <= now() for update`,
    );
    for (const r of due) {
      await tx.execute(
        sql`update payment_requests set status = 'expired', completed_at = now() where id = ${r.id}`,
      );
      await recordTimelineEvent(tx, ctx, r.conversation_id, 'payment.expired', { paymentId: r.id });
      await resumeRecording(tx, ctx, r);
    }
  }

  async function withVisible<T>(
    ctx: TenantContext,
    conversationId: string,
    fn: (
      tx: Tx,
      c: { channel: string; status: string; customer_id: string; visitor_id: string | null },
    ) => Promise<T>,
  ): Promise<T> {
    const r = await db.withTenant(ctx.tenant.id, async (tx) => {
      const { row, outOfScope } = await visibleConversation(tx, ctx, conversationId, true);
      if (!row) return { none: true as const, outOfScope };
      await expireDue(tx, ctx, conversationId);
      return { value: await fn(tx, row) };
    });
    if ('none' in r) {
      if (r.outOfScope) await deniedConversation(audit, ctx, conversationId);
      throw new VigilError('not_found', 'conversation not found');
    }
    return r.value;
  }

  async function create(ctx: TenantContext, conversationId: string, input: NewPayment) {
    if (ctx.actor.type !== 'user' || !ctx.actor.id) throw new VigilError('forbidden', 'agents only');
    if (!deps.provider) throw new VigilError('service_unavailable', 'no payment provider is configured');
    const provider = deps.provider;
    const token = input.method === 'link' ? randomBytes(32).toString('base64url') : null;
    let conv = { id: conversationId, channel: '', visitorId: null as string | null, customerId: '' };
    const created = await withVisible(ctx, conversationId, async (tx, c) => {
      conv = { id: conversationId, channel: c.channel, visitorId: c.visitor_id, customerId: c.customer_id };
      if (!OPEN_STATUSES.has(c.status)) throw new VigilError('conflict', 'the conversation is not open');
      if (input.method === 'dtmf' && c.channel !== 'voice')
        throw new VigilError('invalid_input', 'keypad capture needs a call');
      const [busy] = await rows<{ id: string }>(
        tx,
        sql`select id from payment_requests where conversation_id = ${conversationId} and status = 'pending' limit 1`,
      );
      if (busy) throw new VigilError('conflict', 'a payment request is already pending in this conversation');
      const id = randomUUID();
      const paused = c.channel === 'voice';
      const minutes = input.method === 'link' ? LINK_TTL_MINUTES : DTMF_TTL_MINUTES;
      const [r] = await rows<Row>(
        tx,
        sql`insert into payment_requests (id, tenant_id, conversation_id, method, amount_minor, currency, reference,
              link_hash, expires_at, recording_paused, provider, created_by)
            values (${id}, ${ctx.tenant.id}, ${conversationId}, ${input.method}, ${input.amountMinor}, ${input.currency},
              ${input.reference}, ${token ? sha256(token) : null}, now() + make_interval(mins => ${minutes}),
              ${paused}, ${provider.name}, ${ctx.actor.id})
            returning ${COLS}`,
      );
      const meta = {
        paymentId: id,
        method: input.method,
        amountMinor: input.amountMinor,
        currency: input.currency,
      };
      await audit.inTx(tx, auditEvent(ctx, 'payment.request.create', id, 'success', meta));
      await recordTimelineEvent(tx, ctx, conversationId, 'payment.requested', meta);
      if (paused) {
        await audit.inTx(
          tx,
          auditEvent(ctx, 'call.recording.paused', id, 'success', {
            conversationId,
            reason: 'payment_capture',
          }),
        );
        await recordTimelineEvent(tx, ctx, conversationId, 'recording.paused', {
          paymentId: id,
          reason: 'payment_capture',
        });
      }
      return view(r!);
    });
    const link = token ? `${deps.publicUrl()}/pay/${ctx.tenant.slug}/${token}` : null;
    let sentVia: 'chat' | 'email' | null = null;
    if (link && input.sendToCustomer && deps.deliverLink) {
      const amount = formatAmount(input.amountMinor, input.currency);
      sentVia = await deps.deliverLink(ctx, conv, {
        subject: `Your payment link from ${ctx.tenant.name}`,
        text: `Please pay ${amount} (${input.reference}) on our secure page: ${link}\nThe link works once and expires in ${LINK_TTL_MINUTES} minutes. Never give your card details to anyone by chat, e-mail or phone.`,
      });
      await db.withTenant(ctx.tenant.id, async (tx) => {
        await audit.inTx(
          tx,
          auditEvent(ctx, 'payment.link.send', created.id, sentVia ? 'success' : 'failure', {
            paymentId: created.id,
            via: sentVia,
          }),
        );
        await recordTimelineEvent(tx, ctx, conversationId, 'payment.link_sent', {
          paymentId: created.id,
          via: sentVia,
        });
      });
    }
    return { ...created, link, sentToCustomer: sentVia !== null, sentVia };
  }

  async function list(ctx: TenantContext, conversationId: string): Promise<PaymentView[]> {
    return withVisible(ctx, conversationId, async (tx) =>
      (
        await rows<Row>(
          tx,
          sql`select ${COLS} from payment_requests where conversation_id = ${conversationId} order by created_at desc limit 100`,
        )
      ).map(view),
    );
  }

  async function get(ctx: TenantContext, conversationId: string, paymentId: string): Promise<PaymentView> {
    return withVisible(ctx, conversationId, async (tx) => {
      const [r] = await rows<Row>(
        tx,
        sql`select ${COLS} from payment_requests where id = ${paymentId} and conversation_id = ${conversationId}`,
      );
      if (!r) throw new VigilError('not_found', 'payment request not found');
      return view(r);
    });
  }

  async function cancel(ctx: TenantContext, conversationId: string, paymentId: string): Promise<PaymentView> {
    return withVisible(ctx, conversationId, async (tx) => {
      const [r] = await rows<Row>(
        tx,
        sql`select ${COLS} from payment_requests where id = ${paymentId} and conversation_id = ${conversationId} for update`,
      );
      if (!r) throw new VigilError('not_found', 'payment request not found');
      if (r.status !== 'pending' || r.used_at)
        throw new VigilError('conflict', 'the payment request is no longer pending');
      await tx.execute(
        sql`update payment_requests set status = 'cancelled', completed_at = now() where id = ${r.id}`,
      );
      await audit.inTx(tx, auditEvent(ctx, 'payment.request.cancel', r.id, 'success', { paymentId: r.id }));
      await recordTimelineEvent(tx, ctx, conversationId, 'payment.cancelled', { paymentId: r.id });
      await resumeRecording(tx, ctx, r);
      const [after] = await rows<Row>(tx, sql`select ${COLS} from payment_requests where id = ${r.id}`);
      return view(after!);
    });
  }

  // ---- capture: the only place card data exists, in memory, for the length of one call ------

  /**
   * Claims the request (single use: used_at is set and committed before the provider is called),
   * charges, and records the outcome. Card problems found before the provider (Luhn, expiry, CVC)
   * do not use up the request, so the customer can correct a typo.
   */
  async function capture(
    ctx: TenantContext,
    claim: (tx: Tx) => Promise<Row | undefined>,
    raw: { number: string; expiry: string; cvc: string },
  ): Promise<
    { outcome: 'succeeded' | 'declined' | 'failed'; payment: PaymentView } | { problem: CardProblem }
  > {
    const parsed = parseCard(raw);
    if ('problem' in parsed) return { problem: parsed.problem };
    const provider = deps.provider;
    if (!provider) throw new VigilError('service_unavailable', 'no payment provider is configured');
    const claimed = await db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await claim(tx);
      if (!r) return null;
      await tx.execute(sql`update payment_requests set used_at = now() where id = ${r.id}`);
      return r;
    });
    if (!claimed) throw new VigilError('not_found', 'no pending payment request');
    let result: ChargeResult | null = null;
    try {
      result = await provider.charge({
        paymentId: claimed.id,
        amountMinor: Number(claimed.amount_minor),
        currency: claimed.currency,
        reference: claimed.reference,
        card: parsed.card,
      });
    } catch {
      result = null; // recorded as 'failed' below; the provider's error text is not kept (it may echo input)
    }
    const status = result ? result.status : 'failed';
    const payment = await db.withTenant(ctx.tenant.id, async (tx) => {
      await tx.execute(sql`update payment_requests set status = ${status}, completed_at = now(),
          provider_token = ${result?.status === 'succeeded' ? result.providerToken : null},
          card_brand = ${result?.brand ?? null}, card_last4 = ${result?.last4 ?? null},
          decline_code = ${result?.status === 'declined' ? result.declineCode : null}
        where id = ${claimed.id}`);
      const meta = {
        paymentId: claimed.id,
        method: claimed.method,
        status,
        brand: result?.brand ?? null,
        declineCode: result?.status === 'declined' ? result.declineCode : null,
      };
      await audit.inTx(
        tx,
        auditEvent(ctx, 'payment.capture', claimed.id, status === 'succeeded' ? 'success' : 'failure', meta),
      );
      await recordTimelineEvent(tx, ctx, claimed.conversation_id, `payment.${status}`, meta);
      await resumeRecording(tx, ctx, claimed);
      const [after] = await rows<Row>(tx, sql`select ${COLS} from payment_requests where id = ${claimed.id}`);
      return view(after!);
    });
    return { outcome: status, payment };
  }

  /** The hosted page's tenant, or null (unknown or inactive tenant). */
  async function tenantBySlug(slug: string): Promise<TenantRef | null> {
    const [t] = await db.withPlatform((tx) =>
      rows<TenantRef & { status: string }>(
        tx,
        sql`select id, slug, name, status from tenants where slug = ${slug}`,
      ),
    );
    return t && t.status === 'active' ? { id: t.id, slug: t.slug, name: t.name } : null;
  }

  const linkContext = (tenant: TenantRef, client: { ip: string; requestId: string }) =>
    systemContext(tenant, {
      requestId: client.requestId,
      ip: client.ip,
      actor: { type: 'visitor', id: null },
    });

  /** What the hosted page shows for a link: the amount and reference, or why it cannot be used. */
  async function linkPage(slug: string, token: string) {
    const tenant = await tenantBySlug(slug);
    if (!tenant) return { state: 'invalid' as const };
    return db.withTenant(tenant.id, async (tx) => {
      const [r] = await rows<Row>(
        tx,
        sql`select ${COLS} from payment_requests where link_hash = ${sha256(token)}`,
      );
      if (!r) return { state: 'invalid' as const };
      if (r.status !== 'pending' || r.used_at || !r.live)
        return { state: 'used' as const, tenant: tenant.name };
      return {
        state: 'open' as const,
        tenant: tenant.name,
        amount: formatAmount(Number(r.amount_minor), r.currency),
        reference: r.reference,
      };
    });
  }

  /** The hosted page's form: the card goes to the provider, the page gets the outcome. */
  async function payByLink(
    slug: string,
    token: string,
    raw: { number: string; expiry: string; cvc: string },
    client: { ip: string; requestId: string },
  ) {
    const tenant = await tenantBySlug(slug);
    if (!tenant) throw new VigilError('not_found', 'not found');
    const ctx = linkContext(tenant, client);
    return capture(
      ctx,
      async (tx) =>
        (
          await rows<Row>(
            tx,
            sql`select ${COLS} from payment_requests where link_hash = ${sha256(token)} and method = 'link'
                and status = 'pending' and used_at is null and expires_at > now() for update`,
          )
        )[0],
      raw,
    );
  }

  /** The telephony integration posts the digits the caller keyed (DTMF) for a pending request. */
  async function payByDtmf(
    ctx: TenantContext,
    callId: string,
    paymentId: string,
    raw: { number: string; expiry: string; cvc: string },
  ) {
    if (ctx.actor.type !== 'service') throw new VigilError('forbidden', 'the telephony integration only');
    return capture(
      ctx,
      async (tx) =>
        (
          await rows<Row>(
            tx,
            sql`select ${COLS} from payment_requests p where p.id = ${paymentId} and p.method = 'dtmf'
                and p.status = 'pending' and p.used_at is null and p.expires_at > now()
                and p.conversation_id = (select conversation_id from calls where id = ${callId}) for update`,
          )
        )[0],
      raw,
    );
  }

  /** For the telephony integration: whether to pause recording/transcription and which request to key. */
  async function callCaptureState(ctx: TenantContext, callId: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const [c] = await rows<{ conversation_id: string }>(
        tx,
        sql`select conversation_id from calls where id = ${callId}`,
      );
      if (!c) throw new VigilError('not_found', 'call not found');
      await expireDue(tx, ctx, c.conversation_id);
      const [p] = await rows<Row>(
        tx,
        sql`select ${COLS} from payment_requests where conversation_id = ${c.conversation_id}
            and recording_paused order by created_at desc limit 1`,
      );
      return {
        callId,
        recordingPaused: Boolean(p),
        payment: p
          ? {
              id: p.id,
              method: p.method,
              amount: formatAmount(Number(p.amount_minor), p.currency),
              status: p.status,
            }
          : null,
      };
    });
  }

  /**
   * The call ended: a keypad capture can no longer happen, so its pending requests are cancelled
   * and the recording pause ends with them (the timeline shows both).
   */
  async function callEnded(ctx: TenantContext, callId: string): Promise<number> {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const pending = await rows<Row>(
        tx,
        sql`select ${COLS} from payment_requests where method = 'dtmf' and status = 'pending' and used_at is null
            and conversation_id = (select conversation_id from calls where id = ${callId}) for update`,
      );
      for (const r of pending) {
        await tx.execute(
          sql`update payment_requests set status = 'cancelled', completed_at = now() where id = ${r.id}`,
        );
        await audit.inTx(
          tx,
          auditEvent(ctx, 'payment.request.cancel', r.id, 'success', {
            paymentId: r.id,
            reason: 'call_ended',
          }),
        );
        await recordTimelineEvent(tx, ctx, r.conversation_id, 'payment.cancelled', { paymentId: r.id });
        await resumeRecording(tx, ctx, r);
      }
      return pending.length;
    });
  }

  /** True while a payment capture pauses this call's recording and transcription. */
  async function recordingPausedForCall(tenantId: string, callId: string): Promise<boolean> {
    const [r] = await db.withTenant(tenantId, (tx) =>
      rows<{ paused: boolean }>(
        tx,
        sql`select exists (select 1 from payment_requests p join calls c on c.conversation_id = p.conversation_id
              where c.id = ${callId} and p.recording_paused and p.status = 'pending' and p.expires_at > now()) as paused`,
      ),
    );
    return Boolean(r?.paused);
  }

  return {
    create,
    list,
    get,
    cancel,
    linkPage,
    payByLink,
    payByDtmf,
    callCaptureState,
    callEnded,
    recordingPausedForCall,
  };
}

export type PaymentService = ReturnType<typeof createPaymentService>;
