// Invitations (issue 20, finding 1): a SCIM create for an e-mail whose account already exists
// (in another tenant, on the platform, or here) does not link it. The tenant's SCIM resource is
// created exactly as for a new account, so the answer says nothing about other tenants, and the
// account gets a pending invitation: no role here until the person accepts it while signed in.
// Accounts holding a platform role cannot accept (tenant roles never reach platform accounts).
import { sql } from 'drizzle-orm';
import type { AuditRecorder } from '../../platform/audit-port.ts';
import type { TenantContext } from '../../platform/context.ts';
import { type Database, rows } from '../../platform/db.ts';
import { VigilError } from '../../platform/errors.ts';
import { desiredRoles, loadRoleConfig, syncMemberships } from './roles.ts';
import { scimStore } from './store.ts';

export interface Invitation {
  id: string;
  tenant: { slug: string; name: string };
  createdAt: string;
}

export function createInvitations(deps: {
  db: Database;
  audit: AuditRecorder;
  forgetUser?: (userId: string) => void;
}) {
  const { db, audit } = deps;

  async function mine(userId: string): Promise<Invitation[]> {
    const list = await db.withPlatform((tx) =>
      rows<{ id: string; slug: string; name: string; created_at: Date | string }>(
        tx,
        sql`select i.id, t.slug, t.name, i.created_at from membership_invitations i join tenants t on t.id = i.tenant_id
            where i.user_id = ${userId} and i.status = 'pending' and t.status = 'active' order by i.created_at`,
      ),
    );
    return list.map((i) => ({
      id: i.id,
      tenant: { slug: i.slug, name: i.name },
      createdAt: new Date(i.created_at).toISOString(),
    }));
  }

  async function decide(ctx: TenantlessContext, id: string, accept: boolean): Promise<void> {
    const userId = ctx.actor.id!;
    const [inv] = await db.withPlatform((tx) =>
      rows<{ tenant_id: string; scim_user_id: string | null; platform: number }>(
        tx,
        sql`select i.tenant_id, i.scim_user_id,
                   (select count(*)::int from memberships m where m.user_id = i.user_id and m.tenant_id is null) as platform
            from membership_invitations i where i.id = ${id} and i.user_id = ${userId} and i.status = 'pending'`,
      ),
    );
    if (!inv) throw new VigilError('not_found', 'invitation not found');
    if (accept && inv.platform)
      throw new VigilError(
        'account_outside_tenant',
        'accounts with a platform role get tenant roles from the platform',
      );
    await db.withTenant(inv.tenant_id, async (tx) => {
      await tx.execute(
        sql`update membership_invitations set status = ${accept ? 'accepted' : 'declined'}, decided_at = now()
            where id = ${id} and status = 'pending'`,
      );
      const tctx: TenantContext = { ...ctx, tenant: { id: inv.tenant_id, slug: '', name: '' } };
      await audit.inTx(tx, {
        tenantId: inv.tenant_id,
        actorType: 'user',
        actorId: userId,
        action: accept ? 'membership.invitation_accept' : 'membership.invitation_decline',
        resourceType: 'invitation',
        resourceId: id,
        outcome: 'success',
        ip: ctx.ip,
        uaHash: ctx.uaHash,
        requestId: ctx.requestId,
      });
      const row = accept && inv.scim_user_id ? await scimStore.userById(tx, inv.scim_user_id) : undefined;
      if (row)
        await syncMemberships(
          tx,
          audit,
          tctx,
          userId,
          await desiredRoles(tx, await loadRoleConfig(tx), row.id, row.active),
        );
    });
    deps.forgetUser?.(userId);
  }

  return {
    mine,
    accept: (ctx: TenantlessContext, id: string) => decide(ctx, id, true),
    decline: (ctx: TenantlessContext, id: string) => decide(ctx, id, false),
  };
}

type TenantlessContext = Omit<TenantContext, 'tenant'>;
export type Invitations = ReturnType<typeof createInvitations>;
