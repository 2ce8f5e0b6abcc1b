// Caller verification: the agent types what the caller says (date of birth, postcode, customer
// number); Vigil compares it in constant time with the customer's decrypted value and answers only
// pass or fail. Enough passed factors verify the caller for this conversation only, for a limited
// time, and unlock the masked fields the tenant's policy names (see customers' unlockedFields).
// Failed attempts are counted per conversation; at the limit the conversation is locked (429).
// Neither the answer nor the stored value is ever returned, logged or audited.
import { sql } from 'drizzle-orm';
import * as convStore from '../conversations/store.ts';
import type { Keyring } from '../crypto/index.ts';
import { auditBase, pgTextArray } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { FACTORS, type Factor, matches, UNLOCKABLE, type Unlockable } from './normalize.ts';

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
  keyring: Pick<Keyring, 'decryptFieldText'>;
  audit: AuditRecorder;
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

const OPEN = new Set(['open', 'pending']);
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

  /** The conversation when the caller may see it (agents: their queues or assignment; supervisors: all). */
  async function visibleConversation(
    tx: Tx,
    ctx: TenantContext,
    id: string,
    forUpdate: boolean,
  ): Promise<{ row?: convStore.ConversationRow; outOfScope: boolean }> {
    const c = await convStore.selectConversation(tx, id, forUpdate);
    if (!c) return { outOfScope: false };
    if (ctx.roles.includes('supervisor')) return { row: c, outOfScope: false };
    if (ctx.actor.type !== 'user' || !ctx.actor.id) return { outOfScope: true };
    const queues = await convStore.queueIdsOf(tx, ctx.actor.id);
    const ok = (c.queue_id !== null && queues.includes(c.queue_id)) || c.assignee_id === ctx.actor.id;
    return ok ? { row: c, outOfScope: false } : { outOfScope: true };
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
    factor: Factor,
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

  async function attempt(
    ctx: TenantContext,
    conversationId: string,
    factor: Factor,
    answer: string,
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

      const pass = matches(factor, answer, await storedValue(tx, tenantId, c.customer_id, factor));
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
      await audit.inTx(
        tx,
        event('verification.attempt', pass ? 'success' : 'failure', {
          factor,
          result: pass ? 'pass' : 'fail',
        }),
      );
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
        event('verification.locked', 'denied', { factor, failedAttempts: r.failed ?? null }),
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

  return { getPolicy, setPolicy, state, attempt, unlockedFor };
}

export type VerificationService = ReturnType<typeof createVerificationService>;
