// Independent verification (standalone script), the CLI, DB-served proofs and retention purge.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAuditBundle } from '../../src/audit/bundle.ts';
import { runAuditVerifyCli } from '../../src/audit/cli.ts';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle.ts';
import { verifyAuditLog } from '../../src/audit/verify.ts';
import { testDbKind } from '../helpers/db.ts';
import { appendMany, readEvent, setupAudit } from './helpers.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'vigil-audit-'));

async function runVerifier(bundle: unknown, extra: string[] = []) {
  const file = join(dir, `b-${randomBytes(6).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify(bundle));
  try {
    const r = await run(process.execPath, ['tools/verify-audit-bundle.mjs', file, '--json', ...extra]);
    return { code: 0, report: JSON.parse(r.stdout) };
  } catch (e) {
    const x = e as { code: number; stdout: string };
    return { code: x.code, report: x.stdout ? JSON.parse(x.stdout) : undefined };
  }
}

describe(`audit bundle, cli, proofs and retention (${testDbKind})`, () => {
  let s: Awaited<ReturnType<typeof setupAudit>>;
  beforeAll(async () => {
    s = await setupAudit('bu');
    await appendMany(s.log, s.db, s.a, 10);
    await s.log.createCheckpoint(s.a);
    await appendMany(s.log, s.db, s.a, 10);
    await s.log.createCheckpoints();
  });
  afterAll(() => s.t.drop());

  it('the standalone verifier accepts a good bundle, with the key pinned', async () => {
    const bundle = await exportAuditBundle(s.db, s.a);
    const pem = join(dir, 'key.pem');
    writeFileSync(pem, s.signer.publicKeyPem);
    const r = await runVerifier(bundle, ['--public-key', pem]);
    expect(r).toMatchObject({ code: 0, report: { ok: true, events: 20, checkpoints: 2, treeSize: 20 } });
  });

  it('the standalone verifier reports the first bad seq of a tampered bundle', async () => {
    const b = await exportAuditBundle(s.db, s.a);
    const modified = structuredClone(b);
    modified.events[6]!.action = 'customer.export';
    expect(await runVerifier(modified)).toMatchObject({
      code: 1,
      report: { firstBadSeq: 7, kind: 'modified' },
    });
    const deleted = structuredClone(b);
    deleted.events.splice(3, 1);
    expect(await runVerifier(deleted)).toMatchObject({
      code: 1,
      report: { firstBadSeq: 4, kind: 'missing' },
    });
    const truncated = structuredClone(b);
    truncated.events.length = 15;
    truncated.head = null;
    expect(await runVerifier(truncated)).toMatchObject({
      code: 1,
      report: { firstBadSeq: 16, kind: 'truncated' },
    });
    const swapped = structuredClone(b);
    const e2 = swapped.events[1]!;
    swapped.events[1] = { ...swapped.events[11]!, seq: 2 };
    swapped.events[11] = { ...e2, seq: 12 };
    expect(await runVerifier(swapped)).toMatchObject({
      code: 1,
      report: { firstBadSeq: 2, kind: 'reordered' },
    });
    const forgedKey = structuredClone(b);
    forgedKey.checkpoints[0]!.rootHash = '00'.repeat(32);
    expect(await runVerifier(forgedKey)).toMatchObject({
      code: 1,
      report: { firstBadSeq: 10, kind: 'bad_signature' },
    });
  });

  it('serves inclusion and consistency proofs that verify against the signed roots', async () => {
    const proof = await s.log.inclusionProof(s.a, 7, 20);
    const root = Buffer.from(proof.rootHash, 'hex');
    const cp = await s.db.withTenant(s.a, (tx) => s.log.latestCheckpoint(tx, s.a));
    expect(cp).toMatchObject({ treeSize: 20, rootHash: proof.rootHash });
    const path = proof.path.map((p) => Buffer.from(p, 'hex'));
    expect(verifyInclusion(Buffer.from(proof.leafHash, 'hex'), 6, 20, path, root)).toBe(true);
    const c = await s.log.consistencyProof(s.a, 10, 20);
    expect(
      verifyConsistency(
        10,
        20,
        c.path.map((p) => Buffer.from(p, 'hex')),
        Buffer.from(c.firstRoot, 'hex'),
        root,
      ),
    ).toBe(true);
  });

  it('the CLI exits 0 on an intact log and 1 with the seq when tampered', async () => {
    let out = '';
    const w = { write: (x: string) => (out += x) };
    expect(await runAuditVerifyCli(s.db, ['verify', '--tenant', 'bu-a'], w)).toBe(0);
    expect(out).toMatch(/audit log verified: 20 events/);
    await s.log.appendStandalone(s.db, readEvent(s.b, 1));
    await s.db.withOwner(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger all`);
      await tx.execute(
        sql`update audit_events set meta = '{"count": 99}' where tenant_id = ${s.b} and seq = 1`,
      );
      await tx.execute(sql`alter table audit_events enable trigger all`);
    });
    out = '';
    expect(await runAuditVerifyCli(s.db, ['verify', '--json'], w)).toBe(1);
    const report = JSON.parse(out);
    expect(report.chains.find((c: { tenantId: string }) => c.tenantId === s.b)).toMatchObject({
      firstBadSeq: 1,
      kind: 'modified',
    });
    expect(await runAuditVerifyCli(s.db, ['verify', '--tenant', 'nope-x'], w)).toBe(2);
  });

  it('a retention purge keeps the chain verifiable from a signed anchor', async () => {
    const t11 = Date.parse('2026-01-01T00:00:00.000Z') + 11_000;
    const r = await s.log.purge(s.a, new Date(t11 + 500));
    expect(r.anchorSeq).toBeGreaterThan(5);
    expect(r.deleted).toBe(r.anchorSeq);
    await appendMany(s.log, s.db, s.a, 3);
    await s.log.createCheckpoint(s.a);
    const v = await verifyAuditLog(s.db, { tenantId: s.a });
    expect(v.chains[0]).toMatchObject({ ok: true, anchorSeq: r.anchorSeq, events: 23 - r.anchorSeq });
    const bundle = await exportAuditBundle(s.db, s.a);
    expect(await runVerifier(bundle)).toMatchObject({ code: 0, report: { ok: true, treeSize: 23 } });
    // A deletion past the anchor is still tampering.
    await s.db.withOwner(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger all`);
      await tx.execute(sql`delete from audit_events where tenant_id = ${s.a} and seq = ${r.anchorSeq + 2}`);
    });
    expect((await verifyAuditLog(s.db, { tenantId: s.a })).chains[0]).toMatchObject({
      ok: false,
      firstBadSeq: r.anchorSeq + 2,
      kind: 'missing',
    });
  });
});
