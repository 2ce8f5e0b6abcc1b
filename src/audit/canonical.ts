// Canonical, unambiguous byte encoding of an audit event and its hash. Every field is
// length-prefixed (u32 big-endian; 0xFFFFFFFF marks NULL) in a fixed order, so no two different
// events encode to the same bytes. The event hash is the RFC 6962 leaf hash of that encoding
// (SHA-256(0x00 || bytes)); the encoding ends with the predecessor's hash, so the same value is
// both the hash-chain link and the Merkle leaf. tools/verify-audit-bundle.mjs re-implements this
// byte for byte: change both or neither.
import { hash } from 'node:crypto';
import type { AuditMeta } from './types.ts';

export const EVENT_MAGIC = 'vigil-audit-event/v1';
export const HASH_BYTES = 32;
const NULL_LEN = 0xffffffff;

/** The fields that are hashed, in encoding order (prevHash last). */
export interface HashedFields {
  tenantId: string | null;
  seq: number;
  time: string;
  actorType: string;
  actorId: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: string;
  reason: string | null;
  ip: string | null;
  uaHash: string | null;
  requestId: string | null;
  meta: AuditMeta;
}

/** JSON with sorted keys; meta is flat (validated on write), so this is canonical. */
export function canonicalMetaJson(meta: AuditMeta): string {
  const keys = Object.keys(meta).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (i > 0) out += ',';
    out += `${JSON.stringify(k)}:${JSON.stringify(meta[k])}`;
  }
  return `${out}}`;
}

/**
 * Reusable encoder: one buffer for all events, so verifying a million events does not allocate
 * a buffer per event. Not re-entrant; create one per verification.
 */
export class EventEncoder {
  private buf = Buffer.allocUnsafe(16 * 1024);
  private pos = 0;
  /** 0x00 leaf prefix lives at buf[0]. */
  constructor() {
    this.buf[0] = 0x00;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private str(s: string | null): void {
    if (s === null) {
      this.ensure(4);
      this.buf.writeUInt32BE(NULL_LEN, this.pos);
      this.pos += 4;
      return;
    }
    const len = s.length;
    this.ensure(4 + len * 3);
    const buf = this.buf;
    const start = this.pos + 4;
    // ASCII fast path (ids, codes, ISO times): a byte per char without Buffer.write overhead.
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      buf[start + i] = c;
    }
    const n = i === len ? len : i + buf.write(s.slice(i), start + i, 'utf8');
    buf.writeUInt32BE(n, this.pos);
    this.pos = start + n;
  }

  /** Encodes into the internal buffer; returns the leaf input (0x00 || canonical bytes). */
  encode(e: HashedFields, prevHash: Uint8Array): Buffer {
    this.pos = 1;
    this.str(EVENT_MAGIC);
    this.str(e.tenantId);
    this.str(String(e.seq));
    this.str(e.time);
    this.str(e.actorType);
    this.str(e.actorId);
    this.str(e.action);
    this.str(e.resourceType);
    this.str(e.resourceId);
    this.str(e.outcome);
    this.str(e.reason);
    this.str(e.ip);
    this.str(e.uaHash);
    this.str(e.requestId);
    this.str(canonicalMetaJson(e.meta));
    this.ensure(4 + HASH_BYTES);
    this.buf.writeUInt32BE(prevHash.length, this.pos);
    this.buf.set(prevHash, this.pos + 4);
    this.pos += 4 + prevHash.length;
    return this.buf.subarray(0, this.pos);
  }

  /** The event hash = RFC 6962 leaf hash of the canonical encoding. */
  eventHash(e: HashedFields, prevHash: Uint8Array): Buffer {
    return hash('sha256', this.encode(e, prevHash), 'buffer') as unknown as Buffer;
  }
}

export const GENESIS_HASH = Buffer.alloc(HASH_BYTES);
