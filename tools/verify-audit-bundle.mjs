#!/usr/bin/env node
// Independent verifier for a Vigil audit bundle (exportAuditBundle). Node builtins only, no Vigil
// code, so a client company can read, run and trust it on its own.
//   node tools/verify-audit-bundle.mjs bundle.json [--public-key key.pem] [--json]
// Exit 0: chain, Merkle tree heads and signatures verify. 1: tampered (first bad seq printed).
// 2: usage or unreadable bundle. Pin the public key you received out of band with --public-key;
// otherwise the keys inside the bundle are used (that proves integrity, not origin).
//
// Formats (must match src/audit/canonical.ts and src/audit/signing.ts):
//   event bytes = fields in order, each u32be(len) || utf8, NULL = u32be(0xffffffff):
//     "vigil-audit-event/v1", tenantId, String(seq), time, actorType, actorId, action,
//     resourceType, resourceId, outcome, reason, ip, uaHash, requestId, canonical meta JSON
//     (sorted keys), then u32be(32) || prevHash
//   event hash = SHA-256(0x00 || event bytes)   (RFC 6962 leaf; also the chain link)
//   node = SHA-256(0x01 || left || right); tree head = RFC 6962 MTH over event hashes
//   checkpoint message = "vigil-audit-checkpoint/v1\n<chain>\n<size>\n<root hex>\n<time>\n"
//   anchor message = "vigil-audit-anchor/v1\n<chain>\n<seq>\n<last hash hex>\n<frontier hex>\n<time>\n"
//   chain = tenant id, or 00000000-0000-0000-0000-000000000000 for the platform chain; Ed25519.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';

const ZERO = '00000000-0000-0000-0000-000000000000';
const sha = (b) => createHash('sha256').update(b).digest();

function field(parts, s) {
  const len = Buffer.alloc(4);
  if (s === null || s === undefined) {
    len.writeUInt32BE(0xffffffff);
    parts.push(len);
    return;
  }
  const b = Buffer.from(String(s), 'utf8');
  len.writeUInt32BE(b.length);
  parts.push(len, b);
}

