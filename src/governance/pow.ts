// Bot protection for the public request form without third parties: a signed, expiring,
// single-use proof-of-work challenge (the browser finds a nonce whose SHA-256 with the challenge
// starts with `difficulty` zero bits) plus a honeypot field people never see.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { VigilError } from '../platform/errors.ts';

const MAX_AGE_MS = 15 * 60_000;

export function createProofOfWork(o: { key: Buffer; difficulty: number; now?: () => number }) {
  const now = o.now ?? Date.now;
  const sign = (body: string) => createHmac('sha256', o.key).update(`dsar-pow\0${body}`).digest('base64url');
  return {
    difficulty: o.difficulty,
    issue(): { challenge: string; difficulty: number } {
      const body = `${now()}.${randomBytes(12).toString('base64url')}.${o.difficulty}`;
      return { challenge: `${body}.${sign(body)}`, difficulty: o.difficulty };
    },
    /** Throws unless the challenge is ours, fresh, and solved; replay is the caller's check. */
    check(challenge: string, nonce: string): void {
      const fail = () => new VigilError('dsar_bot_check_failed', 'the form check failed; reload the form');
      const parts = challenge.split('.');
      if (parts.length !== 4) throw fail();
      const body = parts.slice(0, 3).join('.');
      const sig = Buffer.from(parts[3]!);
      const want = Buffer.from(sign(body));
      if (sig.length !== want.length || !timingSafeEqual(sig, want)) throw fail();
      const age = now() - Number(parts[0]);
      if (!(age >= 0 && age < MAX_AGE_MS)) throw fail();
      if (
        !hasLeadingZeroBits(createHash('sha256').update(`${challenge}:${nonce}`).digest(), Number(parts[2]))
      )
        throw fail();
    },
  };
}

export function hasLeadingZeroBits(digest: Buffer, bits: number): boolean {
  for (let i = 0; i < bits; i++) if ((digest[i >> 3]! >> (7 - (i & 7))) & 1) return false;
  return true;
}

/** What a browser does (and tests): the first nonce that solves the challenge. */
export function solve(challenge: string, difficulty: number): string {
  for (let n = 0; ; n++)
    if (hasLeadingZeroBits(createHash('sha256').update(`${challenge}:${n}`).digest(), difficulty))
      return String(n);
}
