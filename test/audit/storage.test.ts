// The database itself enforces the append-only log: vigil_app may insert and read its own
// chain, never change or remove events; a failed audit write fails the audited action.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/audit/verify.ts';
import { pgErrorOf, rows } from '../../src/platform/db.ts';
import { VigilError } from '../../src/platform/errors.ts';
import { testDbKind } from '../helpers/db.ts';
import { readEvent, setupAudit } from './helpers.ts';

describe(`audit storage (${testDbKind})`, () => {
  let s: Awaited<ReturnType<typeof setupAudit>>;
  beforeAll(async () => {
    s = await setupAudit('st');
  });
  afterAll(() => s.t.drop());

  it('appends as vigil_app in the caller transaction with contiguous seqs', async () => {
    const seqs = await s.db.withTenant(s.a, async (tx) => {
      const [who] = await rows<{ u: string }>(tx, sql`select current_user as u`);
      expect(who!.u).toBe('vigil_app');
      const e1 = await s.log.append(tx, readEvent(s.a, 1));
      const e2 = await s.log.append(tx, readEvent(s.a, 2));
      return [e1.seq, e2.seq];
    });
    expect(seqs).toEqual([1, 2]);
    const p = await s.log.appendStandalone(s.db, {
      actorType: 'system',
      action: 'key.rotate',
      outcome: 'success',
    });
    expect(p).toMatchObject({ tenantId: null, seq: 1 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE as vigil_app', async () => {
    for (const q of [
      sql`update audit_events set action = 'customer.read' where seq = 1`,
      sql`delete from audit_events where seq = 1`,
      sql`truncate audit_events`,
      sql`update audit_checkpoints set tree_size = 0`,
    ]) {
      const e = await s.db.withTenant(s.a, (tx) => tx.execute(q)).catch((x: unknown) => x);
      expect(pgErrorOf(e).code).toBe('42501');
    }
  });

  it('refuses UPDATE, DELETE and TRUNCATE even for the owner while triggers are on', async () => {
    for (const q of [
      sql`update audit_events set action = 'customer.read' where seq = 1`,
      sql`delete from audit_events where seq = 1`,
      sql`truncate audit_events`,
    ]) {
      const e = await s.db.withOwner((tx) => tx.execute(q)).catch((x: unknown) => x);
      expect(pgErrorOf(e).message).toMatch(/append-only/);
    }
    const e = await s.db
      .withOwner(async (tx) => {
        await tx.execute(sql`select set_config('vigil.audit_purge', 'on', true)`);
        await tx.execute(sql`delete from audit_events where seq = 1`);
      })
      .catch((x: unknown) => x);
    expect(pgErrorOf(e).message).toMatch(/append-only/);
  });

  it('shows tenant rows only to their tenant and platform rows only to platform transactions', async () => {
    await s.log.appendStandalone(s.db, readEvent(s.b, 1));
    const seen = async (tenant: string | null) =>
      (tenant
        ? s.db.withTenant(tenant, (tx) => s.log.listEvents(tx))
        : s.db.withPlatform((tx) => s.log.listEvents(tx))
      ).then((p) => p.events.map((e) => e.tenantId));
    expect(new Set(await seen(s.a))).toEqual(new Set([s.a]));
    expect(new Set(await seen(s.b))).toEqual(new Set([s.b]));
    expect(new Set(await seen(null))).toEqual(new Set([null]));
    const e = await s.db
      .withTenant(s.a, (tx) => s.log.append(tx, readEvent(s.b, 9)))
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VigilError);
  });

  it('a failed audit write fails the caller transaction: nothing of the action persists', async () => {
    const e = await s.db
      .withTenant(s.a, async (tx) => {
        await tx.execute(sql`insert into queues (tenant_id, name) values (${s.a}, 'audited-queue')`);
        // Another tenant's chain: refused by row-level security inside the audit insert.
        await s.log.append(tx, { ...readEvent(s.b, 1), action: 'queue.create' });
      })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VigilError);
    expect((e as VigilError).code).toBe('audit_write_failed');
    const q = await s.db.withTenant(s.a, (tx) =>
      rows(tx, sql`select 1 from queues where name = 'audited-queue'`),
    );
    expect(q).toHaveLength(0);
    expect((await verifyAuditLog(s.db, { all: true })).ok).toBe(true);
  });

  it('filters and pages events', async () => {
    for (let i = 3; i <= 12; i++) await s.log.appendStandalone(s.db, readEvent(s.a, i));
    const page1 = await s.db.withTenant(s.a, (tx) =>
      s.log.listEvents(tx, { action: 'conversation.read', limit: 3 }),
    );
    expect(page1.events.map((e) => e.seq)).toEqual([11, 10, 8]);
    const page2 = await s.db.withTenant(s.a, (tx) =>
      s.log.listEvents(tx, { action: 'conversation.read', limit: 3, cursor: page1.nextCursor! }),
    );
    expect(page2.events.map((e) => e.seq)).toEqual([7, 5, 4]);
    const byRes = await s.db.withTenant(s.a, (tx) =>
      s.log.listEvents(tx, { resourceType: 'customer', resourceId: 'res-6' }),
    );
    expect(byRes.events.map((e) => e.seq)).toEqual([6]);
  });

  it('strips personal data from meta and rejects it in reason', async () => {
    const ev = await s.log.appendStandalone(s.db, {
      ...readEvent(s.a, 1),
      meta: {
        count: 2,
        email: 'someone@example.com',
        phone: '+49 151 2345 6789',
        big: 4915123456789,
        caseId: 'c-12',
      },
    });
    expect(ev.meta).toEqual({ count: 2, caseId: 'c-12', _stripped: 3 });
    const e = await s.log
      .appendStandalone(s.db, { ...readEvent(s.a, 1), reason: 'asked by someone@example.com' })
      .catch((x: unknown) => x);
    expect((e as VigilError).code).toBe('invalid_input');
  });

  it('gives contiguous seqs to concurrent appends', async () => {
    const before = (await s.db.withTenant(s.b, (tx) => s.log.listEvents(tx, { limit: 1 }))).events[0]!.seq;
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.log.appendStandalone(s.db, readEvent(s.b, i))));
    const page = await s.db.withTenant(s.b, (tx) => s.log.listEvents(tx, { limit: 100 }));
    expect(page.events.map((e) => e.seq)).toEqual(
      Array.from({ length: before + 20 }, (_, i) => before + 20 - i),
    );
    expect((await verifyAuditLog(s.db, { tenantId: s.b })).ok).toBe(true);
  });
});
