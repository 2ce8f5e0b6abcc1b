// RFC 6962 proofs against a naive recursive reference, for every tree size 1..200.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  consistencyPath,
  inclusionPath,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from '../../src/audit/merkle.ts';

const h = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
// MTH straight from RFC 6962 section 2.1.
function naiveRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return h();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return h(Buffer.from([1]), naiveRoot(leaves.slice(0, k)), naiveRoot(leaves.slice(k)));
}

const leaves = Array.from({ length: 200 }, (_, i) => leafHash(Buffer.from(`entry-${i}`)));

describe('merkle tree (RFC 6962)', () => {
  it('leaf and compact-range roots match the reference for sizes 0..200', () => {
    expect(leafHash(Buffer.from('x')).equals(h(Buffer.from([0]), Buffer.from('x')))).toBe(true);
    const r = new CompactRange();
    expect(r.root().equals(naiveRoot([]))).toBe(true);
    for (let n = 1; n <= 200; n++) {
      r.append(leaves[n - 1]!);
      expect(r.root().equals(naiveRoot(leaves.slice(0, n)))).toBe(true);
      const copy = CompactRange.deserialize(n, r.serialize());
      expect(copy.root().equals(r.root())).toBe(true);
    }
  });

  it('inclusion proofs verify and fail when tampered', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.nat(), fc.nat(), (n, a, t) => {
        const m = a % n;
        const root = naiveRoot(leaves.slice(0, n));
        const proof = inclusionPath(leaves, m, n);
        expect(verifyInclusion(leaves[m]!, m, n, proof, root)).toBe(true);
        expect(verifyInclusion(leaves[(m + 1) % 200]!, m, n, proof, root)).toBe(false);
        if (proof.length > 0) {
          const bad = proof.map((p) => Buffer.from(p));
          bad[t % bad.length]![0]! ^= 1;
          expect(verifyInclusion(leaves[m]!, m, n, bad, root)).toBe(false);
        }
        if (n > 1) expect(verifyInclusion(leaves[m]!, (m + 1) % n, n, proof, root)).toBe(false);
      }),
      { numRuns: 600 },
    );
  });

  it('consistency proofs verify and fail when tampered', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.nat(), fc.nat(), (n, a, t) => {
        const m = 1 + (a % n);
        const r1 = naiveRoot(leaves.slice(0, m));
        const r2 = naiveRoot(leaves.slice(0, n));
        const proof = consistencyPath(leaves, m, n);
        expect(verifyConsistency(m, n, proof, r1, r2)).toBe(true);
        if (proof.length > 0) {
          const bad = proof.map((p) => Buffer.from(p));
          bad[t % bad.length]![0]! ^= 1;
          expect(verifyConsistency(m, n, bad, r1, r2)).toBe(false);
        }
        if (m < n) {
          const other = naiveRoot([...leaves.slice(0, m - 1), leafHash(Buffer.from('forged'))]);
          expect(verifyConsistency(m, n, proof, other, r2)).toBe(false);
        }
      }),
      { numRuns: 600 },
    );
  });
});
