// DSAR intake: a customer files a request on the tenant's public form or by e-mail to its privacy
// mailbox (no login). The answer is the same whether or not the contact is on file (no
// enumeration); a one-time code goes only to an address or phone on file, and nothing is
// disclosed before it is entered. A verified intake becomes a subject request in src/privacy (the
// DPO's register, Art. 12(3) deadline); an objection (Art. 21) enters it as a restriction pending
// the DPO's decision (Art. 18(1)(d)). The requester follows the state with the status token; a
// fulfilled export is downloaded with the token plus a fresh code, until it expires.
import { randomUUID } from 'node:crypto';
import type { Keyring } from '../crypto/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { RequestContext, TenantContext } from '../platform/context.ts';
import type { Database, Tx } from '../platform/db.ts';
import { notFound, VigilError } from '../platform/errors.ts';
import type { RateCounter } from '../platform/rate-limit.ts';
import { createIntakeRequest, type RequestType, requestStates } from '../privacy/index.ts';
import { createIntakeCodes, field, newToken, sha } from './dsar-codes.ts';
import type { DsarMessages, Locale, PublicState } from './dsar-mail.ts';
import { govEvent, iso } from './events.ts';
import type { createProofOfWork } from './pow.ts';
import * as store from './store-dsar.ts';

export type Lookup = { email: string } | { phone: string };

export interface DsarDeps {
  db: Pick<Database, 'withTenant'>;
  audit: AuditRecorder;
  keyring: Pick<Keyring, 'encryptField' | 'decryptFieldText'>;
  /** customers: ids of the customers with this address or phone on file (blind index). */
  findCustomerIds(tx: Tx, tenantId: string, by: Lookup): Promise<string[]>;
  exportSubject(ctx: TenantContext, customerId: string): Promise<unknown>;
  messages: DsarMessages;
  pepper: Buffer;
  pow: ReturnType<typeof createProofOfWork>;
  replay: Pick<RateCounter, 'hit'>;
  /** A code that could not be delivered (the requester asks for a new one). */
  onSendError?: (e: unknown) => void;
}

/** What a requester asks for, however it arrived. */
export interface Request {
  type: store.IntakeType;
  email: string;
  /** With verifyBy 'sms': the phone on file the code goes to. */
  phone?: string | undefined;
  verifyBy?: 'email' | 'sms' | undefined;
  /** What to rectify, or the grounds of an objection (stored encrypted, for the DPO). */
  details?: string | undefined;
  locale?: Locale | undefined;
}

export interface IntakeInput extends Request {
  challenge: string;
  nonce: string;
  /** Honeypot: hidden from people, filled in by form-filling bots. */
  website?: string;
}

/** The register type an intake becomes: an objection is handled as a restriction. */
const registerType = (t: store.IntakeType): RequestType => (t === 'objection' ? 'restriction' : t);
const botCheck = () => new VigilError('dsar_bot_check_failed', 'the form check failed; reload the form');

/** The state the requester sees: the intake's own, then the DPO's outcome in the register. */
function publicState(r: store.IntakeRow, registerState: string | undefined): PublicState {
  if (r.state === 'unverified' || r.state === 'fulfilled') return r.state;
  if (registerState === 'in_effect' || registerState === 'completed' || registerState === 'rejected')
    return registerState;
  return r.state === 'rejected' ? 'rejected' : 'verified';
}

/** The public states of several intakes, with one read of their subject requests. */
export async function publicStates(tx: Tx, rows: store.IntakeRow[]) {
  const states = await requestStates(
    tx,
    rows.flatMap((r) => (r.subject_request_id ? [r.subject_request_id] : [])),
  );
  return (r: store.IntakeRow) => publicState(r, states.get(r.subject_request_id ?? ''));
}

