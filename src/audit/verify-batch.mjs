// The fast path of database verification, for one batch of a chain: parse the compact text
// projection (see verify-fetch.ts), re-encode every event canonically, hash it and check it
// against the stored hash and its predecessor link, and fold the leaf hashes into the aligned
// perfect Merkle subtrees of the batch. Plain JavaScript with node builtins only, so that worker
// threads load it under plain node and under tsx alike. The encoding must stay byte-identical
// to src/audit/canonical.ts (test/audit/verify-batch.test.ts compares the two).
//
// It never decides that a chain is tampered with: any doubt (a field count that does not add up,
// a hash that does not match) returns `{ ok: false }` and the caller re-verifies from there with
// the full-field path, which classifies the problem.
import { hash } from 'node:crypto';

const FS = '\x1f';
const RS = '\x1e';
const FIELDS = 13;
const NULL_LEN = 0xffffffff;
const MAGIC = Buffer.from('vigil-audit-event/v1', 'utf8');

const sha256 = (b) => hash('sha256', b, 'buffer');
const nodeBuf = Buffer.alloc(65);
nodeBuf[0] = 1;
const nodeHash = (l, r) => {
  nodeBuf.set(l, 1);
  nodeBuf.set(r, 33);
  return sha256(nodeBuf);
};

class Encoder {
  constructor(tenantId) {
    this.buf = Buffer.allocUnsafe(16 * 1024);
    this.buf[0] = 0;
    this.pos = 1;
    this.u32(MAGIC.length);
    this.buf.set(MAGIC, this.pos);
    this.pos += MAGIC.length;
    this.str(tenantId);
    this.afterTenant = this.pos;
  }

  ensure(extra) {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u32(n) {
    this.ensure(4);
    const b = this.buf;
    const at = this.pos;
    b[at] = n >>> 24;
    b[at + 1] = (n >>> 16) & 0xff;
    b[at + 2] = (n >>> 8) & 0xff;
    b[at + 3] = n & 0xff;
    this.pos += 4;
  }

  str(s) {
    if (s === null) {
      this.u32(NULL_LEN);
      return;
    }
    const len = s.length;
    this.ensure(4 + len * 3);
    const buf = this.buf;
    const start = this.pos + 4;
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      buf[start + i] = c;
    }
    const n = i === len ? len : i + buf.write(s.slice(i), start + i, 'utf8');
    const at = this.pos;
    buf[at] = n >>> 24;
    buf[at + 1] = (n >>> 16) & 0xff;
    buf[at + 2] = (n >>> 8) & 0xff;
    buf[at + 3] = n & 0xff;
    this.pos = start + n;
  }
}

/** Sorted-key JSON of a flat object, as canonicalMetaJson in canonical.ts. */
export function canonicalMeta(text) {
  if (text === '{}') return text;
  const meta = JSON.parse(text);
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return null;
  const keys = Object.keys(meta);
  if (keys.length === 0) return '{}';
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (i > 0) out += ',';
    out += `${JSON.stringify(k)}:${JSON.stringify(meta[k])}`;
  }
  return `${out}}`;
}

/** A nullable column is sent as '' for NULL and '=' + value otherwise. */
const opt = (s) => (s.length === 0 ? null : s.slice(1));

/**
 * Roots of the aligned perfect subtrees that cover leaf indexes [start, end), in order, as
 * [size, root] pairs; `leaves` holds the leaf hashes of [start, start + leaves.length).
 */
export function alignedSubtrees(leaves, start, end) {
  const out = [];
  let at = start;
  while (at < end) {
    let k = 1;
    while (at % (k * 2) === 0 && at + k * 2 <= end) k *= 2;
    let level = leaves.slice(at - start, at - start + k);
    while (level.length > 1) {
      const up = [];
      for (let i = 0; i < level.length; i += 2) up.push(nodeHash(level[i], level[i + 1]));
      level = up;
    }
    out.push([k, level[0]]);
    at += k;
  }
  return out;
}

/**
 * task: { tenantId, firstSeq, count, text, hashes (Buffer: prev_hash||hash per event), cpSizes }
 * result: { ok: true, count, firstPrev, lastHash, subtrees, checkpoints: [[size, subtrees]] }
 *       | { ok: false, seq } (the first event the fast path could not accept)
 */
export function verifyBatch(task) {
  const { tenantId, firstSeq, count, text, hashes } = task;
  const records = count === 0 ? [] : text.split(RS);
  if (records.length !== count || hashes.length !== count * 64) return { ok: false, seq: firstSeq };
  const enc = new Encoder(tenantId);
  const leaves = new Array(count);
  for (let i = 0; i < count; i++) {
    const seq = firstSeq + i;
    const f = records[i].split(FS);
    if (f.length !== FIELDS || Number(f[0]) !== seq) return { ok: false, seq };
    const prev = hashes.subarray(i * 64, i * 64 + 32);
    const stored = hashes.subarray(i * 64 + 32, i * 64 + 64);
    if (i > 0 && !prev.equals(hashes.subarray(i * 64 - 32, i * 64))) return { ok: false, seq };
    const ms = Number(f[1]);
    const meta = canonicalMeta(f[12]);
    if (!Number.isSafeInteger(ms) || meta === null) return { ok: false, seq };
    enc.pos = enc.afterTenant;
    enc.str(String(seq));
    enc.str(new Date(ms).toISOString());
    enc.str(f[2]);
    enc.str(opt(f[3]));
    enc.str(f[4]);
    enc.str(opt(f[5]));
    enc.str(opt(f[6]));
    enc.str(f[7]);
    enc.str(opt(f[8]));
    enc.str(opt(f[9]));
    enc.str(opt(f[10]));
    enc.str(opt(f[11]));
    enc.str(meta);
    enc.u32(32);
    enc.ensure(32);
    enc.buf.set(prev, enc.pos);
    enc.pos += 32;
    const leaf = sha256(enc.buf.subarray(0, enc.pos));
    if (!leaf.equals(stored)) return { ok: false, seq };
    leaves[i] = leaf;
  }
  const start = firstSeq - 1;
  const end = start + count;
  return {
    ok: true,
    count,
    firstPrev: count ? Buffer.from(hashes.subarray(0, 32)) : null,
    lastHash: count ? leaves[count - 1] : null,
    subtrees: alignedSubtrees(leaves, start, end),
    checkpoints: (task.cpSizes ?? [])
      .filter((s) => s > start && s < end)
      .map((s) => [s, alignedSubtrees(leaves, start, s)]),
  };
}
