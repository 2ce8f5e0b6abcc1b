// Per-recipient link tokens: tenant id, recipient id and an HMAC-SHA-256 tag (truncated to 16
// bytes) under a key file in the data dir, base64url. The link carries no personal data, and a
// forged or altered token is refused without touching the database.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RecipientRef {
  tenantId: string;
  recipientId: string;
}

export interface TokenSigner {
  sign(r: RecipientRef): string;
  verify(token: string): RecipientRef | null;
}

/** Reads (or creates, 0600) the simulation link key. */
export function loadSimulationKey(dataDir: string): Buffer {
  const file = join(dataDir, 'awareness-link.key');
  const existing = existsSync(file) ? Buffer.from(readFileSync(file, 'utf8').trim(), 'base64') : null;
  if (existing && existing.length >= 32) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const fresh = randomBytes(32);
  writeFileSync(file, `${fresh.toString('base64')}\n`, { mode: 0o600 });
  return fresh;
}

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const bytesUuid = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export function createTokenSigner(key: Buffer): TokenSigner {
  const tag = (ids: Buffer) =>
    createHmac('sha256', key).update('vigil.phish.v1\0').update(ids).digest().subarray(0, 16);
  return {
    sign(r) {
      const ids = Buffer.concat([uuidBytes(r.tenantId), uuidBytes(r.recipientId)]);
      return Buffer.concat([ids, tag(ids)]).toString('base64url');
    },
    verify(token) {
      if (!/^[A-Za-z0-9_-]{64}$/.test(token)) return null;
      const raw = Buffer.from(token, 'base64url');
      if (raw.length !== 48) return null;
      const ids = raw.subarray(0, 32);
      if (!timingSafeEqual(tag(ids), raw.subarray(32))) return null;
      return { tenantId: bytesUuid(ids.subarray(0, 16)), recipientId: bytesUuid(ids.subarray(16)) };
    },
  };
}

/** Tokens of simulated mails found in a reported mail's source (links, pixel). */
export function tokensIn(source: string): string[] {
  const out = new Set<string>();
  for (const m of source.matchAll(/\/phish\/[a-z]\/([A-Za-z0-9_-]{64})(?![A-Za-z0-9_-])/g)) out.add(m[1]!);
  return [...out];
}
