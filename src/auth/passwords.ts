// Password hashing (argon2id, OWASP parameters) and the password policy.
import { hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

// OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
const ARGON2 = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

const strength = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
const COMMON = new Set(
  (common.dictionary['passwords-common'] as unknown as string[]).map((p) => p.toLowerCase()),
);

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

// Verifying against this keeps the response time of unknown accounts equal to known ones.
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('vigil-timing-equalizer-not-a-password');
  await verifyPassword(await dummyHash, password);
}

export type PasswordProblem =
  | 'too_short'
  | 'too_long'
  | 'common'
  | 'contains_personal_info'
  | 'too_guessable';

/** Returns what is wrong with a new password, or null when it is acceptable. */
export function checkPasswordPolicy(password: string, userInputs: string[] = []): PasswordProblem | null {
  if ([...password].length < 12) return 'too_short';
  if (Buffer.byteLength(password) > 256) return 'too_long';
  if (COMMON.has(password.toLowerCase())) return 'common';
  const lowered = password.toLowerCase();
  for (const input of userInputs) {
    for (const part of input.toLowerCase().split(/[@.\s_-]+/)) {
      if (part.length >= 4 && lowered.includes(part)) return 'contains_personal_info';
    }
  }
  if (strength.check(password, userInputs).score < 3) return 'too_guessable';
  return null;
}