export function createDsarIntake(deps: DsarDeps) {
  const { db, audit, keyring } = deps;
  const codes = createIntakeCodes(deps);
  const system = (ctx: TenantContext): TenantContext => ({ ...ctx, actor: { type: 'system', id: null } });

  /** Opens an intake (form or mailbox); a code follows only when the contact is on file. */
  async function open(ctx: TenantContext, q: Request, source: 'form' | 'mail') {
    const id = randomUUID();
    const statusToken = newToken();
    const email = q.email.trim();
    const channel = q.verifyBy === 'sms' && q.phone ? 'sms' : 'email';
    const tid = ctx.tenant.id;
    const pending = await db.withTenant(tid, async (tx) => {
      const by: Lookup = channel === 'sms' ? { phone: q.phone!.trim() } : { email };
      const [customerId] = await deps.findCustomerIds(tx, tid, by);
      const enc = (column: 'email_enc' | 'phone_enc' | 'details_enc', v: string | undefined) =>
        v ? keyring.encryptField(field(tid, id, column), v, tx) : Promise.resolve(null);
      await store.insertIntake(tx, {
        id,
        tenantId: tid,
        type: q.type,
        emailEnc: (await enc('email_enc', email))!,
        phoneEnc: channel === 'sms' ? await enc('phone_enc', q.phone!.trim()) : null,
        detailsEnc: await enc('details_enc', q.details?.trim() || undefined),
        source,
        verifyChannel: channel,
        locale: q.locale ?? 'en',
        customerId: customerId ?? null,
        statusHash: sha(statusToken),
      });
      await audit.inTx(
        tx,
        govEvent(system(ctx), 'governance.dsar.received', 'dsar_intake', id, {
          type: q.type,
          source,
          channel,
        }),
      );
      // A code is made for every intake, so both cases do the same work; it goes out, and can
      // verify, only for a contact on file.
      const pending = await codes.issue(tx, tid, (await store.selectIntake(tx, id))!);
      return customerId ? pending : null;
    });
    // Only a contact on file gets a code; the requester sees the same answer either way, and as
    // fast: the code goes out after the answer, so no delivery time tells the cases apart.
    if (pending) void codes.send(pending).catch((e: unknown) => deps.onSendError?.(e));
    return { statusToken };
  }

  async function submit(ctx: TenantContext, input: IntakeInput): Promise<{ statusToken: string }> {
    if (input.website) throw botCheck();
    deps.pow.check(input.challenge, input.nonce);
    if ((await deps.replay.hit('dsar.pow', input.challenge, 15 * 60_000)).current > 1) throw botCheck();
    return open(ctx, input, 'form');
  }

  async function byToken(tx: Tx, token: string, lock = false) {
    const r = await store.selectByStatusHash(tx, sha(token), lock);
    if (!r) throw notFound('request');
    return r;
  }

  async function statusView(tx: Tx, r: store.IntakeRow) {
    const stateOf = await publicStates(tx, [r]);
    return {
      type: r.type,
      state: stateOf(r),
      receivedAt: iso(r.received_at)!,
      dueAt: iso(r.due_at)!,
      extended: !!r.extended_reason,
      downloadAvailable:
        r.state === 'fulfilled' && !!r.download_expires_at && new Date(r.download_expires_at) > new Date(),
      downloadExpiresAt: iso(r.download_expires_at),
    };
  }

  /** Status for the holder of the token: state and dates only, never personal data. */
  const status = (ctx: TenantContext, token: string) =>
    db.withTenant(ctx.tenant.id, async (tx) => statusView(tx, await byToken(tx, token)));

  async function verify(ctx: TenantContext, token: string, code: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await byToken(tx, token, true);
      if (r.state !== 'unverified' || !r.customer_id || !codes.matches(r, code)) {
        if (r.state === 'unverified') await store.failCode(tx, r.id);
        await audit.inTx(tx, {
          ...govEvent(system(ctx), 'governance.dsar.verify', 'dsar_intake', r.id),
          outcome: 'failure',
        });
        return { ok: false as const };
      }
      const identityMethod = r.verify_channel === 'sms' ? 'sms_confirmation' : 'email_confirmation';
      const type = registerType(r.type);
      const requestId = await createIntakeRequest(
        tx,
        audit,
        {
          tenantId: ctx.tenant.id,
          customerId: r.customer_id,
          type,
          intakeId: r.id,
          receivedAt: iso(r.received_at)!,
          dueAt: iso(r.due_at)!,
          identityMethod,
        },
        (sid) =>
          govEvent(system(ctx), 'privacy.request.create', 'subject_request', sid, {
            customerId: r.customer_id,
            type,
            identityMethod,
          }),
      );
      await store.markVerified(tx, r.id, requestId);
      await audit.inTx(
        tx,
        govEvent(system(ctx), 'governance.dsar.verified', 'dsar_intake', r.id, { requestId }),
      );
      return { ok: true as const, status: await statusView(tx, (await store.selectIntake(tx, r.id))!) };
    });
  }

  /** The requester downloads with the status token and the mailed code, before expiry. */
  async function download(ctx: TenantContext, token: string, code: string) {
    const r = await db.withTenant(ctx.tenant.id, async (tx) => {
      const row = await byToken(tx, token, true);
      if (row.state !== 'fulfilled' || !row.download_expires_at || !row.customer_id)
        throw new VigilError('dsar_not_verified', 'no export is ready for this request');
      if (new Date(row.download_expires_at) <= new Date())
        throw new VigilError('download_expired', 'the download expired; ask the privacy team again');
      const ok = codes.matches(row, code);
      if (ok) await store.markDownloaded(tx, row.id);
      else await store.failCode(tx, row.id);
      await audit.inTx(tx, {
        ...govEvent(system(ctx), 'governance.dsar.download', 'dsar_intake', row.id),
        ...(ok ? {} : { outcome: 'failure' as const }),
      });
      return ok ? row : null;
    });
    if (!r) throw new VigilError('dsar_code_invalid', 'the code is wrong or expired');
    // privacy records its own export event before the data leaves.
    return deps.exportSubject(system(ctx), r.customer_id!);
  }

  /** A new code to the contact on file: to verify, or to download a fulfilled export. */
  async function resendCode(ctx: TenantContext, token: string): Promise<void> {
    const pending = await db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await byToken(tx, token, true);
      // A purged intake has no contact left to send to.
      if (r.purged_at) return null;
      const ready =
        r.state === 'fulfilled' && r.download_expires_at && new Date(r.download_expires_at) > new Date();
      if (!(r.state === 'unverified' || ready)) return null;
      // As at filing: the same work for every request, a code out only to a contact on file.
      const p = await codes.issue(tx, ctx.tenant.id, r);
      return r.customer_id ? p : null;
    });
    if (pending) void codes.send(pending).catch((e: unknown) => deps.onSendError?.(e));
  }

  return { open, submit, status, verify, resendCode, download, codes };
}

export type DsarIntake = ReturnType<typeof createDsarIntake>;
export type PublicCtx = Pick<RequestContext, 'requestId' | 'ip' | 'uaHash' | 'actor' | 'roles' | 'ability'>;
