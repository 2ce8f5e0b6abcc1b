// Caller verification: the agent types what the caller says (date of birth, postcode, customer
// number); Vigil compares it in constant time with the customer's decrypted value and answers only
// pass or fail. Enough passed factors verify the caller for this conversation only, for a limited
// time, and unlock the masked fields the tenant's policy names (see customers' unlockedFields).
// Failed attempts are counted per conversation; at the limit the conversation is locked (429).
// Neither the answer nor the stored value is ever returned, logged or audited.
import { sql } from 'drizzle-orm';
import type { Keyring } from '../crypto/index.ts';
import { auditBase, pgTextArray } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { deniedConversation, OPEN_STATUSES, visibleConversation } from './access.ts';
import { codeText } from './code-text.ts';
import {
  CODE_MAX_SENDS,
  type CodeChannel,
  checkCode,
  type MailSender,
  maskDestination,
  newCode,
  recentSends,
  type SmsProvider,
  storeCode,
  voidCode,
} from './codes.ts';
import { contactOf } from './contact.ts';
import {
  checkIdentity,
  identitySecret,
  rotateIdentitySecret,
  storeIdentity,
  verifyIdentityToken,
} from './identity.ts';
import {
  FACTORS,
  type Factor,
  isKnowledgeFactor,
  type KnowledgeFactor,
  matches,
  UNLOCKABLE,
  type Unlockable,
} from './normalize.ts';
import { listTimelineEvents, recordTimelineEvent } from './timeline.ts';

export interface VerificationPolicy {
  factors: Factor[];
  required: number;
  maxAttempts: number;
  validityMinutes: number;
  unlocks: Unlockable[];
}

export const DEFAULT_POLICY: Readonly<VerificationPolicy> = {
  factors: ['date_of_birth', 'postcode', 'customer_number'],
  required: 2,
  maxAttempts: 3,
  validityMinutes: 30,
  unlocks: ['dateOfBirth', 'address'],
};

export interface VerificationState {
  conversationId: string;
  verified: boolean;
  locked: boolean;
  passedFactors: Factor[];
  failedAttempts: number;
  attemptsLeft: number;
  required: number;
  factors: Factor[];
  verifiedAt: string | null;
  expiresAt: string | null;
  unlocked: Unlockable[];
}

export interface AttemptResult {
  result: 'pass' | 'fail';
  verified: boolean;
  attemptsLeft: number;
}

export interface VerificationDeps {
  db: Pick<Database, 'withTenant'>;
  keyring: Pick<Keyring, 'decryptFieldText' | 'blindIndex' | 'sealPlatformSecret' | 'openPlatformSecret'>;
  audit: AuditRecorder;
  /** HMAC key for one-time codes (loadCodePepper). */
  pepper: Buffer;
  /** E-mail through the SMTP relay; without it, codes by e-mail answer 503. */
  mail?: MailSender | undefined;
  /** SMS gateway; without it, codes by SMS answer 503. */
  sms?: SmsProvider | undefined;
}

interface StateRow {
  conversation_id: string;
  customer_id: string;
  passed_factors: string[];
  failed_attempts: number;
  verified_at: Date | string | null;
  expires_at: Date | string | null;
  unlocks: string[];
  live: boolean;
}

const OPEN = OPEN_STATUSES;
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const uniq = <T>(xs: readonly T[]) => [...new Set(xs)];

function checkPolicy(p: VerificationPolicy): VerificationPolicy {
  const factors = uniq(p.factors).filter((f) => (FACTORS as readonly string[]).includes(f));
  const unlocks = uniq(p.unlocks).filter((f) => (UNLOCKABLE as readonly string[]).includes(f));
  if (factors.length < 1 || factors.length !== p.factors.length)
    throw new VigilError('invalid_input', 'invalid verification factors');
  if (unlocks.length !== p.unlocks.length) throw new VigilError('invalid_input', 'invalid unlocked fields');
  if (!Number.isInteger(p.required) || p.required < 1 || p.required > factors.length)
    throw new VigilError('invalid_input', 'required factors must be between 1 and the number of factors');
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1 || p.maxAttempts > 10)
    throw new VigilError('invalid_input', 'attempt limit must be between 1 and 10');
  if (!Number.isInteger(p.validityMinutes) || p.validityMinutes < 1 || p.validityMinutes > 480)
    throw new VigilError('invalid_input', 'validity must be between 1 and 480 minutes');
  return { ...p, factors, unlocks };
}

