// Tenant memberships of provisioned users follow the IdP: a default role for every active user plus
// the roles mapped from the groups they belong to. Inactive users hold no role in the tenant.
import { sql } from 'drizzle-orm';
import { isRole, type Role } from '../../authz/roles.ts';
import type { AuditRecorder } from '../../platform/audit-port.ts';
import type { TenantContext } from '../../platform/context.ts';
import { rows, type Tx } from '../../platform/db.ts';
import { scimStore } from './store.ts';

export interface ScimRoleConfig {
  defaultRole: Exclude<Role, 'platform_admin'> | null;
  groupRoles: Array<{ group: string; role: Exclude<Role, 'platform_admin'> }>;
}

export const DEFAULT_SCIM_CONFIG: ScimRoleConfig = { defaultRole: 'agent', groupRoles: [] };

export async function loadRoleConfig(tx: Tx): Promise<ScimRoleConfig> {
  const [c] = await rows<{ default_role: string | null; group_roles: ScimRoleConfig['groupRoles'] | string }>(
    tx,
    sql`select default_role, group_roles from scim_config`,
  );
  if (!c) return DEFAULT_SCIM_CONFIG;
  const groupRoles = typeof c.group_roles === 'string' ? JSON.parse(c.group_roles) : c.group_roles;
  return { defaultRole: c.default_role as ScimRoleConfig['defaultRole'], groupRoles };
}

export async function desiredRoles(
  tx: Tx,
  cfg: ScimRoleConfig,
  scimUserId: string,
  active: boolean,
): Promise<Role[]> {
  if (!active) return [];
  const groups = await rows<{ name: string }>(
    tx,
    sql`select lower(g.display_name) as name from scim_group_members m join scim_groups g on g.id = m.group_id
        where m.scim_user_id = ${scimUserId}`,
  );
  const names = new Set(groups.map((g) => g.name));
  const out = new Set<Role>(cfg.defaultRole ? [cfg.defaultRole] : []);
  for (const m of cfg.groupRoles) if (names.has(m.group.toLowerCase())) out.add(m.role);
  return [...out];
}

/** Brings the user's memberships in this tenant to `want`; grants and revocations are audited. */
export async function syncMemberships(
  tx: Tx,
  audit: AuditRecorder,
  ctx: TenantContext,
  userId: string,
  want: Role[],
  /** Collects users whose roles changed, so their cached sessions are dropped after commit. */
  changed?: Set<string>,
): Promise<{ granted: Role[]; revoked: Role[] }> {
  const tenantId = ctx.tenant.id;
  // An existing account invited by SCIM: untouched until the person accepts (issue 20).
  if (await scimStore.awaitingAcceptance(tx, tenantId, userId)) return { granted: [], revoked: [] };
  const have = (
    await rows<{ role: string }>(
      tx,
      sql`select role from memberships where user_id = ${userId} and tenant_id = ${tenantId}`,
    )
  )
    .map((r) => r.role)
    .filter(isRole);
  const granted = want.filter((r) => !have.includes(r));
  const revoked = have.filter((r) => !want.includes(r));
  if (granted.length || revoked.length) changed?.add(userId);
  for (const role of granted)
    await tx.execute(
      sql`insert into memberships (user_id, tenant_id, role) values (${userId}, ${tenantId}, ${role}) on conflict do nothing`,
    );
  for (const role of revoked)
    await tx.execute(
      sql`delete from memberships where user_id = ${userId} and tenant_id = ${tenantId} and role = ${role}`,
    );
  for (const [action, list] of [
    ['membership.grant', granted],
    ['membership.revoke', revoked],
  ] as const)
    for (const role of list)
      await audit.inTx(tx, {
        tenantId,
        actorType: ctx.actor.type === 'user' ? 'user' : 'service',
        actorId: ctx.actor.id,
        action,
        resourceType: 'user',
        resourceId: userId,
        outcome: 'success',
        ip: ctx.ip,
        requestId: ctx.requestId,
        meta: { role, via: 'scim' },
      });
  return { granted, revoked };
}
