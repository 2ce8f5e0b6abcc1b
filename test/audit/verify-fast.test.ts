// The verification fast path (compact projection, hashing in worker threads, aligned Merkle
// subtrees, parallel PostgreSQL readers) must agree with the full-field path: same verdicts, same
// first bad sequence number, checkpoints inside a batch included.
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventEncoder, type HashedFields } from '../../src/audit/canonical.ts';
import { CompactRange } from '../../src/audit/merkle.ts';
import { EVENT_COLUMNS, type EventRow, rowFields, toBuffer } from '../../src/audit/store.ts';
import type { AuditEventInput } from '../../src/audit/types.ts';
import { verifyAuditLog } from '../../src/audit/verify.ts';
import { alignedSubtrees, verifyBatch } from '../../src/audit/verify-batch.mjs';
import { rows, type Tx } from '../../src/platform/db.ts';
import { testDbKind } from '../helpers/db.ts';
import { setupAudit } from './helpers.ts';

const N = 60;
const fast = { batchSize: 8, workers: 2, extraReaders: 1 };

function varied(tenantId: string, i: number): AuditEventInput {
  return {
    tenantId,
    actorType: i % 5 === 0 ? 'system' : 'user',
    actorId: i % 4 === 0 ? null : `user-${i % 7}`,
    action: i % 3 === 0 ? 'customer.read' : 'conversation.update',
    resourceType: i % 6 === 0 ? null : 'customer',
    resourceId: i % 6 === 0 ? null : `res-${i}`,
    outcome: i % 9 === 0 ? 'denied' : 'success',
    reason: i % 2 === 0 ? null : 'Rückruf wegen Fall',
    ip: i % 3 === 0 ? null : '2001:db8::1',
    uaHash: null,
    requestId: `req-${i}`,
    meta: i % 4 === 0 ? {} : { zeta: i, alpha: `a-${i}`, flag: i % 2 === 0, none: null },
  };
}

