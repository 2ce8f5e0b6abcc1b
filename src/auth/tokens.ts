// Random secrets and their at-rest form. Only hashes of session ids, challenges, recovery codes
// and API tokens are stored; the secrets themselves exist only in the client's hands.
import { createHash, randomBytes } from 'node:crypto';

export { randomToken, safeEqual, sha256 } from '../platform/random-token.ts';
export const hashUserAgent = (ua: string | undefined): string =>
  createHash('sha256')
    .update(ua ?? '')
    .digest('hex')
    .slice(0, 32);

/** The CSRF token is derived from the session secret, so it needs no storage and dies with it. */
export const csrfTokenFor = (sessionToken: string): string =>
  createHash('sha256').update(`vigil-csrf:${sessionToken}`).digest('base64url');

/** Recovery codes: 10 groups like 'k3f9-2hq8-x7mz', typed by people, so no ambiguous letters. */
export function recoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const b = randomBytes(12);
  let s = '';
  for (let i = 0; i < 12; i++) s += alphabet[b[i]! % alphabet.length];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
}
export const normalizeRecoveryCode = (c: string) => c.toLowerCase().replace(/[^a-z0-9]/g, '');
