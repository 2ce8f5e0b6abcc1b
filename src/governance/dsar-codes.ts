// One-time codes of the DSAR intake: six digits, 15 minutes, HMAC at rest under the verification
// pepper, sent to the contact the requester chose and that is on file (e-mail or phone). A code
// allows five tries; wrong codes count across resends, so a requester locked out after
// MAX_FAILURES cannot reset the count by asking for a new code, and at most MAX_SENDS codes go out
// per request. Every answer on the way looks the same (nothing tells a locked request apart).
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../crypto/index.ts';
import type { Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import type { DsarMessages, Locale } from './dsar-mail.ts';
import * as store from './store-dsar.ts';

export const CODE_TTL_SECONDS = 15 * 60;
const CODE_MAX_ATTEMPTS = 5;
export const MAX_FAILURES = 5;
export const MAX_SENDS = 6;

export const sha = (s: string) => createHash('sha256').update(s).digest();
export const newToken = () => randomBytes(32).toString('base64url');
export const field = (tenantId: string, id: string, column: 'email_enc' | 'phone_enc' | 'details_enc') => ({
  tenantId,
  table: 'dsar_intakes',
  column,
  rowId: id,
});

export interface PendingCode {
  channel: 'email' | 'sms';
  to: string;
  code: string;
  locale: Locale;
}

export function createIntakeCodes(deps: {
  pepper: Buffer;
  keyring: Pick<Keyring, 'decryptFieldText'>;
  messages: DsarMessages;
}) {
  const codeHash = (id: string, code: string) =>
    createHmac('sha256', deps.pepper).update(`dsar\0${id}\0${code}`).digest();

  /** The requester's address, or the phone on file when they chose a code by SMS. */
  async function contactOf(tx: Tx, tenantId: string, r: store.IntakeRow, channel = r.verify_channel) {
    const column = channel === 'sms' && r.phone_enc ? 'phone_enc' : 'email_enc';
    const enc = column === 'phone_enc' ? r.phone_enc : r.email_enc;
    if (!enc) throw new VigilError('conflict', 'the request holds no contact any more');
    return deps.keyring.decryptFieldText(field(tenantId, r.id, column), Buffer.from(enc), tx);
  }

  /** A fresh code for the request (the earlier one ends), or null once MAX_SENDS went out. */
  async function issue(tx: Tx, tenantId: string, r: store.IntakeRow): Promise<PendingCode | null> {
    if (r.code_sends >= MAX_SENDS || r.code_failures >= MAX_FAILURES) return null;
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await store.setCode(tx, r.id, codeHash(r.id, code), CODE_TTL_SECONDS);
    return { channel: r.verify_channel, to: await contactOf(tx, tenantId, r), code, locale: r.locale };
  }

  function matches(r: store.IntakeRow, code: string): boolean {
    if (!r.code_hash || !r.code_expires_at || new Date(r.code_expires_at) <= new Date()) return false;
    if (r.code_attempts >= CODE_MAX_ATTEMPTS || r.code_failures >= MAX_FAILURES) return false;
    return timingSafeEqual(Buffer.from(r.code_hash), codeHash(r.id, code));
  }

  /** Sends after the transaction committed: a code never goes out for a rolled-back row. */
  const send = async (p: PendingCode | null) => {
    if (p) await deps.messages.code(p.channel, p.to, p.code, p.locale);
  };

  return { issue, matches, send, contactOf };
}

export type IntakeCodes = ReturnType<typeof createIntakeCodes>;
