// Scheduled retention: each tenant's own retention period (default 365 days), a signed anchor
// and checkpoint per purge so verification still passes, and never past an event a SIEM sink has
// not received (at-least-once across purges).
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAuditRetention } from '../../src/audit/retention-job.ts';
import { tenantSinkId } from '../../src/audit/tenant-sinks.ts';
import { verifyAuditLog } from '../../src/audit/verify.ts';
import { rows } from '../../src/platform/db.ts';
import { testDbKind } from '../helpers/db.ts';
import { appendMany, setupAudit } from './helpers.ts';

const DAY = 86_400_000;

describe(`audit retention job (${testDbKind})`, () => {
  let s: Awaited<ReturnType<typeof setupAudit>>;
  // Events are written from 2026-01-01 on, one second apart.
  const now = new Date(Date.parse('2026-01-01T00:00:00.000Z') + 40 * DAY);
  beforeEach(async () => {
    s = await setupAudit('rj');
    await appendMany(s.log, s.db, s.a, 12);
    await appendMany(s.log, s.db, s.b, 5);
    await s.db.withOwner((tx) =>
      tx.execute(sql`insert into audit_retention_settings (tenant_id, days) values (${s.a}::uuid, 30)`),
    );
  });
  afterEach(() => s.t.drop());

  const cursor = (sinkId: string, chain: string, seq: number) =>
    s.db.withOwner((tx) =>
      tx.execute(sql`insert into audit_sink_cursors (sink_id, chain, last_seq) values (${sinkId}, ${chain}::uuid, ${seq})
        on conflict (sink_id, chain) do update set last_seq = excluded.last_seq`),
    );
  const count = async (tenantId: string) => {
    const [r] = await s.db.withOwner((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from audit_events where tenant_id = ${tenantId}::uuid`,
      ),
    );
    return r!.n;
  };

  it('purges per tenant, held back by the slowest enabled sink, and the log still verifies', async () => {
    const sink = randomUUID();
    await s.db.withOwner((tx) =>
      tx.execute(
        sql`insert into audit_tenant_sinks (id, tenant_id, name, url, secret_enc, format) values (${sink}::uuid, ${s.a}::uuid, 'soc', 'https://siem.example/hook', '\\x00'::bytea, 'ocsf')`,
      ),
    );
    await cursor(tenantSinkId(sink), s.a, 5);
    // A process-wide sink that has seen tenant A up to 9: the tenant sink (5) is the slowest.
    await cursor('webhook', s.a, 9);
    const runs = await runAuditRetention(s.db, s.signer, { now, globalSinkIds: ['webhook'] });
    expect(runs.find((r) => r.tenantId === s.a)).toMatchObject({
      deleted: 5,
      anchorSeq: 5,
      heldBySink: true,
    });
    // Tenant B keeps the default 365 days; the global sink has no cursor for it: nothing goes.
    expect(runs.find((r) => r.tenantId === s.b)).toMatchObject({ deleted: 0 });
    expect(await count(s.a)).toBe(7);
    expect(await count(s.b)).toBe(5);
    expect((await verifyAuditLog(s.db, { all: true })).ok).toBe(true);

    // A disabled sink no longer holds retention back; the global one (at 9) still does.
    await s.db.withOwner((tx) =>
      tx.execute(sql`update audit_tenant_sinks set enabled = false where id = ${sink}::uuid`),
    );
    expect(
      (await runAuditRetention(s.db, s.signer, { now, globalSinkIds: ['webhook'] })).find(
        (r) => r.tenantId === s.a,
      ),
    ).toMatchObject({
      deleted: 4,
      anchorSeq: 9,
    });
    // Without sinks everything older than 30 days goes; the purge wrote signed checkpoints.
    const last = await runAuditRetention(s.db, s.signer, { now });
    expect(last.find((r) => r.tenantId === s.a)).toMatchObject({ anchorSeq: 12, heldBySink: false });
    expect(await count(s.a)).toBe(0);
    const [cp] = await s.db.withOwner((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from audit_checkpoints where tenant_id = ${s.a}::uuid`,
      ),
    );
    expect(cp!.n).toBeGreaterThanOrEqual(3);
    const r = await verifyAuditLog(s.db, { all: true });
    expect(r.ok).toBe(true);
    expect(r.chains.find((c) => c.tenantId === s.a)).toMatchObject({ anchorSeq: 12, events: 0 });
    // New events continue the chain after the purge and verify.
    await appendMany(s.log, s.db, s.a, 3);
    expect((await verifyAuditLog(s.db, { tenantId: s.a })).chains[0]).toMatchObject({ ok: true, events: 3 });
  });

  it('keeps events younger than the retention period', async () => {
    const runs = await runAuditRetention(s.db, s.signer, {
      now: new Date(Date.parse('2026-01-01T00:00:00.000Z') + 10 * DAY),
    });
    expect(runs.every((r) => r.deleted === 0)).toBe(true);
  });
});
