// A tenant's audit retention (days; default 365): the one place that reads and writes
// `audit_retention_settings` for an admin. The purge job reads it with the heads in one query.
import { sql } from 'drizzle-orm';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows } from '../platform/db.ts';
import { DEFAULT_RETENTION_DAYS } from './retention-job.ts';

export interface RetentionView {
  days: number;
  isDefault: boolean;
}

export function createRetentionSettings(deps: { db: Database; audit: AuditRecorder }) {
  const { db, audit } = deps;
  const read = (tenantId: string): Promise<RetentionView> =>
    db.withTenant(tenantId, async (tx) => {
      const [r] = await rows<{ days: number }>(
        tx,
        sql`select days from audit_retention_settings where tenant_id = ${tenantId}::uuid`,
      );
      return { days: r?.days ?? DEFAULT_RETENTION_DAYS, isDefault: !r };
    });
  return {
    read: (ctx: TenantContext) => read(ctx.tenant.id),
    async update(ctx: TenantContext, days: number): Promise<RetentionView> {
      await db.withTenant(ctx.tenant.id, async (tx) => {
        await tx.execute(sql`insert into audit_retention_settings (tenant_id, days) values (${ctx.tenant.id}::uuid, ${days})
          on conflict (tenant_id) do update set days = excluded.days, updated_at = now()`);
        await audit.inTx(tx, userAction(ctx, 'audit_retention.update', 'tenant', ctx.tenant.id, { days }));
      });
      return read(ctx.tenant.id);
    },
  };
}
export type RetentionSettings = ReturnType<typeof createRetentionSettings>;
