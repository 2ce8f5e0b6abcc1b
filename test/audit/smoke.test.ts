import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/audit/verify.ts';
import { testDbKind } from '../helpers/db.ts';
import { appendMany, setupAudit } from './helpers.ts';

describe(`audit smoke (${testDbKind})`, () => {
  let s: Awaited<ReturnType<typeof setupAudit>>;
  beforeAll(async () => {
    s = await setupAudit('sm');
  });
  afterAll(() => s.t.drop());

  it('appends and verifies', async () => {
    await appendMany(s.log, s.db, s.a, 10);
    await s.log.createCheckpoint(s.a);
    await appendMany(s.log, s.db, s.a, 3);
    const r = await verifyAuditLog(s.db, { tenantId: s.a });
    expect(r).toMatchObject({ ok: true, events: 13 });
    expect(r.chains[0]!.checkpointsChecked).toBe(1);
  });
});
