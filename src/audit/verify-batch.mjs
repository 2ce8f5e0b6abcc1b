// The fast path of database verification, for one batch of a chain: parse the compact text
// projection (see verify-fetch.ts), re-encode every event canonically, hash it and check it
// against the stored hash and its predecessor link, and fold the leaf hashes into the aligned
// perfect Merkle subtrees of the batch. Plain JavaScript with node builtins only, so that worker
// threads load it under plain node and under tsx alike. The encoding must stay byte-identical
// to src/audit/canonical.ts (test/audit/verify-fast.test.ts compares the two).
//
// It never decides that a chain is tampered with: any doubt (a field count that does not add up,
// a hash that does not match) returns `{ ok: false }` and the caller re-verifies from there with
// the full-field path, which classifies the problem.
import { hash } from 'node:crypto';

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

  /** A length-prefixed copy of src[a, b) (already UTF-8). */
  bytes(src, a, b) {
    const len = b - a;
    this.u32(len);
    this.ensure(len);
    // A loop: Buffer#copy costs more than the few bytes of a field.
    const buf = this.buf;
    let at = this.pos;
    for (let i = a; i < b; i++) buf[at++] = src[i];
    this.pos = at;
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
 *
 * The text is turned into UTF-8 bytes once and then scanned byte by byte: a field's bytes are
 * exactly its canonical encoding, so they are copied, not decoded into strings and re-encoded.
 */
export function verifyBatch(task) {
  const { tenantId, firstSeq, count, text, hashes } = task;
  if (hashes.length !== count * 64) return { ok: false, seq: firstSeq };
  const src = Buffer.from(text, 'utf8');
  const enc = new Encoder(tenantId);
  const leaves = new Array(count);
  let p = 0;
  for (let i = 0; i < count; i++) {
    const seq = firstSeq + i;
    const h = i * 64;
    if (i > 0 && hashes.compare(hashes, h - 32, h, h, h + 32) !== 0) return { ok: false, seq };
    enc.pos = enc.afterTenant;
    const next = encodeRecord(enc, src, p, seq);
    // A record must end in RS, the last one at the end of the text.
    if (next < 0 || (i === count - 1 ? next !== src.length : src[next] !== RS_BYTE))
      return { ok: false, seq };
    p = next + 1;
    enc.u32(32);
    enc.ensure(32);
    const buf = enc.buf;
    for (let j = 0; j < 32; j++) buf[enc.pos + j] = hashes[h + j];
    enc.pos += 32;
    const leaf = sha256(enc.buf.subarray(0, enc.pos));
    if (leaf.compare(hashes, h + 32, h + 64) !== 0) return { ok: false, seq };
    leaves[i] = leaf;
  }
  if (count === 0 && src.length !== 0) return { ok: false, seq: firstSeq };
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

const FS_BYTE = 0x1f;
const RS_BYTE = 0x1e;
const EQ = 0x3d;
/** Fields 3, 5, 6, 8, 9, 10, 11 are nullable ('' = NULL, '=' + value otherwise). */
const NULLABLE = [false, false, false, true, false, true, true, false, true, true, true, true, false];

/**
 * Encodes the record at `p` (seq, time, 10 text fields, meta) into enc; returns the index just
 * after it (an RS or the end of src), or -1 when the record is not the one expected.
 */
function encodeRecord(enc, src, p, seq) {
  const n = src.length;
  let field = 0;
  let a = p;
  for (let q = p; ; q++) {
    const c = q < n ? src[q] : RS_BYTE;
    if (c !== FS_BYTE && c !== RS_BYTE) continue;
    if (field === 0) {
      if (!encodeSeq(enc, src, a, q, seq)) return -1;
    } else if (field === 1) {
      if (!encodeTime(enc, src, a, q)) return -1;
    } else if (field === 12) {
      if (c !== RS_BYTE || !encodeMeta(enc, src, a, q)) return -1;
      return q;
    } else if (NULLABLE[field]) {
      if (a === q) enc.u32(NULL_LEN);
      else if (src[a] !== EQ) return -1;
      else enc.bytes(src, a + 1, q);
    } else enc.bytes(src, a, q);
    if (c === RS_BYTE) return -1; // too few fields
    field++;
    a = q + 1;
  }
}

/** The seq as String(seq) writes it: plain digits, no sign, no leading zero. */
function encodeSeq(enc, src, a, b, seq) {
  if (b - a < 1 || b - a > 15 || (src[a] === 0x30 && b - a > 1)) return false;
  let v = 0;
  for (let i = a; i < b; i++) {
    const d = src[i] - 0x30;
    if (d < 0 || d > 9) return false;
    v = v * 10 + d;
  }
  if (v !== seq) return false;
  enc.bytes(src, a, b);
  return true;
}

const DAY_MS = 86_400_000;
const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z: later years change the format
let cachedDay = -1;
let cachedDayIso = Buffer.alloc(0);

/** Epoch milliseconds as Date.prototype.toISOString writes them (YYYY-MM-DDTHH:MM:SS.mmmZ). */
function encodeTime(enc, src, a, b) {
  if (b - a < 1 || b - a > 15) return false;
  let ms = 0;
  for (let i = a; i < b; i++) {
    const d = src[i] - 0x30;
    if (d < 0 || d > 9) return false;
    ms = ms * 10 + d;
  }
  if (ms > MAX_MS) return false;
  const day = ms - (ms % DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayIso = Buffer.from(new Date(day).toISOString().slice(0, 11), 'latin1');
  }
  let r = ms - day;
  enc.u32(24);
  enc.ensure(24);
  const buf = enc.buf;
  const at = enc.pos;
  for (let i = 0; i < 11; i++) buf[at + i] = cachedDayIso[i];
  const two = (v, o) => {
    buf[o] = 0x30 + Math.floor(v / 10);
    buf[o + 1] = 0x30 + (v % 10);
  };
  const milli = r % 1000;
  r = (r - milli) / 1000;
  two(Math.floor(r / 3600), at + 11);
  buf[at + 13] = 0x3a;
  two(Math.floor(r / 60) % 60, at + 14);
  buf[at + 16] = 0x3a;
  two(r % 60, at + 17);
  buf[at + 19] = 0x2e;
  buf[at + 20] = 0x30 + Math.floor(milli / 100);
  two(milli % 100, at + 21);
  buf[at + 23] = 0x5a;
  enc.pos = at + 24;
  return true;
}

/**
 * jsonb's text of a flat object ({"k": v, "k2": v2}, keys ordered by length) re-written as the
 * canonical sorted-key JSON without spaces. Bytes are copied when every key is plain ASCII and
 * every value is a string without escapes, a safe integer, true, false or null: for those the
 * JSON.stringify form is the same bytes. Anything else goes through JSON.parse (canonicalMeta).
 */
function encodeMeta(enc, src, a, b) {
  const pairs = flatPairs(src, a, b);
  if (pairs === null) {
    const meta = canonicalMeta(src.toString('utf8', a, b));
    if (meta === null) return false;
    enc.str(meta);
    return true;
  }
  const k = pairs.length / 4;
  if (k > 1) sortPairs(src, pairs);
  let len = 2 + (k > 0 ? k - 1 : 0);
  for (let i = 0; i < pairs.length; i += 4) len += pairs[i + 1] - pairs[i] + 1 + pairs[i + 3] - pairs[i + 2];
  enc.u32(len);
  enc.ensure(len);
  const buf = enc.buf;
  buf[enc.pos++] = 0x7b;
  for (let i = 0; i < pairs.length; i += 4) {
    if (i > 0) buf[enc.pos++] = 0x2c;
    for (let j = pairs[i]; j < pairs[i + 1]; j++) buf[enc.pos++] = src[j];
    buf[enc.pos++] = 0x3a;
    for (let j = pairs[i + 2]; j < pairs[i + 3]; j++) buf[enc.pos++] = src[j];
  }
  buf[enc.pos++] = 0x7d;
  return true;
}

/** [keyStart, keyEnd, valueStart, valueEnd, ...] (key with its quotes), or null: use JSON.parse. */
function flatPairs(src, a, b) {
  if (src[a] !== 0x7b || src[b - 1] !== 0x7d) return null;
  const out = [];
  if (b - a === 2) return out;
  let q = a + 1;
  for (;;) {
    // "key": ASCII printable, no quote or backslash inside
    if (src[q] !== 0x22) return null;
    const ks = q++;
    while (q < b && src[q] !== 0x22) {
      const c = src[q];
      if (c < 0x20 || c > 0x7e || c === 0x5c) return null;
      q++;
    }
    if (q >= b) return null;
    const ke = ++q;
    if (src[q] !== 0x3a || src[q + 1] !== 0x20) return null;
    q += 2;
    const vs = q;
    const c = src[q];
    if (c === 0x22) {
      q++;
      while (q < b && src[q] !== 0x22) {
        const d = src[q];
        if (d === 0x5c || d < 0x20) return null;
        q++;
      }
      if (q >= b) return null;
      q++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      if (c === 0x2d) q++;
      const ds = q;
      while (q < b && src[q] >= 0x30 && src[q] <= 0x39) q++;
      const digits = q - ds;
      // no fraction or exponent, no leading zero, no -0, safe-integer size
      if (digits < 1 || digits > 15 || (src[ds] === 0x30 && (digits > 1 || c === 0x2d))) return null;
    } else if (matches(src, q, TRUE)) q += 4;
    else if (matches(src, q, FALSE)) q += 5;
    else if (matches(src, q, NULL)) q += 4;
    else return null;
    out.push(ks, ke, vs, q);
    if (q === b - 1) return out;
    if (src[q] !== 0x2c || src[q + 1] !== 0x20) return null;
    q += 2;
  }
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');
const matches = (src, at, word) => src.compare(word, 0, word.length, at, at + word.length) === 0;

/** Insertion sort of the pairs by key bytes without the quotes (ASCII: JavaScript's sort order). */
function sortPairs(src, pairs) {
  for (let i = 4; i < pairs.length; i += 4) {
    const cur = pairs.slice(i, i + 4);
    let j = i - 4;
    while (j >= 0 && src.compare(src, cur[0] + 1, cur[1] - 1, pairs[j] + 1, pairs[j + 1] - 1) > 0) {
      pairs.copyWithin(j + 4, j, j + 4);
      j -= 4;
    }
    pairs.splice(j + 4, 4, ...cur);
  }
}
