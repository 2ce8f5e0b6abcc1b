// Suspension by a tenant (issue 20, finding 1): a tenant suspends its own membership of an account,
// never the account. The account's other tenants and any platform role are unaffected. Only when
// no access is left (every membership suspended, no platform role) do its sessions end as well,
// so sockets and the cockpit extension close at once, as they do for an account suspension.
import { sql } from 'drizzle-orm';
import type { AuditRecorder } from '../platform/audit-port.ts';
import { type Database, rows } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import type { AuthService, ClientInfo } from './service.ts';
import { userStore } from './store.ts';

export type SuspensionActor = ClientInfo & { userId: string | null };

export function createMembershipSuspension(deps: {
  db: Database;
  audit: AuditRecorder;
  auth: Pick<AuthService, 'revokeSessions' | 'forgetUser'>;
}) {
  const { db, audit, auth } = deps;

  async function set(
    tenantId: string,
    userId: string,
    suspended: boolean,
    reason: string,
    actor: SuspensionActor,
  ): Promise<void> {
    const accessLeft = await db.withTenant(tenantId, async (tx) => {
      const member = await rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from memberships where tenant_id = ${tenantId} and user_id = ${userId}`,
      );
      if (!member[0]?.n) throw new VigilError('not_found', 'user not found');
      if (suspended)
        await tx.execute(
          sql`insert into membership_suspensions (tenant_id, user_id, reason, suspended_by)
              values (${tenantId}, ${userId}, ${reason}, ${actor.userId})
              on conflict (tenant_id, user_id) do update set reason = excluded.reason`,
        );
      else
        await tx.execute(
          sql`delete from membership_suspensions where tenant_id = ${tenantId} and user_id = ${userId}`,
        );
      await audit.inTx(tx, {
        tenantId,
        actorType: actor.userId ? 'user' : 'system',
        actorId: actor.userId,
        action: suspended ? 'membership.suspend' : 'membership.unsuspend',
        resourceType: 'user',
        resourceId: userId,
        outcome: 'success',
        ...(actor.ip ? { ip: actor.ip } : {}),
        ...(actor.uaHash ? { uaHash: actor.uaHash } : {}),
        ...(actor.requestId ? { requestId: actor.requestId } : {}),
      });
      return (await userStore.byId(tx, userId))?.access_status === 'active';
    });
    auth.forgetUser(userId);
    if (suspended && !accessLeft) await auth.revokeSessions({ userId }, 'suspended', actor);
  }

  /** Whether the account belongs to this tenant alone: no other tenant, no platform role. */
  async function exclusiveTo(tenantId: string, userId: string): Promise<boolean> {
    const [r] = await db.withPlatform((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from memberships
            where user_id = ${userId} and (tenant_id is null or tenant_id <> ${tenantId})`,
      ),
    );
    return r?.n === 0;
  }

  return {
    suspend: (tenantId: string, userId: string, reason: string, actor: SuspensionActor) =>
      set(tenantId, userId, true, reason, actor),
    unsuspend: (tenantId: string, userId: string, reason: string, actor: SuspensionActor) =>
      set(tenantId, userId, false, reason, actor),
    exclusiveTo,
  };
}

export type MembershipSuspension = ReturnType<typeof createMembershipSuspension>;
