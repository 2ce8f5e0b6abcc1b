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
  const keys = Object.keys(meta);
  if (keys.length === 0) return '{}';
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (i > 0) out += ',';
    out += `${keyJson(k)}:${JSON.stringify(meta[k])}`;
  }
  return `${out}}`;
}

// Meta keys repeat across events ("count", "caseId"): their JSON form is cached (bounded).
const keyJsonCache = new Map<string, string>();
function keyJson(k: string): string {
  let j = keyJsonCache.get(k);
  if (j === undefined) {
    j = JSON.stringify(k);
    if (keyJsonCache.size >= 1024) keyJsonCache.clear();
    keyJsonCache.set(k, j);
  }
  return j;
}

// Encoded once: 0x00 leaf prefix || u32be(len) || "vigil-audit-event/v1".
const PREFIX = (() => {
  const m = Buffer.from(EVENT_MAGIC, 'utf8');
  const b = Buffer.alloc(5 + m.length);
  b.writeUInt32BE(m.length, 1);
  m.copy(b, 5);
  return b;
})();
const TENANT_AT = PREFIX.length;

/**
 * Reusable encoder: one buffer for all events, so verifying a million events does not allocate
 * a buffer per event. The constant prefix is written once, and the tenant id (the same for a
 * whole chain) is only rewritten when it changes. Not re-entrant; create one per verification.
 */
export class EventEncoder {
  private buf = Buffer.allocUnsafe(16 * 1024);
  private pos = 0;
  /** The tenant id whose encoding currently sits at TENANT_AT (undefined = none). */
  private tenant: string | null | undefined = undefined;
  private afterTenant = 0;

  constructor() {
    PREFIX.copy(this.buf, 0);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private u32(n: number, at: number): void {
    const b = this.buf;
    b[at] = n >>> 24;
    b[at + 1] = (n >>> 16) & 0xff;
    b[at + 2] = (n >>> 8) & 0xff;
    b[at + 3] = n & 0xff;
  }

  private str(s: string | null): void {
    if (s === null) {
      this.ensure(4);
      this.u32(NULL_LEN, this.pos);
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
    this.u32(n, this.pos);
    this.pos = start + n;
  }

  /** Decimal digits of a non-negative safe integer, as String(seq) would write them. */
  private seq(n: number): void {
    if (!(Number.isSafeInteger(n) && n >= 0)) {
      this.str(String(n));
      return;
    }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    this.ensure(4 + digits);
    this.u32(digits, this.pos);
    const buf = this.buf;
    let at = this.pos + 4 + digits;
    this.pos = at;
    let x = n;
    do {
      const q = Math.floor(x / 10);
      buf[--at] = 0x30 + (x - q * 10);
      x = q;
    } while (x > 0);
  }

  /** Encodes into the internal buffer; returns the leaf input (0x00 || canonical bytes). */
  encode(e: HashedFields, prevHash: Uint8Array): Buffer {
    if (e.tenantId !== this.tenant || this.tenant === undefined) {
      this.pos = TENANT_AT;
      this.str(e.tenantId);
      this.tenant = e.tenantId;
      this.afterTenant = this.pos;
    } else this.pos = this.afterTenant;
    this.seq(e.seq);
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
    this.ensure(4 + prevHash.length);
    this.u32(prevHash.length, this.pos);
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
