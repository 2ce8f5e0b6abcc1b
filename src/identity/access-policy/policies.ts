// Network and device policy per tenant and role ('*' applies to every role of the tenant).
import { sql } from 'drizzle-orm';
import { TENANT_ROLES } from '../../authz/index.ts';
import { pgTextArray } from '../../ingest/text.ts';
import { type AuditRecorder, userAction } from '../../platform/audit-port.ts';
import type { TenantContext } from '../../platform/context.ts';
import { type Database, rows, type Tx } from '../../platform/db.ts';
import { notFound, VigilError } from '../../platform/errors.ts';
import { ipAllowed, normalizeCidr } from './network.ts';

export const POLICY_ROLES = ['*', ...TENANT_ROLES] as const;
export type PolicyRole = (typeof POLICY_ROLES)[number];

export interface AccessPolicy {
  role: PolicyRole;
  /** null: any network; otherwise the CIDR ranges requests must come from. */
  ipAllow: string[] | null;
  deviceApproval: boolean;
}

interface PolicyRow {
  role: PolicyRole;
  ip_allow: string[] | null;
  device_approval: boolean;
}
const toPolicy = (r: PolicyRow): AccessPolicy => ({
  role: r.role,
  ipAllow: r.ip_allow,
  deviceApproval: r.device_approval,
});

/** Every policy of the tenant of the transaction. */
export const allPolicies = async (tx: Tx): Promise<AccessPolicy[]> =>
  (
    await rows<PolicyRow>(tx, sql`select role, ip_allow, device_approval from access_policies order by role`)
  ).map(toPolicy);

export function createPolicyService(deps: {
  db: Database;
  audit: AuditRecorder;
  /** Called after a change commits (the gate's cache). */
  onChange?: (tenantId: string) => void;
}) {
  const { db, audit } = deps;
  return {
    list: (tenantId: string): Promise<AccessPolicy[]> => db.withTenant(tenantId, allPolicies),

    async set(
      ctx: TenantContext,
      role: PolicyRole,
      p: { ipAllow: string[] | null; deviceApproval: boolean },
    ): Promise<AccessPolicy> {
      const ipAllow = p.ipAllow === null ? null : [...new Set(p.ipAllow.map(normalizeCidr))];
      // An admin does not lock themselves out: a list that covers one of their own roles must
      // include the address they are saving it from.
      if (ipAllow && (role === '*' || (ctx.roles as string[]).includes(role)) && !ipAllowed(ctx.ip, ipAllow))
        throw new VigilError('conflict', 'this network policy would refuse your own current address');
      const out = await db.withTenant(ctx.tenant.id, async (tx) => {
        const [r] = await rows<PolicyRow>(
          tx,
          sql`insert into access_policies (tenant_id, role, ip_allow, device_approval, updated_by)
              values (${ctx.tenant.id}, ${role}, ${ipAllow === null ? null : sql`${pgTextArray(ipAllow)}::text[]`},
                      ${p.deviceApproval}, ${ctx.actor.id})
              on conflict (tenant_id, role) do update set ip_allow = excluded.ip_allow,
                device_approval = excluded.device_approval, updated_by = excluded.updated_by, updated_at = now()
              returning role, ip_allow, device_approval`,
        );
        await audit.inTx(
          tx,
          userAction(ctx, 'access_policy.update', 'access_policy', null, {
            role,
            ranges: ipAllow?.length ?? null,
            deviceApproval: p.deviceApproval,
          }),
        );
        return toPolicy(r!);
      });
      deps.onChange?.(ctx.tenant.id);
      return out;
    },

    async remove(ctx: TenantContext, role: PolicyRole): Promise<void> {
      await db.withTenant(ctx.tenant.id, async (tx) => {
        const r = await rows<{ role: string }>(
          tx,
          sql`delete from access_policies where role = ${role} returning role`,
        );
        if (!r.length) throw notFound('policy');
        await audit.inTx(tx, userAction(ctx, 'access_policy.delete', 'access_policy', null, { role }));
      });
      deps.onChange?.(ctx.tenant.id);
    },
  };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
