// The optimized encoder (cached prefix and tenant, digit writer, key cache) must produce exactly
// the bytes of the straightforward reference encoding (the one tools/verify-audit-bundle.mjs uses).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventEncoder, type HashedFields } from '../../src/audit/canonical.ts';

function field(parts: Buffer[], s: string | null) {
  const len = Buffer.alloc(4);
  if (s === null) {
    len.writeUInt32BE(0xffffffff);
    parts.push(len);
    return;
  }
  const b = Buffer.from(s, 'utf8');
  len.writeUInt32BE(b.length);
  parts.push(len, b);
}
const metaJson = (m: Record<string, unknown>) =>
  `{${Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`)
    .join(',')}}`;
function reference(e: HashedFields, prev: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([0])];
  for (const v of [
    'vigil-audit-event/v1',
    e.tenantId,
    String(e.seq),
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
    metaJson(e.meta),
  ])
    field(parts, v);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(prev.length);
  parts.push(len, prev);
  return createHash('sha256').update(Buffer.concat(parts)).digest();
}

const str = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('customer.read', 'user-1', ''),
);
const ns = fc.option(str, { nil: null });
const tenant = fc.constantFrom(
  null,
  '11111111-1111-1111-1111-111111111111',
  '22222222-2222-2222-2222-222222222222',
  'ü-tenant',
);
const fields = fc.record({
  tenantId: tenant,
  seq: fc.oneof(fc.nat(), fc.constantFrom(0, 9, 10, 99, 100, 2 ** 53 - 1, 1e21, -5, 1.5)),
  time: str,
  actorType: str,
  actorId: ns,
  action: str,
  resourceType: ns,
  resourceId: ns,
  outcome: str,
  reason: ns,
  ip: ns,
  uaHash: ns,
  requestId: ns,
  meta: fc.dictionary(
    fc.string(),
    fc.oneof(fc.string({ unit: 'grapheme' }), fc.integer(), fc.boolean(), fc.constant(null)),
  ),
});

describe('canonical event encoding', () => {
  it('matches the reference encoding byte for byte, with one encoder reused across events', () => {
    const enc = new EventEncoder();
    fc.assert(
      fc.property(fields, fc.uint8Array({ minLength: 32, maxLength: 32 }), (f, p) => {
        const prev = Buffer.from(p);
        expect(enc.eventHash(f, prev).equals(reference(f, prev))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('handles very long fields (buffer growth) without losing the cached prefix', () => {
    const enc = new EventEncoder();
    const base: HashedFields = {
      tenantId: 't',
      seq: 1,
      time: 'x',
      actorType: 'user',
      actorId: null,
      action: 'a',
      resourceType: null,
      resourceId: null,
      outcome: 'success',
      reason: null,
      ip: null,
      uaHash: null,
      requestId: null,
      meta: {},
    };
    const prev = Buffer.alloc(32, 3);
    for (const n of [10, 40_000, 10, 200_000, 5]) {
      const f = { ...base, reason: 'é'.repeat(n), seq: n };
      expect(enc.eventHash(f, prev).equals(reference(f, prev))).toBe(true);
    }
  });
});