function metaJson(meta) {
  return `{${Object.keys(meta)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(meta[k])}`)
    .join(',')}}`;
}

function eventHash(e, seq, prevHex) {
  const parts = [Buffer.from([0])];
  for (const v of [
    'vigil-audit-event/v1',
    e.tenantId,
    String(seq),
    e.time,
    e.actorType,
    e.actorId,
    e.action,
    e.resourceType,
    e.resourceId,
    e.outcome,
    e.reason,
    e.ip,
    e.uaHash,
    e.requestId,
    metaJson(e.meta ?? {}),
  ])
    field(parts, v);
  const prev = Buffer.from(prevHex, 'hex');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(prev.length);
  parts.push(len, prev);
  return sha(Buffer.concat(parts)).toString('hex');
}

const node = (l, r) => sha(Buffer.concat([Buffer.from([1]), l, r]));

class CompactRange {
  constructor(size = 0, stack = []) {
    this.size = size;
    this.stack = stack;
  }
  append(leaf) {
    this.stack.push(leaf);
    this.size++;
    for (let n = this.size; n % 2 === 0; n /= 2) {
      const r = this.stack.pop();
      const l = this.stack.pop();
      this.stack.push(node(l, r));
    }
  }
  root() {
    if (this.stack.length === 0) return sha(Buffer.alloc(0));
    let acc = this.stack[this.stack.length - 1];
    for (let i = this.stack.length - 2; i >= 0; i--) acc = node(this.stack[i], acc);
    return acc;
  }
}

function sigOk(pem, message, sigB64) {
  try {
    return verify(null, Buffer.from(message, 'utf8'), createPublicKey(pem), Buffer.from(sigB64, 'base64'));
  } catch {
    return false;
  }
}

export function verifyBundle(bundle, pinnedPem) {
  const chain = bundle.tenantId ?? ZERO;
  const keyFor = (id) => pinnedPem ?? bundle.publicKeys?.[id];
  const problems = [];
  const bad = (seq, kind, detail) => problems.push({ seq, kind, detail });
  const cps = [];
  for (const c of bundle.checkpoints ?? []) {
    const msg = `vigil-audit-checkpoint/v1\n${chain}\n${c.treeSize}\n${c.rootHash}\n${c.time}\n`;
    if (!sigOk(keyFor(c.keyId), msg, c.signature))
      bad(Math.max(c.treeSize, 1), 'bad_signature', 'checkpoint signature invalid');
    else cps.push(c);
  }
  cps.sort((a, b) => a.treeSize - b.treeSize);
  let range = new CompactRange();
  let prev = '0'.repeat(64);
  let next = 1;
  const a = bundle.anchor;
  if (a) {
    const msg = `vigil-audit-anchor/v1\n${chain}\n${a.seq}\n${a.lastHash}\n${a.frontier}\n${a.time}\n`;
    if (!sigOk(keyFor(a.keyId), msg, a.signature))
      bad(Math.max(a.seq, 1), 'bad_signature', 'anchor signature invalid');
    else {
      const f = Buffer.from(a.frontier, 'hex');
      const stack = [];
      for (let i = 0; i + 32 <= f.length; i += 32) stack.push(f.subarray(i, i + 32));
      range = new CompactRange(a.seq, stack);
      prev = a.lastHash;
      next = a.seq + 1;
    }
  }
  let ci = 0;
  let lastGood = next - 1;
  const checkCps = () => {
    while (ci < cps.length && cps[ci].treeSize <= range.size) {
      const c = cps[ci++];
      if (c.treeSize < range.size) continue; // inside a purged range
      if (range.root().toString('hex') === c.rootHash) lastGood = c.treeSize;
      else return bad(lastGood + 1, 'checkpoint_mismatch', 'tree head differs from a signed checkpoint');
    }
  };
  checkCps();
  const events = bundle.events ?? [];
  const hashesAs = (e, seq) => seq > 0 && eventHash(e, seq, e.prevHash) === e.hash;
  let chainProblem = problems.find((p) => p.kind === 'checkpoint_mismatch');
  for (let i = 0; i < events.length && !chainProblem; i++) {
    const e = events[i];
    const fail = (seq, kind, detail) => {
      chainProblem = { seq, kind, detail };
    };
    if (e.seq > next) fail(next, 'missing', 'sequence gap');
    else if (e.seq < next) fail(e.seq, 'inserted', 'duplicate or out-of-order sequence number');
    else {
      const hashOk = eventHash(e, e.seq, e.prevHash) === e.hash;
      const prevOk = e.prevHash === prev;
      if (hashOk && prevOk) {
        range.append(Buffer.from(e.hash, 'hex'));
        prev = e.hash;
        next++;
        const before = problems.length;
        checkCps();
        if (problems.length > before) chainProblem = problems.pop();
        continue;
      }
      if (hashesAs(e, e.seq - 1)) fail(e.seq - 1, 'inserted', 'event inserted before a renumbered event');
      else if (!hashOk && prevOk) fail(e.seq, 'modified', 'event hash does not match its fields');
      else if (hashOk) fail(e.seq - 1, 'modified', 'predecessor hash does not match the chain');
      else if (eventHash(e, e.seq, prev) === e.hash)
        fail(e.seq, 'modified', 'stored predecessor hash was changed');
      else {
        const n = events[i + 1];
        const curIsNext = hashesAs(e, e.seq + 1);
        const nextIsCur = n !== undefined && hashesAs(n, e.seq);
        if (nextIsCur)
          fail(e.seq, curIsNext ? 'reordered' : 'inserted', curIsNext ? 'events swapped' : 'event inserted');
        else if (curIsNext) fail(e.seq, 'missing', 'event deleted and later events renumbered');
        else fail(e.seq, 'reordered', 'event content belongs elsewhere in the chain');
      }
    }
  }
  if (!chainProblem) {
    const last = next - 1;
    if (ci < cps.length)
      chainProblem = {
        seq: last + 1,
        kind: 'truncated',
        detail: 'a signed checkpoint covers events that are gone',
      };
    else if (bundle.head && bundle.head.lastSeq > last)
      chainProblem = { seq: last + 1, kind: 'truncated', detail: 'chain head is ahead of the events' };
    else if (bundle.head && bundle.head.lastSeq < last)
      chainProblem = {
        seq: bundle.head.lastSeq + 1,
        kind: 'inserted',
        detail: 'events beyond the chain head',
      };
  }
  if (chainProblem) problems.push(chainProblem);
  problems.sort((x, y) => x.seq - y.seq);
  const first = problems[0];
  return {
    ok: !first,
    tenantId: bundle.tenantId,
    events: next - 1 - (a ? a.seq : 0),
    checkpoints: cps.length,
    treeSize: range.size,
    rootHash: range.root().toString('hex'),
    ...(first ? { firstBadSeq: first.seq, kind: first.kind, detail: first.detail } : {}),
  };
}

function main(argv) {
  let file;
  let pem;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') json = true;
    else if (argv[i] === '--public-key' && argv[i + 1]) pem = readFileSync(argv[++i], 'utf8');
    else if (!file) file = argv[i];
    else return usage();
  }
  if (!file) return usage();
  let bundle;
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8'));
    if (bundle.format !== 'vigil-audit-bundle/v1') throw new Error('format');
  } catch {
    process.stderr.write('cannot read a vigil-audit-bundle/v1 file\n');
    return 2;
  }
  const r = verifyBundle(bundle, pem);
  if (json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else if (r.ok)
    process.stdout.write(
      `OK: ${r.events} events, ${r.checkpoints} signed checkpoints, tree size ${r.treeSize}, root ${r.rootHash}\n`,
    );
  else process.stdout.write(`TAMPERED: first bad seq ${r.firstBadSeq} (${r.kind}: ${r.detail})\n`);
  return r.ok ? 0 : 1;
}

function usage() {
  process.stderr.write(
    'usage: node tools/verify-audit-bundle.mjs bundle.json [--public-key key.pem] [--json]\n',
  );
  return 2;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
