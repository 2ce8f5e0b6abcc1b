// DSAR intake: a customer files a request on the tenant's public form (no login). The answer is
// the same whether or not the address is on file (no enumeration); a one-time code goes only to
// an address on file, and nothing is disclosed before it is entered. A verified intake becomes a
// subject request in src/privacy (the DPO's register, Art. 12(3) deadline). The fulfilled export
// is downloaded with the status token plus a fresh code mailed to the address, until it expires.
import { createHash, createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../crypto/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { RequestContext, TenantContext } from '../platform/context.ts';
import type { Database, Tx } from '../platform/db.ts';
import { notFound, VigilError } from '../platform/errors.ts';
import type { MailSender } from '../platform/mail-relay.ts';
import type { RateCounter } from '../platform/rate-limit.ts';
import { createIntakeRequest, type RequestType, setRequestDeadline } from '../privacy/index.ts';
import { govEvent, iso } from './events.ts';
import type { createProofOfWork } from './pow.ts';
import * as store from './store-dsar.ts';

const CODE_TTL_SECONDS = 15 * 60;
const CODE_MAX_ATTEMPTS = 5;
const DOWNLOAD_TTL_SECONDS = 7 * 86_400;

export interface DsarDeps {
  db: Pick<Database, 'withTenant'>;
  audit: AuditRecorder;
  keyring: Pick<Keyring, 'encryptField' | 'decryptFieldText'>;
  findCustomerIds(tx: Tx, tenantId: string, email: string): Promise<string[]>;
  exportSubject(ctx: TenantContext, customerId: string): Promise<unknown>;
  mail: MailSender | undefined;
  pepper: Buffer;
  pow: ReturnType<typeof createProofOfWork>;
  replay: Pick<RateCounter, 'hit'>;
}

export interface IntakeInput {
  type: RequestType;
  email: string;
  challenge: string;
  nonce: string;
  /** Honeypot: hidden from people, filled in by form-filling bots. */
  website?: string;
}

const sha = (s: string) => createHash('sha256').update(s).digest();
const newToken = () => randomBytes(32).toString('base64url');
const emailField = (tenantId: string, id: string) => ({
  tenantId,
  table: 'dsar_intakes',
  column: 'email_enc',
  rowId: id,
});

export function createDsarIntake(deps: DsarDeps) {
  const { db, audit, keyring } = deps;
  const codeHash = (id: string, code: string) =>
    createHmac('sha256', deps.pepper).update(`dsar\0${id}\0${code}`).digest();
  const system = (ctx: TenantContext): TenantContext => ({ ...ctx, actor: { type: 'system', id: null } });

  async function mailCode(to: string, code: string, purpose: 'verify' | 'download') {
    await deps.mail?.send({
      to,
      subject:
        purpose === 'verify'
          ? 'Your privacy request: confirmation code'
          : 'Your privacy request: download code',
      text: `Your code: ${code}\nIt is valid for 15 minutes. If you did not file a privacy request, ignore this message.`,
    });
  }

  async function issueCode(tx: Tx, id: string): Promise<string> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await store.setCode(tx, id, codeHash(id, code), CODE_TTL_SECONDS);
    return code;
  }

  function codeMatches(r: store.IntakeRow, code: string): boolean {
    if (!r.code_hash || !r.code_expires_at || new Date(r.code_expires_at) <= new Date()) return false;
    if (r.code_attempts >= CODE_MAX_ATTEMPTS) return false;
    return timingSafeEqual(Buffer.from(r.code_hash), codeHash(r.id, code));
  }

  async function submit(ctx: TenantContext, input: IntakeInput): Promise<{ statusToken: string }> {
    if (input.website)
      throw new VigilError('dsar_bot_check_failed', 'the form check failed; reload the form');
    deps.pow.check(input.challenge, input.nonce);
    if ((await deps.replay.hit('dsar.pow', input.challenge, 15 * 60_000)).current > 1)
      throw new VigilError('dsar_bot_check_failed', 'the form check failed; reload the form');
    const id = randomUUID();
    const statusToken = newToken();
    const email = input.email.trim();
    const sent = await db.withTenant(ctx.tenant.id, async (tx) => {
      const [customerId] = await deps.findCustomerIds(tx, ctx.tenant.id, email);
      const emailEnc = await keyring.encryptField(emailField(ctx.tenant.id, id), email, tx);
      await store.insertIntake(tx, {
        id,
        tenantId: ctx.tenant.id,
        type: input.type,
        emailEnc,
        customerId: customerId ?? null,
        statusHash: sha(statusToken),
      });
      await audit.inTx(
        tx,
        govEvent(system(ctx), 'governance.dsar.received', 'dsar_intake', id, { type: input.type }),
      );
      return customerId ? await issueCode(tx, id) : null;
    });
    // Only an address on file gets a code; the requester sees the same answer either way.
    if (sent) await mailCode(email, sent, 'verify');
    return { statusToken };
  }

  async function byToken(tx: Tx, token: string, lock = false) {
    const r = await store.selectByStatusHash(tx, sha(token), lock);
    if (!r) throw notFound('request');
    return r;
  }

  const statusView = (r: store.IntakeRow) => ({
    type: r.type,
    state: r.state,
    receivedAt: iso(r.received_at)!,
    dueAt: iso(r.due_at)!,
    extended: !!r.extended_reason,
    downloadAvailable:
      r.state === 'fulfilled' && !!r.download_expires_at && new Date(r.download_expires_at) > new Date(),
    downloadExpiresAt: iso(r.download_expires_at),
  });

  /** Status for the holder of the token: state and dates only, never personal data. */
  const status = (ctx: TenantContext, token: string) =>
    db.withTenant(ctx.tenant.id, async (tx) => statusView(await byToken(tx, token)));

  async function verify(ctx: TenantContext, token: string, code: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await byToken(tx, token, true);
      if (r.state !== 'unverified' || !r.customer_id || !codeMatches(r, code)) {
        if (r.state === 'unverified') await store.failCode(tx, r.id);
        await audit.inTx(tx, {
          ...govEvent(system(ctx), 'governance.dsar.verify', 'dsar_intake', r.id),
          outcome: 'failure',
        });
        return { ok: false as const };
      }
      const requestId = await createIntakeRequest(
        tx,
        audit,
        {
          tenantId: ctx.tenant.id,
          customerId: r.customer_id,
          type: r.type,
          intakeId: r.id,
          receivedAt: iso(r.received_at)!,
          dueAt: iso(r.due_at)!,
        },
        (sid) =>
          govEvent(system(ctx), 'privacy.request.create', 'subject_request', sid, {
            customerId: r.customer_id,
            type: r.type,
            identityMethod: 'email_confirmation',
          }),
      );
      await store.markVerified(tx, r.id, requestId);
      await audit.inTx(
        tx,
        govEvent(system(ctx), 'governance.dsar.verified', 'dsar_intake', r.id, { requestId }),
      );
      return { ok: true as const, status: statusView((await store.selectIntake(tx, r.id))!) };
    });
  }

  // ---- the DPO's side ------------------------------------------------------------------------

  async function list(ctx: TenantContext) {
    const items = await db.withTenant(ctx.tenant.id, store.selectIntakes);
    return {
      items: items.map((r) => ({
        id: r.id,
        customerId: r.customer_id,
        subjectRequestId: r.subject_request_id,
        overdue: r.overdue,
        extendedReason: r.extended_reason,
        ...statusView(r),
      })),
    };
  }

  async function extend(ctx: TenantContext, id: string, reason: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await store.selectIntake(tx, id, true);
      if (!r) throw notFound('request');
      if (r.extended_reason) throw new VigilError('conflict', 'the deadline was extended already');
      const dueAt = await store.extendDue(tx, id, reason);
      if (r.subject_request_id) await setRequestDeadline(tx, r.subject_request_id, dueAt);
      await audit.inTx(tx, govEvent(ctx, 'governance.dsar.extend', 'dsar_intake', id, { dueAt }));
      return { id, dueAt };
    });
  }

  /** Access requests: makes the export downloadable and mails the requester a download code. */
  async function fulfil(ctx: TenantContext, id: string) {
    const { to, code } = await db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await store.selectIntake(tx, id, true);
      if (!r) throw notFound('request');
      if (r.state !== 'verified' || r.type !== 'access')
        throw new VigilError('conflict', 'only a verified access request is fulfilled here');
      await store.setDownload(tx, id, sha(randomUUID()), DOWNLOAD_TTL_SECONDS);
      const c = await issueCode(tx, id);
      await audit.inTx(tx, govEvent(ctx, 'governance.dsar.fulfil', 'dsar_intake', id));
      return {
        to: await keyring.decryptFieldText(emailField(ctx.tenant.id, id), Buffer.from(r.email_enc), tx),
        code: c,
      };
    });
    await mailCode(to, code, 'download');
    return { id, state: 'fulfilled' };
  }

  /** The requester downloads with the status token and the mailed code, before expiry. */
  async function download(ctx: TenantContext, token: string, code: string) {
    const r = await db.withTenant(ctx.tenant.id, async (tx) => {
      const row = await byToken(tx, token, true);
      if (row.state !== 'fulfilled' || !row.download_expires_at || !row.customer_id)
        throw new VigilError('dsar_not_verified', 'no export is ready for this request');
      if (new Date(row.download_expires_at) <= new Date())
        throw new VigilError('download_expired', 'the download expired; ask the privacy team again');
      if (!codeMatches(row, code)) {
        await store.failCode(tx, row.id);
        await audit.inTx(tx, {
          ...govEvent(system(ctx), 'governance.dsar.download', 'dsar_intake', row.id),
          outcome: 'failure',
        });
        return null;
      }
      await store.markDownloaded(tx, row.id);
      await audit.inTx(tx, govEvent(system(ctx), 'governance.dsar.download', 'dsar_intake', row.id));
      return row;
    });
    if (!r) throw new VigilError('dsar_code_invalid', 'the code is wrong or expired');
    // privacy records its own export event before the data leaves.
    return deps.exportSubject(system(ctx), r.customer_id!);
  }

  /** A new code to the address on file: to verify, or to download a fulfilled export. */
  async function resendCode(ctx: TenantContext, token: string): Promise<void> {
    const out = await db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await byToken(tx, token, true);
      const ready =
        r.state === 'fulfilled' && r.download_expires_at && new Date(r.download_expires_at) > new Date();
      if (!r.customer_id || !(r.state === 'unverified' || ready)) return null;
      const code = await issueCode(tx, r.id);
      const to = await keyring.decryptFieldText(
        emailField(ctx.tenant.id, r.id),
        Buffer.from(r.email_enc),
        tx,
      );
      return { to, code, purpose: r.state === 'unverified' ? ('verify' as const) : ('download' as const) };
    });
    if (out) await mailCode(out.to, out.code, out.purpose);
  }

  /**
   * Reminds each tenant's DPOs of verified requests whose deadline is within `days` (once per
   * request). The mail says how many, never who.
   */
  async function remindDue(
    tenants: Array<{ id: string }>,
    dpos: (tenantId: string) => Promise<Array<{ email: string }>>,
    days = 7,
  ): Promise<number> {
    let total = 0;
    for (const t of tenants) {
      const n = await db.withTenant(t.id, async (tx) => {
        const due = await store.claimDueSoon(tx, days);
        if (due)
          await audit.inTx(tx, {
            ...govEvent(
              system({ tenant: { id: t.id } } as TenantContext),
              'governance.dsar.reminder',
              'tenant',
              t.id,
              { due },
            ),
            requestId: randomUUID(),
          });
        return due;
      });
      if (!n) continue;
      total += n;
      for (const d of await dpos(t.id))
        await deps.mail?.send({
          to: d.email,
          subject: 'Vigil: privacy requests due soon',
          text: `${n} privacy request(s) are due within ${days} days. See the governance page of the console.`,
        });
    }
    return total;
  }

  return { submit, status, verify, resendCode, list, extend, fulfil, download, remindDue };
}

export type DsarIntake = ReturnType<typeof createDsarIntake>;
export type PublicCtx = Pick<RequestContext, 'requestId' | 'ip' | 'uaHash' | 'actor' | 'roles' | 'ability'>;
