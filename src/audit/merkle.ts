// RFC 6962 / RFC 9162 Merkle tree: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || l || r).
// `CompactRange` computes tree heads incrementally (a stack of perfect-subtree roots, O(log n)
// memory), so a million-event chain is verified streaming. Proof generation works on an array of
// leaf hashes; verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2.
import { hash } from 'node:crypto';

const sha256 = (b: Uint8Array): Buffer => hash('sha256', b, 'buffer') as unknown as Buffer;
const nodeBuf = Buffer.alloc(65);
nodeBuf[0] = 0x01;

export function leafHash(entry: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(entry.length + 1);
  b[0] = 0x00;
  b.set(entry, 1);
  return sha256(b);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeBuf.set(left, 1);
  nodeBuf.set(right, 33);
  return sha256(nodeBuf);
}

export const EMPTY_ROOT = sha256(new Uint8Array(0));

/** Incremental tree head: roots of the perfect subtrees covering leaves [0, size). */
export class CompactRange {
  size: number;
  /** Largest subtree first. */
  readonly stack: Buffer[];

  constructor(size = 0, stack: Buffer[] = []) {
    if (popcount(size) !== stack.length) throw new Error('compact range does not match its size');
    this.size = size;
    this.stack = stack;
  }

  append(leaf: Buffer): void {
    this.stack.push(leaf);
    this.size++;
    // Each trailing one bit of the new size merges two equal-sized subtrees.
    for (let n = this.size; (n & 1) === 0; n /= 2) {
      const r = this.stack.pop() as Buffer;
      const l = this.stack.pop() as Buffer;
      this.stack.push(nodeHash(l, r));
    }
  }

  /** Appends the root of a perfect subtree of `leaves` leaves (a power of two dividing size). */
  appendSubtree(leaves: number, root: Buffer): void {
    if (leaves === 1) {
      this.append(root);
      return;
    }
    if (this.size % leaves !== 0) throw new Error('subtree is not aligned with the range');
    this.stack.push(root);
    this.size += leaves;
    for (let n = this.size / leaves; (n & 1) === 0; n /= 2) {
      const r = this.stack.pop() as Buffer;
      const l = this.stack.pop() as Buffer;
      this.stack.push(nodeHash(l, r));
    }
  }

  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let acc = this.stack[this.stack.length - 1] as Buffer;
    for (let i = this.stack.length - 2; i >= 0; i--) acc = nodeHash(this.stack[i] as Buffer, acc);
    return acc;
  }

  serialize(): Buffer {
    return Buffer.concat(this.stack);
  }

  static deserialize(size: number, bytes: Uint8Array): CompactRange {
    const stack: Buffer[] = [];
    for (let i = 0; i + 32 <= bytes.length; i += 32) stack.push(Buffer.from(bytes.subarray(i, i + 32)));
    return new CompactRange(size, stack);
  }

  clone(): CompactRange {
    return new CompactRange(this.size, [...this.stack]);
  }
}

function popcount(n: number): number {
  let c = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) c += x % 2;
  return c;
}

/** Largest power of two strictly smaller than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) over leaf hashes. */
export function merkleRoot(leaves: readonly Buffer[], lo = 0, hi = leaves.length): Buffer {
  const r = new CompactRange();
  for (let i = lo; i < hi; i++) r.append(leaves[i] as Buffer);
  return r.root();
}

/** RFC 6962 PATH(m, D[n]) for leaf index m (0-based) in the tree of the first n leaves. */
export function inclusionPath(leaves: readonly Buffer[], m: number, n = leaves.length): Buffer[] {
  if (m < 0 || m >= n || n > leaves.length) throw new RangeError('leaf index out of range');
  const path = (mm: number, lo: number, hi: number): Buffer[] => {
    const size = hi - lo;
    if (size === 1) return [];
    const k = splitPoint(size);
    return mm < k
      ? [...path(mm, lo, lo + k), merkleRoot(leaves, lo + k, hi)]
      : [...path(mm - k, lo + k, hi), merkleRoot(leaves, lo, lo + k)];
  };
  return path(m, 0, n);
}

/** RFC 6962 PROOF(m, D[n]): consistency between the trees of the first m and n leaves. */
export function consistencyPath(leaves: readonly Buffer[], m: number, n = leaves.length): Buffer[] {
  if (m < 1 || m > n || n > leaves.length) throw new RangeError('tree sizes out of range');
  const sub = (mm: number, lo: number, hi: number, complete: boolean): Buffer[] => {
    const size = hi - lo;
    if (mm === size) return complete ? [] : [merkleRoot(leaves, lo, hi)];
    const k = splitPoint(size);
    return mm <= k
      ? [...sub(mm, lo, lo + k, complete), merkleRoot(leaves, lo + k, hi)]
      : [...sub(mm - k, lo + k, hi, false), merkleRoot(leaves, lo, lo + k)];
  };
  return sub(m, 0, n, true);
}

/** RFC 9162 2.1.3.2: does `leaf` sit at `index` of the tree of `size` with `root`? */
export function verifyInclusion(
  leaf: Buffer,
  index: number,
  size: number,
  proof: readonly Buffer[],
  root: Buffer,
): boolean {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 2.1.4.2: is the tree (size2, root2) an append-only extension of (size1, root1)? */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Buffer[],
  root1: Buffer,
  root2: Buffer,
): boolean {
  if (size1 < 1 || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  let path = [...proof];
  // If size1 is an exact power of two, the first proof element is root1 itself.
  if ((size1 & (size1 - 1)) === 0 && size1 <= 2 ** 31) path = [root1, ...path];
  if (path.length === 0) return false;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Buffer;
  let sr = path[0] as Buffer;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Buffer;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}
