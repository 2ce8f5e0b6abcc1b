// Role grants inside a tenant (issue 20, finding 2). Nobody grants a role to themselves; a role
// that reads personal data (DATA_READING_ROLES) is first a pending request that another tenant
// admin, neither the grantor nor the grantee, approves or rejects; only then is it a membership.
// Tenant roles act on members of the tenant only (404 otherwise) and never give roles to an
// account holding a platform role (finding 1): those get tenant roles from the platform alone.
import { sql } from 'drizzle-orm';
import { DATA_READING_ROLES, type Role } from '../authz/roles.ts';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';

export type GrantOutcome = { status: 'granted' } | { status: 'pending'; requestId: string };

export interface RoleRequest {
  id: string;
  userId: string;
  role: string;
  requestedBy: string | null;
  createdAt: string;
}

export function createRoleGrants(deps: {
  db: Database;
  audit: AuditRecorder;
  /** A user's roles changed: cached sessions must not keep the old ones. */
  onAccessChanged?: (userId: string) => void;
}) {
  const { db, audit } = deps;

  /** The target must be a member here; a platform account is out of a tenant's reach. */
  async function assertGrantable(tx: Tx, tenantId: string, userId: string): Promise<void> {
    const [t] = await rows<{ here: number; platform: number }>(
      tx,
      sql`select count(*) filter (where tenant_id = ${tenantId})::int as here,
                 count(*) filter (where tenant_id is null)::int as platform
          from memberships where user_id = ${userId}`,
    );
    if (!t?.here) throw new VigilError('not_found', 'user not found');
    if (t.platform)
      throw new VigilError(
        'account_outside_tenant',
        'accounts with a platform role get tenant roles from the platform',
      );
  }

  async function insertMembership(tx: Tx, tenantId: string, userId: string, role: Role): Promise<void> {
    await tx.execute(
      sql`insert into memberships (user_id, tenant_id, role) values (${userId}, ${tenantId}, ${role}) on conflict do nothing`,
    );
  }

  async function request(ctx: TenantContext, userId: string, role: Role): Promise<GrantOutcome> {
    const tenantId = ctx.tenant.id;
    if (userId === ctx.actor.id) {
      await audit.standalone({
        ...userAction(ctx, 'membership.grant', 'user', userId, { role, self: true }),
        outcome: 'denied',
      });
      throw new VigilError('self_grant_forbidden', 'nobody grants a role to themselves');
    }
    const out = await db.withTenant(tenantId, async (tx): Promise<GrantOutcome> => {
      await assertGrantable(tx, tenantId, userId);
      const [held] = await rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from memberships where user_id = ${userId} and tenant_id = ${tenantId} and role = ${role}`,
      );
      if (held?.n) return { status: 'granted' };
      if (!DATA_READING_ROLES.includes(role)) {
        await insertMembership(tx, tenantId, userId, role);
        await audit.inTx(tx, userAction(ctx, 'membership.grant', 'user', userId, { role, self: false }));
        return { status: 'granted' };
      }
      const [created] = await rows<{ id: string }>(
        tx,
        sql`insert into role_grant_requests (tenant_id, user_id, role, requested_by)
            values (${tenantId}, ${userId}, ${role}, ${ctx.actor.id})
            on conflict (tenant_id, user_id, role) where status = 'pending' do nothing returning id`,
      );
      if (!created) {
        const [open] = await rows<{ id: string }>(
          tx,
          sql`select id from role_grant_requests where tenant_id = ${tenantId} and user_id = ${userId}
              and role = ${role} and status = 'pending'`,
        );
        return { status: 'pending', requestId: open!.id };
      }
      await audit.inTx(
        tx,
        userAction(ctx, 'membership.grant_requested', 'role_grant_request', created.id, {
          role,
          subjectUser: userId,
        }),
      );
      return { status: 'pending', requestId: created.id };
    });
    if (out.status === 'granted') deps.onAccessChanged?.(userId);
    return out;
  }

  async function decide(ctx: TenantContext, requestId: string, approve: boolean): Promise<void> {
    const tenantId = ctx.tenant.id;
    const grantee = await db.withTenant(tenantId, async (tx) => {
      const [r] = await rows<{ user_id: string; role: Role; requested_by: string | null }>(
        tx,
        sql`select user_id, role, requested_by from role_grant_requests
            where id = ${requestId} and tenant_id = ${tenantId} and status = 'pending' for update`,
      );
      if (!r) throw new VigilError('not_found', 'role request not found');
      if (r.user_id === ctx.actor.id || r.requested_by === ctx.actor.id)
        throw new VigilError(
          'four_eyes_required',
          'another tenant admin than the grantor and the grantee decides',
        );
      if (approve) await assertGrantable(tx, tenantId, r.user_id);
      await tx.execute(
        sql`update role_grant_requests set status = ${approve ? 'approved' : 'rejected'},
              decided_by = ${ctx.actor.id}, decided_at = now() where id = ${requestId}`,
      );
      const meta = { role: r.role, subjectUser: r.user_id, requestedBy: r.requested_by };
      const action = approve ? 'membership.grant_approved' : 'membership.grant_rejected';
      await audit.inTx(tx, userAction(ctx, action, 'role_grant_request', requestId, meta));
      if (!approve) return null;
      await insertMembership(tx, tenantId, r.user_id, r.role);
      await audit.inTx(
        tx,
        userAction(ctx, 'membership.grant', 'user', r.user_id, { role: r.role, self: false, requestId }),
      );
      return r.user_id;
    });
    if (grantee) deps.onAccessChanged?.(grantee);
  }

  async function listPending(tenantId: string): Promise<RoleRequest[]> {
    const list = await db.withTenant(tenantId, (tx) =>
      rows<{
        id: string;
        user_id: string;
        role: string;
        requested_by: string | null;
        created_at: Date | string;
      }>(
        tx,
        sql`select id, user_id, role, requested_by, created_at from role_grant_requests
            where tenant_id = ${tenantId} and status = 'pending' order by created_at limit 500`,
      ),
    );
    return list.map((r) => ({
      id: r.id,
      userId: r.user_id,
      role: r.role,
      requestedBy: r.requested_by,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  /**
   * Removes one role. The admin memberships are locked first: two admins removing each other at
   * once cannot both see "one left" and leave the tenant without an administrator.
   */
  async function revoke(ctx: TenantContext, userId: string, role: Role): Promise<void> {
    const tenantId = ctx.tenant.id;
    await db.withTenant(tenantId, async (tx) => {
      const admins =
        role === 'tenant_admin'
          ? await rows<{ user_id: string }>(
              tx,
              sql`select user_id from memberships where tenant_id = ${tenantId} and role = 'tenant_admin' for update`,
            )
          : [];
      const r = await rows<{ id: string }>(
        tx,
        sql`delete from memberships where user_id = ${userId} and tenant_id = ${tenantId} and role = ${role} returning id`,
      );
      if (!r.length) throw new VigilError('not_found', 'membership not found');
      if (role === 'tenant_admin' && admins.filter((a) => a.user_id !== userId).length === 0)
        throw new VigilError('last_admin', 'the tenant would have no administrator left');
      await audit.inTx(tx, userAction(ctx, 'membership.revoke', 'user', userId, { role }));
    });
    deps.onAccessChanged?.(userId);
  }

  return {
    request,
    revoke,
    approve: (ctx: TenantContext, id: string) => decide(ctx, id, true),
    reject: (ctx: TenantContext, id: string) => decide(ctx, id, false),
    listPending,
    assertGrantable,
  };
}

export type RoleGrants = ReturnType<typeof createRoleGrants>;
