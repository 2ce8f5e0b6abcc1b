// Tampering done directly in SQL as the database owner (triggers disabled, as a DBA could) must
// be detected by verification, with the first bad sequence number and the kind of change.
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventEncoder } from '../../src/audit/canonical.ts';
import { EVENT_COLUMNS, type EventRow, rowFields, toBuffer } from '../../src/audit/store.ts';
import { verifyAuditLog } from '../../src/audit/verify.ts';
import { rows, type Tx } from '../../src/platform/db.ts';
import { testDbKind } from '../helpers/db.ts';
import { appendMany, setupAudit } from './helpers.ts';

const N = 12;

describe(`audit tamper detection (${testDbKind})`, () => {
  let s: Awaited<ReturnType<typeof setupAudit>>;
  beforeEach(async () => {
    s = await setupAudit('tp');
    await appendMany(s.log, s.db, s.a, N);
    await appendMany(s.log, s.db, s.b, 3);
  });
  afterEach(() => s.t.drop());

  const asDba = (fn: (tx: Tx) => Promise<unknown>) =>
    s.db.withOwner(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger all`);
      await fn(tx);
      await tx.execute(sql`alter table audit_events enable trigger all`);
    });
  const verifyA = async () => (await verifyAuditLog(s.db, { tenantId: s.a })).chains[0]!;

  it('an untouched log verifies, across all chains', async () => {
    const r = await verifyAuditLog(s.db, { all: true });
    expect(r.ok).toBe(true);
    expect(r.chains.map((c) => c.events).sort((x, y) => x - y)).toEqual([3, N]);
  });

  it('detects an updated field', async () => {
    await asDba((tx) =>
      tx.execute(sql`update audit_events set resource_id = 'res-other' where tenant_id = ${s.a} and seq = 5`),
    );
    expect(await verifyA()).toMatchObject({ ok: false, firstBadSeq: 5, kind: 'modified' });
    expect((await verifyAuditLog(s.db, { tenantId: s.b })).ok).toBe(true);
  });

  it('detects the ctid update with all triggers disabled', async () => {
    let seq = 0;
    await s.db.withOwner(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger all`);
      const r = await rows<{ seq: string | number; tenant_id: string }>(
        tx,
        sql`update audit_events set action = action || 'x' where ctid = (select ctid from audit_events offset 1 limit 1) returning seq, tenant_id::text`,
      );
      seq = Number(r[0]!.seq);
      expect(r[0]!.tenant_id).toBe(s.a);
    });
    expect(await verifyA()).toMatchObject({ ok: false, firstBadSeq: seq, kind: 'modified' });
  });

  it('detects a modified event whose hash was recomputed by the attacker', async () => {
    await asDba(async (tx) => {
      const [r] = await rows<EventRow>(
        tx,
        sql`select ${EVENT_COLUMNS} from audit_events where tenant_id = ${s.a} and seq = 4`,
      );
      const f = { ...rowFields(r!), outcome: 'denied' };
      const h = new EventEncoder().eventHash(f, toBuffer(r!.prev_hash));
      await tx.execute(
        sql`update audit_events set outcome = 'denied', hash = ${h} where tenant_id = ${s.a} and seq = 4`,
      );
    });
    expect(await verifyA()).toMatchObject({ ok: false, firstBadSeq: 4, kind: 'modified' });
  });

  it('detects a deleted row', async () => {
    await asDba((tx) => tx.execute(sql`delete from audit_events where tenant_id = ${s.a} and seq = 7`));
    expect(await verifyA()).toMatchObject({ ok: false, firstBadSeq: 7, kind: 'missing' });
  });

  it('detects a deleted row when later rows were renumbered', async () => {
    await asDba(async (tx) => {
      await tx.execute(sql`delete from audit_events where tenant_id = ${s.a} and seq = 7`);
      await tx.execute(sql`update audit_events set seq = seq + 1000 where tenant_id = ${s.a} and seq > 7`);
      await tx.execute(sql`update audit_events set seq = seq - 1001 where tenant_id = ${s.a} and seq > 1000`);
    });
    expect(await verifyA()).toMatchObject({ ok: false, firstBadSeq: 7, kind: 'missing' });
  });

  it('detects an inserted row (forged with a valid hash, later rows renumbered)', async () => {
    await asDba(async (tx) => {
      await tx.execute(sql`update audit_events set seq = seq + 1000 where tenant_id = ${s.a} and seq >= 6`);
      await tx.execute(sql`update audit_events set seq = seq - 999 where tenant_id = ${s.a} and seq > 1000`);
      const [r] = await rows<EventRow>(
        tx,
        sql`select ${EVENT_COLUMNS} from audit_events where tenant_id = ${s.a} and seq = 5`,
      );
      const prev = toBuffer(r!.hash);
      const forged = { ...rowFields(r!), seq: 6, resourceId: 'res-forged' };
      const h = new EventEncoder().eventHash(forged, prev);
      await tx.execute(sql`insert into audit_events (tenant_id, seq, time, actor_type, actor_id, action, resource_type, resource_id, outcome,
        reason, ip, ua_hash, request_id, meta, prev_hash, hash)
        select tenant_id, 6, time, actor_type, actor_id, action, resource_type, 'res-forged', outcome, reason, ip, ua_hash, request_id, meta,
          ${prev}, ${h} from audit_events where tenant_id = ${s.a} and seq = 5`);
    });
    expect(await verifyA()).toMatchObject({ ok: false, firstBadSeq: 6, kind: 'inserted' });
  });

  it('reports the same first bad event whatever the batch size (prefetch, early stop, odd-length hashes)', async () => {
    await asDba(async (tx) => {
      await tx.execute(sql`update audit_events set reason = 'changed' where tenant_id = ${s.a} and seq = 7`);
      await tx.execute(sql`insert into audit_events (tenant_id, seq, time, actor_type, action, outcome, prev_hash, hash)
        values (${s.a}, ${N + 1}, now(), 'user', 'customer.read', 'success', '\\x00'::bytea, '\\x00'::bytea)`);
    });
    for (const batchSize of [1, 2, 3, 5, 6, 7, 1000]) {
      const r = (await verifyAuditLog(s.db, { tenantId: s.a, batchSize })).chains[0]!;
      expect(r).toMatchObject({ ok: false, firstBadSeq: 7, kind: 'modified', events: 6 });
    }
    for (const batchSize of [1, 4, 1000]) {
      const r = (await verifyAuditLog(s.db, { tenantId: s.b, batchSize })).chains[0]!;
      expect(r).toMatchObject({ ok: true, events: 3 });
    }
  });

  it('detects a row inserted at the tail', async () => {
    await asDba((tx) =>
      tx.execute(sql`insert into audit_events (tenant_id, seq, time, actor_type, action, outcome, prev_hash, hash)
        values (${s.a}, ${N + 1}, now(), 'user', 'customer.read', 'success', '\\x00'::bytea, '\\x00'::bytea)`),
    );
    expect(await verifyA()).toMatchObject({ ok: false, firstBadSeq: N + 1 });
  });

  it('detects two rows whose contents were swapped', async () => {
    await asDba((tx) =>
      tx.execute(sql`update audit_events e set time = o.time, actor_type = o.actor_type, actor_id = o.actor_id, action = o.action,
          resource_type = o.resource_type, resource_id = o.resource_id, outcome = o.outcome, reason = o.reason, ip = o.ip,
          ua_hash = o.ua_hash, request_id = o.request_id, meta = o.meta, prev_hash = o.prev_hash, hash = o.hash
        from audit_events o where e.tenant_id = ${s.a} and o.tenant_id = ${s.a}
          and ((e.seq = 3 and o.seq = 9) or (e.seq = 9 and o.seq = 3))`),
    );
    expect(await verifyA()).toMatchObject({ ok: false, firstBadSeq: 3, kind: 'reordered' });
  });

  it('detects two adjacent rows swapped', async () => {
    await asDba(async (tx) => {
      await tx.execute(sql`update audit_events set seq = 1000 where tenant_id = ${s.a} and seq = 8`);
      await tx.execute(sql`update audit_events set seq = 8 where tenant_id = ${s.a} and seq = 9`);
      await tx.execute(sql`update audit_events set seq = 9 where tenant_id = ${s.a} and seq = 1000`);
    });
    expect(await verifyA()).toMatchObject({ ok: false, firstBadSeq: 8, kind: 'reordered' });
  });

  it('detects a truncated tail through the chain head', async () => {
    await asDba((tx) => tx.execute(sql`delete from audit_events where tenant_id = ${s.a} and seq > 9`));
    expect(await verifyA()).toMatchObject({ ok: false, firstBadSeq: 10, kind: 'truncated' });
  });

  it('detects a truncated tail through a signed checkpoint even if the head was rewritten', async () => {
    await s.log.createCheckpoint(s.a);
    await s.db.withOwner(async (tx) => {
      const [r] = await rows<{ hash: Uint8Array }>(
        tx,
        sql`select hash from audit_events where tenant_id = ${s.a} and seq = 9`,
      );
      await tx.execute(sql`alter table audit_events disable trigger all`);
      await tx.execute(sql`delete from audit_events where tenant_id = ${s.a} and seq > 9`);
      await tx.execute(
        sql`update audit_heads set last_seq = 9, last_hash = ${toBuffer(r!.hash)} where tenant_id = ${s.a}`,
      );
    });
    expect(await verifyA()).toMatchObject({ ok: false, firstBadSeq: 10, kind: 'truncated' });
  });

  it('detects a fully re-hashed chain through the signed checkpoint', async () => {
    await s.log.createCheckpoint(s.a);
    await s.db.withOwner(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger all`);
      const evs = await rows<EventRow>(
        tx,
        sql`select ${EVENT_COLUMNS} from audit_events where tenant_id = ${s.a} order by seq`,
      );
      const enc = new EventEncoder();
      let prev = toBuffer(evs[0]!.prev_hash);
      for (const r of evs) {
        const f = rowFields(r);
        if (f.seq === 2) f.outcome = 'failure';
        const h = enc.eventHash(f, prev);
        await tx.execute(
          sql`update audit_events set outcome = ${f.outcome}, prev_hash = ${prev}, hash = ${h} where tenant_id = ${s.a} and seq = ${f.seq}`,
        );
        prev = h;
      }
      await tx.execute(sql`update audit_heads set last_hash = ${prev} where tenant_id = ${s.a}`);
    });
    expect(await verifyA()).toMatchObject({ ok: false, firstBadSeq: 1, kind: 'checkpoint_mismatch' });
  });

  it('detects a forged checkpoint signature', async () => {
    await s.log.createCheckpoint(s.a);
    await s.db.withOwner(async (tx) => {
      await tx.execute(sql`alter table audit_checkpoints disable trigger all`);
      await tx.execute(sql`update audit_checkpoints set tree_size = tree_size - 1 where tenant_id = ${s.a}`);
    });
    expect(await verifyA()).toMatchObject({ ok: false, firstBadSeq: N - 1, kind: 'bad_signature' });
  });
});
