// Blind indexes: equality search over encrypted values without decrypting. The value is
// normalized first so trivially different spellings of the same identifier collide on purpose.
import { createHmac, type KeyObject } from 'node:crypto';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { VigilError } from '../platform/errors.ts';

/** 'term': one word of redacted text or a name, for the conversation search (issue 25). */
export type BlindIndexKind = 'email' | 'phone' | 'iban' | 'customer_number' | 'term';
export const BLIND_INDEX_BYTES = 16;

export function normalizeForIndex(kind: BlindIndexKind, value: string, defaultRegion: string = 'DE'): string {
  const v = value.normalize('NFC').trim();
  switch (kind) {
    case 'email':
      return v.toLowerCase();
    case 'phone': {
      const parsed = parsePhoneNumberFromString(v, defaultRegion.toUpperCase() as CountryCode);
      if (!parsed) throw new VigilError('invalid_input', 'not a phone number');
      return parsed.number; // E.164
    }
    case 'iban':
      return v.replace(/[\s-]+/g, '').toUpperCase();
    case 'customer_number':
      return v.toUpperCase();
    case 'term':
      return v.normalize('NFKC').toLocaleLowerCase('und');
  }
}

/** HMAC-SHA-256 over kind and normalized value, truncated: 128 bits keep collisions negligible. */
export function computeBlindIndex(key: KeyObject, kind: BlindIndexKind, normalized: string): Buffer {
  return createHmac('sha256', key)
    .update(`${kind}\0${normalized}`, 'utf8')
    .digest()
    .subarray(0, BLIND_INDEX_BYTES);
}
