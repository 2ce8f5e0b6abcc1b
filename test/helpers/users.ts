// Test accounts whose generated credentials satisfy the product's rules by construction: a random
// password can otherwise contain "test", "user", "staff" or a run of the e-mail address, and the
// password policy (src/auth/passwords.ts) rightly refuses it as personal information.
import { randomBytes, randomInt } from 'node:crypto';

/** Characters a test password is drawn from, before those of the account's own data are removed. */
const ALPHABET = 'ghijkmnopqvwxyzGHJKLMNPQVWXYZ!#$%&*+=?^~';
const LENGTH = 20;
/** At least 16 characters remain, so a password carries ≥ 80 random bits (zxcvbn scores it 4). */
const MIN_ALPHABET = 16;

let seq = 0;

/** An e-mail address no other call in this process returns (fixed-length random part, then a counter). */
export function testEmail(domain = 'staff.test'): string {
  seq += 1;
  return `u${randomBytes(4).toString('hex')}${seq}@${domain}`;
}

/**
 * A random password that shares no character (case-insensitively) with the account's e-mail or
 * name, so no part or run of them – of any length – can occur in it.
 */
export function testPassword(personal: string[]): string {
  const used = new Set(personal.join('').toLowerCase());
  const alphabet = [...ALPHABET].filter((c) => !used.has(c.toLowerCase()));
  if (alphabet.length < MIN_ALPHABET)
    throw new Error(`test password: only ${alphabet.length} characters left after removing personal data`);
  return Array.from({ length: LENGTH }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** E-mail, display name and a password that the policy accepts for them. */
export function testCredentials(displayName = 'Test User', domain?: string) {
  const email = testEmail(domain);
  return { email, displayName, password: testPassword([email, displayName]) };
}