describe(`audit verification fast path (${testDbKind})`, () => {
  let s: Awaited<ReturnType<typeof setupAudit>>;
  beforeEach(async () => {
    s = await setupAudit('fp');
    for (let i = 1; i <= N; i++) {
      await s.log.appendStandalone(s.db, varied(s.a, i));
      if (i === 13 || i === 32 || i === 47) await s.log.createCheckpoint(s.a);
    }
  });
  afterEach(() => s.t.drop());

  const asDba = (fn: (tx: Tx) => Promise<unknown>) =>
    s.db.withOwner(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger all`);
      await fn(tx);
      await tx.execute(sql`alter table audit_events enable trigger all`);
    });
  const verify = async (o: object) => (await verifyAuditLog(s.db, { tenantId: s.a, ...o })).chains[0]!;

  it('verifies a good chain with checkpoints inside batches, in workers and inline alike', async () => {
    for (const o of [
      fast,
      { batchSize: 8, workers: 0, extraReaders: 0 },
      { batchSize: 16, workers: 1 },
      {},
    ]) {
      // fastPathEvents: nothing fell back to the full-field path (e.g. a worker that failed).
      expect(await verify(o)).toMatchObject({
        ok: true,
        events: N,
        fastPathEvents: N,
        checkpointsChecked: 3,
      });
    }
  });

  it('reports the first bad seq of a modified field, a separator smuggled into a value and a deletion', async () => {
    await asDba((tx) =>
      tx.execute(sql`update audit_events set resource_id = 'res-x' where tenant_id = ${s.a} and seq = 37`),
    );
    expect(await verify(fast)).toMatchObject({ ok: false, firstBadSeq: 37, kind: 'modified' });
    await asDba((tx) =>
      tx.execute(sql`update audit_events set reason = E'a\\x1fb' where tenant_id = ${s.a} and seq = 20`),
    );
    expect(await verify(fast)).toMatchObject({ ok: false, firstBadSeq: 20, kind: 'modified' });
    await asDba((tx) => tx.execute(sql`delete from audit_events where tenant_id = ${s.a} and seq = 9`));
    expect(await verify(fast)).toMatchObject({ ok: false, firstBadSeq: 9, kind: 'missing' });
  });

  it('does not take a NULL for an empty string', async () => {
    await asDba((tx) =>
      tx.execute(sql`update audit_events set actor_id = '' where tenant_id = ${s.a} and seq = 12`),
    );
    expect(await verify(fast)).toMatchObject({ ok: false, firstBadSeq: 12, kind: 'modified' });
  });

  it('catches a consistently re-hashed chain at a checkpoint that lies inside a batch', async () => {
    await asDba(async (tx) => {
      const evs = await rows<EventRow>(
        tx,
        sql`select ${EVENT_COLUMNS} from audit_events where tenant_id = ${s.a} order by seq`,
      );
      const enc = new EventEncoder();
      let prev = toBuffer(evs[0]!.prev_hash);
      for (const r of evs) {
        const f = rowFields(r);
        if (f.seq === 20) f.outcome = 'failure';
        const h = enc.eventHash(f, prev);
        await tx.execute(
          sql`update audit_events set outcome = ${f.outcome}, prev_hash = ${prev}, hash = ${h} where tenant_id = ${s.a} and seq = ${f.seq}`,
        );
        prev = h;
      }
      await tx.execute(sql`update audit_heads set last_hash = ${prev} where tenant_id = ${s.a}`);
    });
    // Checkpoint 13 (inside the window 9..16) still matches; 32 does not, so the first bad event lies after 13.
    expect(await verify(fast)).toMatchObject({ ok: false, firstBadSeq: 14, kind: 'checkpoint_mismatch' });
    expect(await verify({ batchSize: 5, workers: 0 })).toMatchObject({
      ok: false,
      firstBadSeq: 14,
      kind: 'checkpoint_mismatch',
    });
  });
});

describe('verify-batch (pure)', () => {
  const text = (f: HashedFields, jsonb: boolean) => {
    const o = (v: string | null) => (v === null ? '' : `=${v}`);
    return [
      f.seq,
      Date.parse(f.time),
      f.actorType,
      o(f.actorId),
      f.action,
      o(f.resourceType),
      o(f.resourceId),
      f.outcome,
      o(f.reason),
      o(f.ip),
      o(f.uaHash),
      o(f.requestId),
      jsonb ? jsonbText(f.meta) : JSON.stringify(f.meta),
    ].join('\x1f');
  };
  /** PostgreSQL's jsonb output: keys by length, then bytes; ", " and ": " between tokens. */
  const jsonbText = (meta: Record<string, unknown>) => {
    const keys = Object.keys(meta).sort((a, b) => {
      const x = Buffer.from(a);
      const y = Buffer.from(b);
      return x.length - y.length || Buffer.compare(x, y);
    });
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${JSON.stringify(meta[k])}`).join(', ')}}`;
  };
  const str = fc
    .string({ unit: 'binary', maxLength: 20 })
    .filter((x) => !x.includes('\x1e') && !x.includes('\x1f'));
  const nullable = fc.option(str, { nil: null });

  it('hashes exactly like canonical.ts', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            actorId: nullable,
            reason: nullable,
            ip: nullable,
            resourceId: nullable,
            action: str,
            meta: fc.dictionary(
              fc.oneof(fc.stringMatching(/^[a-z_]{1,6}$/), fc.stringMatching(/^[ -~]{0,4}$/), str),
              fc.oneof(
                fc.integer(),
                fc.boolean(),
                fc.constant(null),
                str,
                fc.double({ noNaN: true, noDefaultInfinity: true }),
                fc.maxSafeInteger(),
              ),
            ),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.option(fc.uuid(), { nil: null }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.boolean(),
        (evs, tenantId, ms, jsonb) => {
          const enc = new EventEncoder();
          let prev: Buffer = Buffer.alloc(32, 7);
          const hashes: Buffer[] = [];
          const lines: string[] = [];
          evs.forEach((e, i) => {
            const f: HashedFields = {
              tenantId,
              seq: 5 + i,
              time: new Date(ms + i).toISOString(),
              actorType: 'user',
              outcome: 'success',
              resourceType: 'customer',
              uaHash: null,
              requestId: null,
              ...e,
            };
            const h = enc.eventHash(f, prev);
            hashes.push(prev, h);
            lines.push(text(f, jsonb));
            prev = h;
          });
          const r = verifyBatch({
            tenantId,
            firstSeq: 5,
            count: evs.length,
            text: lines.join('\x1e'),
            hashes: Buffer.concat(hashes),
          });
          expect(r.ok).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('aligned subtrees append to the same tree heads as leaf by leaf', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 1, max: 70 }), (start, n) => {
        const leaves = Array.from({ length: start + n }, (_, i) => Buffer.alloc(32, i + 1));
        const ref = new CompactRange();
        for (const l of leaves) ref.append(l);
        const r = new CompactRange();
        for (const l of leaves.slice(0, start)) r.append(l);
        for (const [k, root] of alignedSubtrees(leaves.slice(start), start, start + n))
          r.appendSubtree(k, root);
        expect(r.size).toBe(ref.size);
        expect(r.root().equals(ref.root())).toBe(true);
      }),
    );
  });
});
