// One-time codes to the e-mail address or phone number already on file. Six digits, single use,
// valid for a few minutes, at most CODE_MAX_ATTEMPTS tries; stored only as an HMAC under a server
// pepper (a key file in the data dir), so neither the agent, the database nor a log ever sees one.
import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';
import { loadOrCreateSecretFile } from '../platform/secret-file.ts';
import { webhookSignatureHeaders } from '../platform/webhook-signature.ts';

export const CODE_TTL_SECONDS = 300;
export const CODE_MAX_ATTEMPTS = 3;
/** Codes one conversation may request per CODE_WINDOW_MINUTES (protects the customer's inbox). */
export const CODE_MAX_SENDS = 3;
export const CODE_WINDOW_MINUTES = 15;

export type CodeChannel = 'email' | 'sms';

export function loadCodePepper(dataDir: string): Buffer {
  return loadOrCreateSecretFile(dataDir, 'verification-code.key');
}

const codeHash = (pepper: Buffer, id: string, code: string) =>
  createHmac('sha256', pepper).update(`vigil.otp.v1\0${id}\0${code}`).digest();

export const newCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** Stores a fresh code for the conversation (earlier unused codes end) and returns its id. */
export async function storeCode(
  tx: Tx,
  pepper: Buffer,
  c: {
    tenantId: string;
    conversationId: string;
    customerId: string;
    channel: CodeChannel;
    createdBy: string | null;
  },
  code: string,
): Promise<{ id: string; expiresAt: string }> {
  await tx.execute(sql`update verification_codes set expires_at = least(expires_at, now()), superseded_at = now()
    where conversation_id = ${c.conversationId} and consumed_at is null and expires_at > now()`);
  const id = randomUUID();
  const [r] = await rows<{ expires_at: Date | string }>(
    tx,
    sql`insert into verification_codes (id, tenant_id, conversation_id, customer_id, channel, code_hash, expires_at, created_by)
        values (${id}, ${c.tenantId}, ${c.conversationId}, ${c.customerId}, ${c.channel}, ${codeHash(pepper, id, code)},
          now() + make_interval(secs => ${CODE_TTL_SECONDS}), ${c.createdBy})
        returning expires_at`,
  );
  return { id, expiresAt: new Date(r!.expires_at).toISOString() };
}

export async function recentSends(tx: Tx, conversationId: string): Promise<number> {
  const [r] = await rows<{ n: number }>(
    tx,
    sql`select count(*)::int as n from verification_codes where conversation_id = ${conversationId}
        and created_at > now() - make_interval(mins => ${CODE_WINDOW_MINUTES})`,
  );
  return r?.n ?? 0;
}

/** Ends a code that could not be delivered. */
export async function voidCode(tx: Tx, id: string): Promise<void> {
  await tx.execute(sql`update verification_codes set expires_at = least(expires_at, now()) where id = ${id}`);
}

/**
 * Checks the answer against the live code of the conversation for this customer: 'none' when no
 * code is live; a pass consumes it; a miss counts, and the last allowed miss ends it.
 */
export async function checkCode(
  tx: Tx,
  pepper: Buffer,
  conversationId: string,
  customerId: string,
  answer: string,
): Promise<'pass' | 'fail' | 'none' | 'superseded'> {
  const [c] = await rows<{ id: string; code_hash: Buffer; attempts: number }>(
    tx,
    sql`select id, code_hash, attempts from verification_codes
        where conversation_id = ${conversationId} and customer_id = ${customerId}
          and consumed_at is null and expires_at > now() and attempts < ${CODE_MAX_ATTEMPTS}
        order by created_at desc limit 1 for update`,
  );
  const given = answer.normalize('NFKC').replace(/[\s-]+/g, '');
  const ok = !!c && timingSafeEqual(codeHash(pepper, c.id, given), Buffer.from(c.code_hash));
  // The caller read out a code that a newer one replaced: say so, count nothing.
  if (!ok && (await isSuperseded(tx, pepper, conversationId, customerId, given))) return 'superseded';
  if (!c) return 'none';
  if (ok) {
    await tx.execute(sql`update verification_codes set consumed_at = now() where id = ${c.id}`);
    return 'pass';
  }
  await tx.execute(sql`update verification_codes set attempts = attempts + 1,
    expires_at = case when attempts + 1 >= ${CODE_MAX_ATTEMPTS} then least(expires_at, now()) else expires_at end
    where id = ${c.id}`);
  return 'fail';
}

/** Whether `given` is a code of this conversation replaced by a newer one within its lifetime. */
async function isSuperseded(
  tx: Tx,
  pepper: Buffer,
  conversationId: string,
  customerId: string,
  given: string,
): Promise<boolean> {
  const old = await rows<{ id: string; code_hash: Buffer }>(
    tx,
    sql`select id, code_hash from verification_codes
        where conversation_id = ${conversationId} and customer_id = ${customerId} and consumed_at is null
          and superseded_at > now() - make_interval(secs => ${CODE_TTL_SECONDS})
        order by created_at desc limit 5`,
  );
  return old.some((o) => timingSafeEqual(codeHash(pepper, o.id, given), Buffer.from(o.code_hash)));
}

// ---- delivery ------------------------------------------------------------------------------

export { createRelayMailSender, type MailSender } from '../platform/mail-relay.ts';

/** Where SMS go. Vigil has no SMS gateway of its own; the operator plugs one in. */
export interface SmsProvider {
  send(m: { to: string; text: string }): Promise<void>;
}

/**
 * An HTTP SMS gateway: POST {to, text} as JSON, signed like every Vigil webhook
 * (platform/webhook-signature.ts; most gateways accept a webhook of this shape via a relay).
 */
export function createWebhookSmsProvider(url: string, secret: string): SmsProvider {
  return {
    async send(m) {
      const body = JSON.stringify({ to: m.to, text: m.text });
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...webhookSignatureHeaders(secret, body, Date.now()) },
        body,
        signal: AbortSignal.timeout(5000),
      });
      if (!r.ok) throw Object.assign(new Error('sms gateway refused'), { code: `sms_${r.status}` });
    },
  };
}

/** Masks the destination for the agent: enough to say which one, not to read it. */
export function maskDestination(channel: CodeChannel, v: string): string {
  if (channel === 'email') {
    const [local = '', domain = ''] = v.split('@');
    return `${local.slice(0, 1)}***@${domain.replace(/^[^.]+/, (d) => `${d.slice(0, 1)}***`)}`;
  }
  const digits = v.replace(/\D/g, '');
  return `***${digits.slice(-2)}`;
}
