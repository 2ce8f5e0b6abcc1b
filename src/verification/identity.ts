// Signed-in chat visitors as a verification factor. The tenant's web site, where the customer is
// signed in, signs a short-lived identity token (JWT, HS256, per-tenant secret) naming the
// customer number; the widget hands it to Vigil. Vigil keeps only the blind index of the claim,
// for this conversation, until the token expires; the agent's check compares blind indexes.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Keyring } from '../crypto/index.ts';
import { rows, type Tx } from '../platform/db.ts';

/** Longest accepted lifetime of an identity token: the site mints one per chat start. */
export const IDENTITY_MAX_TTL_SECONDS = 3600;
const SEAL_PURPOSE = 'visitor-identity';

export interface IdentityClaims {
  sub: string;
  exp: number;
}

const b64json = (s: string): unknown => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

/**
 * Verifies a compact JWT (HS256 only: no "none", no key confusion) for `aud` = "vigil:<slug>".
 * Returns null for anything malformed, forged, expired, too long-lived or for another tenant.
 */
export function verifyIdentityToken(
  secret: Buffer,
  token: string,
  tenantSlug: string,
  nowMs = Date.now(),
): IdentityClaims | null {
  if (token.length > 2000) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [h, p, s] = parts as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const header = b64json(h) as { alg?: unknown };
    const claims = b64json(p) as { sub?: unknown; exp?: unknown; iat?: unknown; aud?: unknown };
    if (header.alg !== 'HS256') return null;
    if (typeof claims.sub !== 'string' || !/^[A-Za-z0-9 -]{1,40}$/.test(claims.sub)) return null;
    if (typeof claims.exp !== 'number' || claims.aud !== `vigil:${tenantSlug}`) return null;
    const now = nowMs / 1000;
    if (claims.exp <= now || claims.exp - now > IDENTITY_MAX_TTL_SECONDS) return null;
    return { sub: claims.sub, exp: claims.exp };
  } catch {
    return null;
  }
}

/** How a tenant's site signs a token (also used by tests and the demo). */
export function signIdentityToken(secret: Buffer, claims: { sub: string; aud: string; exp: number }): string {
  const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const p = Buffer.from(JSON.stringify({ ...claims, iat: Math.floor(Date.now() / 1000) })).toString(
    'base64url',
  );
  return `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
}

type IdentityKeyring = Pick<Keyring, 'sealPlatformSecret' | 'openPlatformSecret' | 'blindIndex'>;

/** A new secret for the tenant (shown once); the previous one stops working at once. */
export async function rotateIdentitySecret(
  tx: Tx,
  keyring: IdentityKeyring,
  tenantId: string,
): Promise<Buffer> {
  const secret = randomBytes(32);
  const sealed = await keyring.sealPlatformSecret(SEAL_PURPOSE, tenantId, secret, tx);
  await tx.execute(sql`insert into visitor_identity_secrets (tenant_id, secret_sealed) values (${tenantId}, ${sealed})
    on conflict (tenant_id) do update set secret_sealed = excluded.secret_sealed, created_at = now()`);
  return secret;
}

export async function identitySecret(
  tx: Tx,
  keyring: IdentityKeyring,
  tenantId: string,
): Promise<Buffer | null> {
  const [r] = await rows<{ secret_sealed: Buffer }>(
    tx,
    sql`select secret_sealed from visitor_identity_secrets`,
  );
  return r ? keyring.openPlatformSecret(SEAL_PURPOSE, tenantId, Buffer.from(r.secret_sealed), tx) : null;
}

/** Records the claim for the conversation (replacing an earlier one). */
export async function storeIdentity(
  tx: Tx,
  keyring: IdentityKeyring,
  c: { tenantId: string; conversationId: string },
  claims: IdentityClaims,
): Promise<void> {
  const blind = await keyring.blindIndex(c.tenantId, 'customer_number', claims.sub, tx);
  await tx.execute(sql`insert into conversation_visitor_identities (conversation_id, tenant_id, subject_blind, expires_at)
    values (${c.conversationId}, ${c.tenantId}, ${blind}, to_timestamp(${claims.exp}))
    on conflict (conversation_id) do update set subject_blind = excluded.subject_blind,
      expires_at = excluded.expires_at, created_at = now()`);
}

/** 'none' without a live claim; otherwise whether it names the conversation's customer. */
export async function checkIdentity(
  tx: Tx,
  conversationId: string,
  customerId: string,
): Promise<'pass' | 'fail' | 'none'> {
  const [r] = await rows<{ matched: boolean }>(
    tx,
    sql`select exists (select 1 from customer_identifiers l where l.customer_id = ${customerId}
          and l.kind = 'customer_number' and l.blind = i.subject_blind) as matched
        from conversation_visitor_identities i where i.conversation_id = ${conversationId} and i.expires_at > now()`,
  );
  if (!r) return 'none';
  return r.matched ? 'pass' : 'fail';
}
