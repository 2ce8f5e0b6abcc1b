// A read's audit events go as one statement against the head this node wrote last (a
// compare-and-set, src/audit/chain-append.ts). Two audit writers ("nodes") and in-transaction
// appends that move the head under them: every event still links to its true predecessor and
// the chain verifies; a known head costs one round trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/log.ts';
import { verifyAuditLog } from '../../src/audit/verify.ts';
import { dbCounters } from '../../src/platform/db.ts';
import { testDbKind } from '../helpers/db.ts';
import { readEvent, setupAudit } from './helpers.ts';

describe(`audit append in one statement (${testDbKind})`, () => {
  let s: Awaited<ReturnType<typeof setupAudit>>;
  beforeAll(async () => {
    s = await setupAudit('osa');
  });
  afterAll(() => s.t.drop());

  it('costs one round trip once the head is known', async () => {
    expect(s.db.execAppStatement).toBeTypeOf('function');
    await s.log.appendStandalone(s.db, readEvent(s.b, 1));
    const before = dbCounters.roundTrips;
    const e = await s.log.appendStandalone(s.db, readEvent(s.b, 2));
    expect(dbCounters.roundTrips - before).toBe(1);
    expect(e.seq).toBe(2);
    expect(await verifyAuditLog(s.db, { tenantId: s.b })).toMatchObject({ ok: true, events: 2 });
  });

  it('keeps one chain when two writers and in-transaction appends interleave', async () => {
    const other = createAuditLog({ db: s.db, signer: s.signer });
    const seqs: number[] = [];
    for (let i = 1; i <= 12; i++) {
      const writer = i % 3 === 0 ? other : s.log;
      if (i % 4 === 0) {
        seqs.push((await s.db.withTenant(s.a, (tx) => s.log.append(tx, readEvent(s.a, i)))).seq);
      } else {
        seqs.push((await writer.appendStandalone(s.db, readEvent(s.a, i))).seq);
      }
    }
    // Concurrent batches of both writers on one chain.
    const batches = await Promise.all([
      s.log.appendManyStandalone(s.db, s.a, [readEvent(s.a, 20), readEvent(s.a, 21)]),
      other.appendManyStandalone(s.db, s.a, [readEvent(s.a, 22)]),
      s.log.appendStandalone(s.db, readEvent(s.a, 23)),
    ]);
    seqs.push(...batches.flat().map((e) => e.seq));
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(await verifyAuditLog(s.db, { tenantId: s.a })).toMatchObject({ ok: true, events: 16 });
  });

  it('fails the write with audit_write_failed when the database refuses it', async () => {
    const bad = { ...readEvent(s.a, 30), tenantId: '00000000-0000-4000-8000-000000000001' };
    await expect(s.log.appendStandalone(s.db, bad)).rejects.toMatchObject({ code: 'audit_write_failed' });
    expect(await verifyAuditLog(s.db, { tenantId: s.a })).toMatchObject({ ok: true, events: 16 });
  });
});
