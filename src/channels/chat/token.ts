// Signed visitor tokens: HMAC-SHA-256 over {tenant, visitor, expiry} with a server secret kept in
// a key file in the data dir (0600). No database row is needed to check one.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { loadOrCreateSecretFile } from '../../platform/secret-file.ts';

// A day, renewed with every answer to the visitor (message, history), so an active chat never
// expires while a token copied from a shared computer or a log dies within a day.
export const VISITOR_TOKEN_TTL_MS = 24 * 3_600_000;

export function loadWidgetSecret(dataDir: string): Buffer {
  return loadOrCreateSecretFile(dataDir, 'widget-token.key');
}

export interface VisitorClaims {
  tenantId: string;
  visitorId: string;
  expiresAt: number;
}

const mac = (secret: Buffer, payload: string) =>
  createHmac('sha256', secret).update(`vigil.visitor.v1\0${payload}`).digest();

export function signVisitorToken(
  secret: Buffer,
  tenantId: string,
  visitorId: string,
  now = Date.now(),
): string {
  const payload = Buffer.from(
    JSON.stringify({ t: tenantId, v: visitorId, e: now + VISITOR_TOKEN_TTL_MS }),
  ).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The claims, or null when the token is malformed, forged, expired or for another tenant. */
export function verifyVisitorToken(
  secret: Buffer,
  token: string,
  tenantId: string,
  now = Date.now(),
): VisitorClaims | null {
  if (token.length > 400) return null;
  const [payload, sig] = token.split('.');
  if (!payload || !sig || token.split('.').length !== 2) return null;
  const expected = mac(secret, payload);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let claims: { t?: unknown; v?: unknown; e?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return null;
  }
  if (typeof claims.t !== 'string' || typeof claims.v !== 'string' || typeof claims.e !== 'number')
    return null;
  if (claims.t !== tenantId || claims.e < now) return null;
  return { tenantId: claims.t, visitorId: claims.v, expiresAt: claims.e };
}

/** A stable visitor id for a first message without a token, so its retry lands on the same visitor. */
export function anonymousVisitorId(secret: Buffer, tenantId: string, clientMessageId: string): string {
  const h = createHmac('sha256', secret)
    .update(`vigil.anon-visitor.v1\0${tenantId}\0${clientMessageId}`)
    .digest('hex');
  // Format as a UUID (version nibble 4, variant 8) so it fits the uuid columns.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
