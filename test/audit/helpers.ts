// Shared setup for the audit tests: a migrated test database with two tenants, a fresh Ed25519
// signer and an audit log with a deterministic clock.
import { sql } from 'drizzle-orm';
import { createAuditLog } from '../../src/audit/log.ts';
import { generateAuditSigner } from '../../src/audit/signing.ts';
import type { AuditEventInput } from '../../src/audit/types.ts';
import { rows } from '../../src/platform/db.ts';
import { createTestDatabase } from '../helpers/db.ts';

export async function setupAudit(slugPrefix = 'au') {
  const t = await createTestDatabase();
  const ids = await t.db.withOwner((tx) =>
    rows<{ id: string }>(
      tx,
      sql`insert into tenants (slug, name) values (${`${slugPrefix}-a`}, 'A'), (${`${slugPrefix}-b`}, 'B') returning id`,
    ),
  );
  const signer = generateAuditSigner('test-key-1');
  let now = Date.parse('2026-01-01T00:00:00.000Z');
  const clock = () => {
    now += 1000;
    return new Date(now);
  };
  const log = createAuditLog({ db: t.db, signer, clock });
  return {
    t,
    db: t.db,
    a: ids[0]!.id,
    b: ids[1]!.id,
    signer,
    log,
    setNow: (ms: number) => {
      now = ms;
    },
  };
}

export const readEvent = (tenantId: string | null, i: number): AuditEventInput => ({
  tenantId,
  actorType: 'user',
  actorId: `user-${i % 7}`,
  action: i % 3 === 0 ? 'customer.read' : 'conversation.read',
  resourceType: i % 3 === 0 ? 'customer' : 'conversation',
  resourceId: `res-${i}`,
  outcome: 'success',
  reason: 'support case',
  ip: '192.0.2.10',
  uaHash: 'uahash01',
  requestId: `req-${i}`,
  meta: { count: i },
});

export async function appendMany(
  log: ReturnType<typeof createAuditLog>,
  db: import('../../src/platform/db.ts').Database,
  tenantId: string | null,
  n: number,
) {
  for (let i = 1; i <= n; i++) await log.appendStandalone(db, readEvent(tenantId, i));
}
