// Signed survey tokens: HMAC-SHA-256 over {tenant, survey, expiry} with a secret from the data
// directory. The token is the customer's only credential (no login); it names no person, and
// the survey row makes it single-use.
import { createHmac, timingSafeEqual } from 'node:crypto';

const hex = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex');
const uuid = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const mac = (secret: Buffer, payload: Buffer) =>
  createHmac('sha256', secret).update('vigil.csat.v1\0').update(payload).digest().subarray(0, 18);

export function signSurveyToken(secret: Buffer, tenantId: string, surveyId: string, expiresAt: Date): string {
  const exp = Buffer.alloc(4);
  exp.writeUInt32BE(Math.floor(expiresAt.getTime() / 1000));
  const payload = Buffer.concat([hex(tenantId), hex(surveyId), exp]);
  return `${payload.toString('base64url')}.${mac(secret, payload).toString('base64url')}`;
}

/** The claims of a genuine token (and whether it expired); null for anything forged or cut. */
export function verifySurveyToken(
  secret: Buffer,
  token: string,
  now = Date.now(),
): { tenantId: string; surveyId: string; expired: boolean } | null {
  const m = /^([A-Za-z0-9_-]{48})\.([A-Za-z0-9_-]{24})$/.exec(token);
  if (!m) return null;
  const payload = Buffer.from(m[1]!, 'base64url');
  const sig = Buffer.from(m[2]!, 'base64url');
  if (payload.length !== 36 || sig.length !== 18 || !timingSafeEqual(sig, mac(secret, payload))) return null;
  return {
    tenantId: uuid(payload.subarray(0, 16)),
    surveyId: uuid(payload.subarray(16, 32)),
    expired: payload.readUInt32BE(32) * 1000 <= now,
  };
}