export function createVerificationService(deps: VerificationDeps) {
  const { db, keyring, audit } = deps;

  async function policyInTx(tx: Tx): Promise<VerificationPolicy> {
    const [r] = await rows<{
      factors: string[];
      required: number;
      max_attempts: number;
      validity_minutes: number;
      unlocks: string[];
    }>(tx, sql`select factors, required, max_attempts, validity_minutes, unlocks from verification_policies`);
    if (!r) return { ...DEFAULT_POLICY };
    return {
      factors: r.factors as Factor[],
      required: r.required,
      maxAttempts: r.max_attempts,
      validityMinutes: r.validity_minutes,
      unlocks: r.unlocks as Unlockable[],
    };
  }

  const getPolicy = (ctx: TenantContext) => db.withTenant(ctx.tenant.id, policyInTx);

  async function setPolicy(ctx: TenantContext, patch: Partial<VerificationPolicy>) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const p = checkPolicy({ ...(await policyInTx(tx)), ...patch });
      await tx.execute(sql`insert into verification_policies (tenant_id, factors, required, max_attempts, validity_minutes, unlocks)
        values (${ctx.tenant.id}, ${pgTextArray(p.factors)}::text[], ${p.required}, ${p.maxAttempts}, ${p.validityMinutes}, ${pgTextArray(p.unlocks)}::text[])
        on conflict (tenant_id) do update set factors = excluded.factors, required = excluded.required,
          max_attempts = excluded.max_attempts, validity_minutes = excluded.validity_minutes,
          unlocks = excluded.unlocks, updated_at = now()`);
      await audit.inTx(tx, {
        ...auditBase(ctx),
        action: 'settings.verification_policy.update',
        resourceType: 'tenant_settings',
        resourceId: ctx.tenant.id,
        outcome: 'success',
        meta: {
          factors: p.factors.join(','),
          required: p.required,
          maxAttempts: p.maxAttempts,
          validityMinutes: p.validityMinutes,
          unlocks: p.unlocks.join(','),
        },
      });
      return p;
    });
  }

  const denied = (ctx: TenantContext, id: string) => deniedConversation(audit, ctx, id);

  async function selectState(
    tx: Tx,
    conversationId: string,
    forUpdate: boolean,
  ): Promise<StateRow | undefined> {
    const [r] = await rows<StateRow>(
      tx,
      sql`select conversation_id, customer_id, passed_factors, failed_attempts, verified_at, expires_at, unlocks,
            (verified_at is not null and expires_at > now()) as live
          from conversation_verifications where conversation_id = ${conversationId}
          ${forUpdate ? sql`for update` : sql``}`,
    );
    return r;
  }

  function stateView(
    conversationId: string,
    policy: VerificationPolicy,
    s: StateRow | undefined,
    customerId: string,
  ): VerificationState {
    // A state written for another customer (before a merge) counts for nothing but its failures.
    const same = s !== undefined && s.customer_id === customerId;
    const failed = s?.failed_attempts ?? 0;
    const live = same && s.live;
    return {
      conversationId,
      verified: live,
      locked: failed >= policy.maxAttempts,
      passedFactors: same && (live || !s.verified_at) ? (s.passed_factors as Factor[]) : [],
      failedAttempts: failed,
      attemptsLeft: Math.max(0, policy.maxAttempts - failed),
      required: policy.required,
      factors: policy.factors,
      verifiedAt: live ? iso(s.verified_at) : null,
      expiresAt: live ? iso(s.expires_at) : null,
      unlocked: live ? (s.unlocks as Unlockable[]) : [],
    };
  }

  async function state(ctx: TenantContext, conversationId: string): Promise<VerificationState> {
    const r = await db.withTenant(ctx.tenant.id, async (tx) => {
      const { row, outOfScope } = await visibleConversation(tx, ctx, conversationId, false);
      if (!row) return { none: true as const, outOfScope };
      const policy = await policyInTx(tx);
      return {
        view: stateView(
          conversationId,
          policy,
          await selectState(tx, conversationId, false),
          row.customer_id,
        ),
      };
    });
    if ('none' in r) {
      if (r.outOfScope) await denied(ctx, conversationId);
      throw new VigilError('not_found', 'conversation not found');
    }
    return r.view;
  }

  /** The customer's stored value of a factor, decrypted inside the transaction; null when absent. */
  async function storedValue(
    tx: Tx,
    tenantId: string,
    customerId: string,
    factor: KnowledgeFactor,
  ): Promise<string | null> {
    const column =
      factor === 'date_of_birth' ? 'dob_enc' : factor === 'postcode' ? 'address_enc' : 'customer_number_enc';
    const [c] = await rows<{ v: Buffer | null; erased: boolean; merged: boolean }>(
      tx,
      sql`select ${sql.identifier(column)} as v, erased_at is not null as erased, merged_into is not null as merged
          from customers where id = ${customerId}`,
    );
    if (!c) throw new VigilError('not_found', 'customer not found');
    if (c.erased) throw new VigilError('data_erased', 'the data was erased');
    if (!c.v) return null;
    const plain = await keyring.decryptFieldText(
      { tenantId, table: 'customers', column, rowId: customerId, subjectId: customerId },
      Buffer.from(c.v),
      tx,
    );
    if (factor !== 'postcode') return plain;
    try {
      const a = JSON.parse(plain) as { postalCode?: unknown };
      return typeof a.postalCode === 'string' ? a.postalCode : null;
    } catch {
      return null;
    }
  }

  /** Compares one factor; 'none' when there is nothing to compare against (no code, no visitor claim). */
  async function compare(
    tx: Tx,
    tenantId: string,
    conversationId: string,
    customerId: string,
    factor: Factor,
    answer: string | undefined,
  ): Promise<'pass' | 'fail' | 'none' | 'superseded'> {
    if (factor === 'signed_in_visitor') return checkIdentity(tx, conversationId, customerId);
    if (answer === undefined || !answer.trim())
      throw new VigilError('invalid_input', 'this factor needs the answer the caller gave');
    if (factor === 'one_time_code') return checkCode(tx, deps.pepper, conversationId, customerId, answer);
    if (!isKnowledgeFactor(factor)) throw new VigilError('invalid_input', 'unknown factor');
    return matches(factor, answer, await storedValue(tx, tenantId, customerId, factor)) ? 'pass' : 'fail';
  }

  async function attempt(
    ctx: TenantContext,
    conversationId: string,
    factor: Factor,
    answer: string | undefined,
  ): Promise<AttemptResult> {
    if (ctx.actor.type !== 'user' || !ctx.actor.id) throw new VigilError('forbidden', 'agents only');
    const tenantId = ctx.tenant.id;
    const event = (
      action: string,
      outcome: 'success' | 'failure' | 'denied',
      meta: Record<string, string | number | boolean | null>,
    ) => ({
      ...auditBase(ctx),
      action,
      resourceType: 'conversation',
      resourceId: conversationId,
      outcome,
      meta,
    });

    const r = await db.withTenant(tenantId, async (tx) => {
      const { row: c, outOfScope } = await visibleConversation(tx, ctx, conversationId, true);
      if (!c) return { none: true as const, outOfScope };
      if (!OPEN.has(c.status)) throw new VigilError('conflict', 'the conversation is not open');
      const policy = await policyInTx(tx);
      if (!policy.factors.includes(factor))
        throw new VigilError('invalid_input', 'this factor is not accepted by the verification policy');

      await tx.execute(sql`insert into conversation_verifications (conversation_id, tenant_id, customer_id)
        values (${conversationId}, ${tenantId}, ${c.customer_id}) on conflict (conversation_id) do nothing`);
      let s = (await selectState(tx, conversationId, true)) as StateRow;
      if (s.customer_id !== c.customer_id || (s.verified_at !== null && !s.live)) {
        // Merged into another customer, or an expired verification: start over (failures stay).
        await tx.execute(sql`update conversation_verifications set customer_id = ${c.customer_id}, passed_factors = '{}',
          verified_at = null, verified_by = null, expires_at = null, unlocks = '{}', updated_at = now()
          where conversation_id = ${conversationId}`);
        s = (await selectState(tx, conversationId, true)) as StateRow;
      }
      if (s.failed_attempts >= policy.maxAttempts)
        return { blocked: true as const, failed: s.failed_attempts };
      if (s.live) throw new VigilError('conflict', 'the caller is already verified in this conversation');

      const outcome = await compare(tx, tenantId, conversationId, c.customer_id, factor, answer);
      if (outcome === 'superseded')
        throw new VigilError(
          'conflict',
          'this code was replaced by a newer one: ask the caller for the latest code (not counted as a failure)',
        );
      if (outcome === 'none')
        throw new VigilError(
          'conflict',
          factor === 'one_time_code'
            ? 'no one-time code is pending in this conversation'
            : 'no signed-in visitor identity in this conversation',
        );
      const pass = outcome === 'pass';
      const passed = pass ? uniq([...s.passed_factors, factor]) : s.passed_factors;
      const failed = s.failed_attempts + (pass ? 0 : 1);
      const verified = passed.filter((f) => policy.factors.includes(f as Factor)).length >= policy.required;
      if (verified) {
        await tx.execute(sql`update conversation_verifications set passed_factors = ${pgTextArray(passed)}::text[],
          verified_at = now(), verified_by = ${ctx.actor.id}, expires_at = now() + make_interval(mins => ${policy.validityMinutes}),
          unlocks = ${pgTextArray(policy.unlocks)}::text[], updated_at = now() where conversation_id = ${conversationId}`);
      } else {
        await tx.execute(sql`update conversation_verifications set passed_factors = ${pgTextArray(passed)}::text[],
          failed_attempts = ${failed}, updated_at = now() where conversation_id = ${conversationId}`);
      }
      const lockedNow = !pass && failed >= policy.maxAttempts;
      await audit.inTx(
        tx,
        event('verification.attempt', pass ? 'success' : 'failure', {
          factor,
          result: pass ? 'pass' : 'fail',
        }),
      );
      await recordTimelineEvent(tx, ctx, conversationId, 'verification.attempt', {
        factor,
        result: pass ? 'pass' : 'fail',
      });
      if (lockedNow) {
        // The limit is reached now: one event for monitoring and the timeline, in the same commit.
        await audit.inTx(tx, event('verification.locked', 'denied', { factor, failedAttempts: failed }));
        await recordTimelineEvent(tx, ctx, conversationId, 'verification.locked', { failedAttempts: failed });
      }
      if (verified)
        await recordTimelineEvent(tx, ctx, conversationId, 'verification.verified', {
          factors: passed.length,
          validityMinutes: policy.validityMinutes,
        });
      if (verified)
        await audit.inTx(
          tx,
          event('verification.verified', 'success', {
            customerId: c.customer_id,
            factors: passed.length,
            unlocks: policy.unlocks.join(','),
            validityMinutes: policy.validityMinutes,
          }),
        );
      return {
        result: {
          result: pass ? ('pass' as const) : ('fail' as const),
          verified,
          attemptsLeft: Math.max(0, policy.maxAttempts - failed),
        },
      };
    });
    if ('none' in r) {
      if (r.outOfScope) await denied(ctx, conversationId);
      throw new VigilError('not_found', 'conversation not found');
    }
    if ('blocked' in r) {
      await audit.standalone(
        event('verification.blocked', 'denied', { factor, failedAttempts: r.failed ?? null }),
      );
      throw new VigilError('rate_limited', 'too many failed verification attempts in this conversation');
    }
    return r.result;
  }

  /**
   * The customer fields unlocked for this caller in this conversation: only when the caller may see
   * the conversation, it belongs to this customer, is still open, and its verification is live.
   */
  async function unlockedFor(
    ctx: TenantContext,
    conversationId: string,
    customerId: string,
  ): Promise<string[]> {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const { row: c } = await visibleConversation(tx, ctx, conversationId, false);
      if (!c || c.customer_id !== customerId || !OPEN.has(c.status)) return [];
      const s = await selectState(tx, conversationId, false);
      if (!s?.live || s.customer_id !== customerId) return [];
      return s.unlocks.filter((f) => (UNLOCKABLE as readonly string[]).includes(f));
    });
  }

  const contactOnFile = (tx: Tx, tenantId: string, customerId: string, channel: CodeChannel) =>
    contactOf(tx, keyring, tenantId, customerId, channel);

  /**
   * Sends a one-time code to the e-mail address or phone number already on file (never to one the
   * caller dictates). The agent learns only that it was sent and a masked destination.
   */
  async function sendCode(ctx: TenantContext, conversationId: string, channel: CodeChannel) {
    if (ctx.actor.type !== 'user' || !ctx.actor.id) throw new VigilError('forbidden', 'agents only');
    const sender = channel === 'email' ? deps.mail : deps.sms;
    if (!sender) throw new VigilError('service_unavailable', 'no delivery for this channel is configured');
    const tenantId = ctx.tenant.id;
    const r = await db.withTenant(tenantId, async (tx) => {
      const { row: c, outOfScope } = await visibleConversation(tx, ctx, conversationId, true);
      if (!c) return { none: true as const, outOfScope };
      if (!OPEN.has(c.status)) throw new VigilError('conflict', 'the conversation is not open');
      const policy = await policyInTx(tx);
      if (!policy.factors.includes('one_time_code'))
        throw new VigilError('invalid_input', 'this factor is not accepted by the verification policy');
      const s = await selectState(tx, conversationId, false);
      if ((s?.failed_attempts ?? 0) >= policy.maxAttempts)
        throw new VigilError('rate_limited', 'too many failed verification attempts in this conversation');
      if ((await recentSends(tx, conversationId)) >= CODE_MAX_SENDS)
        throw new VigilError('rate_limited', 'too many codes requested in this conversation', {
          retryAfter: 60,
        });
      const to = await contactOnFile(tx, tenantId, c.customer_id, channel);
      if (!to) throw new VigilError('unprocessable', 'the customer has no contact on file for this channel');
      const code = newCode();
      const stored = await storeCode(
        tx,
        deps.pepper,
        { tenantId, conversationId, customerId: c.customer_id, channel, createdBy: ctx.actor.id },
        code,
      );
      await audit.inTx(tx, {
        ...auditBase(ctx),
        action: 'verification.code.sent',
        resourceType: 'conversation',
        resourceId: conversationId,
        outcome: 'success',
        meta: { channel, codeId: stored.id },
      });
      await recordTimelineEvent(tx, ctx, conversationId, 'verification.code_sent', { channel });
      return { to, code, stored, language: c.language };
    });
    if ('none' in r) {
      if (r.outOfScope) await denied(ctx, conversationId);
      throw new VigilError('not_found', 'conversation not found');
    }
    const t = codeText(r.language);
    const text = t.text(r.code);
    try {
      if (channel === 'email') await deps.mail!.send({ to: r.to, subject: t.subject(ctx.tenant.name), text });
      else await deps.sms!.send({ to: r.to, text });
    } catch {
      await db.withTenant(tenantId, (tx) => voidCode(tx, r.stored.id));
      await audit.standalone({
        ...auditBase(ctx),
        action: 'verification.code.sent',
        resourceType: 'conversation',
        resourceId: conversationId,
        outcome: 'failure',
        meta: { channel, codeId: r.stored.id },
      });
      throw new VigilError('service_unavailable', 'the code could not be delivered');
    }
    return { channel, sentTo: maskDestination(channel, r.to), expiresAt: r.stored.expiresAt };
  }

  /** Tenant admins: a new secret for signing visitor identity tokens, returned once. */
  async function rotateVisitorIdentitySecret(ctx: TenantContext): Promise<{ secret: string }> {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const secret = await rotateIdentitySecret(tx, keyring, ctx.tenant.id);
      await audit.inTx(tx, {
        ...auditBase(ctx),
        action: 'settings.visitor_identity_secret.rotate',
        resourceType: 'tenant_settings',
        resourceId: ctx.tenant.id,
        outcome: 'success',
        meta: {},
      });
      return { secret: secret.toString('base64url') };
    });
  }

  /**
   * The widget presents the identity token the tenant's site signed for its signed-in customer.
   * The claim is kept (as a blind index) for the visitor's open conversation; an invalid token is
   * refused and audited as a failure (monitoring counts those).
   */
  async function presentVisitorIdentity(
    ctx: TenantContext,
    visitorId: string,
    identityToken: string,
  ): Promise<{ conversationId: string; accepted: true }> {
    const tenantId = ctx.tenant.id;
    const r = await db.withTenant(tenantId, async (tx) => {
      const [conv] = await rows<{ id: string }>(
        tx,
        sql`select id from conversations where visitor_id = ${visitorId} and status <> 'closed'
            order by last_message_at desc limit 1`,
      );
      if (!conv) return { error: 'no_conversation' as const };
      const secret = await identitySecret(tx, keyring, tenantId);
      const claims = secret ? verifyIdentityToken(secret, identityToken, ctx.tenant.slug) : null;
      if (!claims) return { error: 'invalid' as const, conversationId: conv.id };
      await storeIdentity(tx, keyring, { tenantId, conversationId: conv.id }, claims);
      await audit.inTx(tx, {
        ...auditBase(ctx),
        action: 'verification.visitor_identity',
        resourceType: 'conversation',
        resourceId: conv.id,
        outcome: 'success',
        meta: {},
      });
      await recordTimelineEvent(tx, ctx, conv.id, 'verification.visitor_signed_in', {});
      return { conversationId: conv.id };
    });
    if ('error' in r) {
      if (r.error === 'no_conversation') throw new VigilError('not_found', 'no open conversation');
      await audit.standalone({
        ...auditBase(ctx),
        action: 'verification.visitor_identity',
        resourceType: 'conversation',
        resourceId: r.conversationId,
        outcome: 'failure',
        meta: {},
      });
      throw new VigilError('unauthenticated', 'the identity token is invalid or expired');
    }
    return { conversationId: r.conversationId, accepted: true };
  }

  /** The security timeline (verification and payment events) of a conversation the caller may see. */
  async function timeline(ctx: TenantContext, conversationId: string) {
    const r = await db.withTenant(ctx.tenant.id, async (tx) => {
      const { row, outOfScope } = await visibleConversation(tx, ctx, conversationId, false);
      if (!row) return { none: true as const, outOfScope };
      return { events: await listTimelineEvents(tx, conversationId) };
    });
    if ('none' in r) {
      if (r.outOfScope) await denied(ctx, conversationId);
      throw new VigilError('not_found', 'conversation not found');
    }
    return { conversationId, events: r.events };
  }

  /**
   * For changes of contact data (e-mail, phone, address), inside the customer update's transaction:
   * passes only when the caller may see the conversation, it is open, belongs to the customer and
   * its verification is live.
   */
  async function requireVerified(
    tx: Tx,
    ctx: TenantContext,
    conversationId: string | undefined,
    customerId: string,
  ) {
    if (!conversationId)
      throw new VigilError(
        'verification_required',
        'changing contact data needs a conversation in which the caller was verified',
      );
    const { row: c } = await visibleConversation(tx, ctx, conversationId, false);
    let ok = Boolean(c && c.customer_id === customerId && OPEN.has(c.status));
    if (ok) {
      const s = await selectState(tx, conversationId, false);
      ok = Boolean(s?.live && s.customer_id === customerId);
    }
    if (!ok)
      throw new VigilError(
        'verification_required',
        'the caller has not passed verification in this conversation',
      );
  }

  return {
    getPolicy,
    setPolicy,
    state,
    attempt,
    unlockedFor,
    sendCode,
    rotateVisitorIdentitySecret,
    presentVisitorIdentity,
    timeline,
    requireVerified,
  };
}

export type VerificationService = ReturnType<typeof createVerificationService>;
