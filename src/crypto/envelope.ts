// The stored ciphertext format. The header names the key that sealed the value, and is itself
// authenticated (it is part of the associated data), so editing it makes decryption fail.
//
//   0      'V' (0x56)  magic
//   1      0x01        format version
//   2      scope       1 = tenant DEK, 2 = subject key, 3 = platform key
//   3..6   uint32 BE   key version (DEK or platform key version; 1 for subject keys)
//   7..22  16 bytes    subject id (scope 2 only)
//   then   nonce(12) || ciphertext || tag(16)
import { VigilError } from '../platform/errors.ts';
import { NONCE_BYTES, TAG_BYTES } from './aead.ts';

const MAGIC = 0x56;
const FORMAT_V1 = 0x01;

export type KeyScope = 'tenant' | 'subject' | 'platform';
const scopeByte: Record<KeyScope, number> = { tenant: 1, subject: 2, platform: 3 };
const scopeOf = new Map<number, KeyScope>(Object.entries(scopeByte).map(([k, v]) => [v, k as KeyScope]));

export interface EnvelopeHeader {
  scope: KeyScope;
  keyVersion: number;
  subjectId?: string;
}

export const malformed = () => new VigilError('decryption_failed', 'ciphertext is malformed');

export function encodeHeader(h: EnvelopeHeader): Buffer {
  const fixed = Buffer.alloc(7);
  fixed[0] = MAGIC;
  fixed[1] = FORMAT_V1;
  fixed[2] = scopeByte[h.scope];
  fixed.writeUInt32BE(h.keyVersion, 3);
  if (h.scope !== 'subject') return fixed;
  if (!h.subjectId) throw new VigilError('invalid_input', 'subject id required');
  return Buffer.concat([fixed, uuidToBytes(h.subjectId)]);
}

/** Splits a stored value into its header (raw bytes and parsed) and the sealed body. */
export function decodeEnvelope(value: Buffer): {
  header: EnvelopeHeader;
  headerBytes: Buffer;
  sealed: Buffer;
} {
  if (value.length < 7 || value[0] !== MAGIC || value[1] !== FORMAT_V1) throw malformed();
  const scope = scopeOf.get(value[2] ?? 0);
  if (!scope) throw malformed();
  const keyVersion = value.readUInt32BE(3);
  const headerLength = scope === 'subject' ? 23 : 7;
  if (value.length < headerLength + NONCE_BYTES + TAG_BYTES) throw malformed();
  const header: EnvelopeHeader = { scope, keyVersion };
  if (scope === 'subject') header.subjectId = bytesToUuid(value.subarray(7, 23));
  return { header, headerBytes: value.subarray(0, headerLength), sealed: value.subarray(headerLength) };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID_RE.test(s);

export function uuidToBytes(id: string): Buffer {
  if (!isUuid(id)) throw new VigilError('invalid_input', 'subject id must be a uuid');
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

function bytesToUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
