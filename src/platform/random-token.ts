// Random secrets and their at-rest form: a secret is shown once and only its SHA-256 is stored, so
// a copy of the database opens nothing. Every domain that issues bearer secrets uses these.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');
export const sha256 = (s: string | Buffer): Buffer => createHash('sha256').update(s).digest();

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
