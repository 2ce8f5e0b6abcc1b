// SCIM Users: create, read, list, replace, patch, delete. A user that becomes inactive or is
// deleted loses its roles in the tenant in the same transaction, and then every session at once.
import { sql } from 'drizzle-orm';
import { checkPasswordPolicy, hashPassword } from '../../auth/passwords.ts';
import { randomToken } from '../../auth/tokens.ts';
import type { AuditRecorder } from '../../platform/audit-port.ts';
import type { TenantContext } from '../../platform/context.ts';
import { type Database, pgErrorOf, rows, type Tx } from '../../platform/db.ts';
import { notFound, VigilError } from '../../platform/errors.ts';
import { scimError } from './errors.ts';
import { applyPatch, type Json, type PatchOp } from './patch.ts';
import { type ListQuery, listResponse } from './query.ts';
import { type ScimUserRow, USER_ATTRS, type UserAttrs, userAttrsFrom, userResource } from './resources.ts';
import { desiredRoles, loadRoleConfig, syncMemberships } from './roles.ts';
import { scimStore } from './store.ts';

export interface ScimUserDeps {
  db: Database;
  audit: AuditRecorder;
  /** Revokes every session of a user (src/auth/service.ts revokeSessions). */
  revokeAllSessions(userId: string, reason: string, ctx: TenantContext): Promise<string[]>;
  /** Drops a user's cached sessions on this node once their roles changed (auth.forgetUser). */
  forgetUser?: (userId: string) => void;
}

export const serviceEvent = (
  ctx: TenantContext,
  action: string,
  resourceType: string,
  resourceId: string,
  meta?: Record<string, string | number | boolean | null>,
) => ({
  tenantId: ctx.tenant.id,
  actorType: 'service' as const,
  actorId: ctx.actor.id,
  action,
  resourceType,
  resourceId,
  outcome: 'success' as const,
  ip: ctx.ip,
  requestId: ctx.requestId,
  ...(meta ? { meta } : {}),
});

const displayNameOf = (a: UserAttrs) =>
  a.displayName ?? ([a.givenName, a.familyName].filter(Boolean).join(' ') || a.userName);

async function uniqueOr409<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (pgErrorOf(e).code === '23505')
      throw scimError('conflict', 'uniqueness', 'a user with this userName or e-mail exists');
    throw e;
  }
}

async function passwordHash(a: UserAttrs): Promise<string> {
  if (a.password) {
    const problem = checkPasswordPolicy(a.password, [a.userName, a.email ?? '']);
    if (problem) throw new VigilError('weak_password', `the password is not acceptable: ${problem}`);
  }
  // Without a password the account signs in through SSO only: a hash of a discarded random value.
  return hashPassword(a.password ?? randomToken(32));
}

export function createScimUsers(deps: ScimUserDeps) {
  const { db, audit } = deps;

  async function render(tx: Tx, row: ScimUserRow, base: string): Promise<Json> {
    return userResource(row, await scimStore.groupsOfUser(tx, row.id), base);
  }

  async function remainingMemberships(tx: Tx, userId: string): Promise<number> {
    const [r] = await rows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from memberships where user_id = ${userId}`,
    );
    return r?.n ?? 0;
  }

  /** After a deactivation or delete: who loses sessions. The owning tenant's IdP speaks for the account. */
  async function cutOff(tx: Tx, tenantId: string, row: ScimUserRow): Promise<boolean> {
    if (row.owns_user) {
      // The owning IdP speaks for its account, but never for a platform role's account.
      await tx.execute(
        sql`update users set status = 'disabled' where id = ${row.user_id}
            and not exists (select 1 from memberships m where m.user_id = ${row.user_id} and m.tenant_id is null)`,
      );
      // Device keys go too: a returning account registers its devices again.
      await tx.execute(
        sql`update user_devices set revoked_at = now() where user_id = ${row.user_id} and revoked_at is null`,
      );
      return true;
    }
    if (await scimStore.awaitingAcceptance(tx, tenantId, row.user_id)) return false;
    return (await remainingMemberships(tx, row.user_id)) === 0;
  }

  async function create(ctx: TenantContext, body: Json, base: string): Promise<Json> {
    const a = userAttrsFrom(body);
    if (!a.email)
      throw scimError('invalid_input', 'invalidValue', 'an e-mail address (userName or emails) is required');
    const hash = await passwordHash(a);
    const out = await uniqueOr409(() =>
      db.withTenant(ctx.tenant.id, async (tx) => {
        if (await scimStore.userByName(tx, a.userName))
          throw scimError('conflict', 'uniqueness', 'a user with this userName exists');
        const [existing] = await rows<{ id: string }>(
          tx,
          sql`select id from users where lower(email) = lower(${a.email})`,
        );
        let userId = existing?.id;
        if (userId && (await scimStore.userByVigilId(tx, userId)))
          throw scimError('conflict', 'uniqueness', 'this account is already provisioned');
        if (!userId) {
          const [u] = await rows<{ id: string }>(
            tx,
            sql`insert into users (email, display_name, password_hash, status)
                values (${a.email}, ${displayNameOf(a)}, ${hash}, ${a.active ? 'active' : 'disabled'}) returning id`,
          );
          userId = u!.id;
        }
        const row = await scimStore.insertUser(tx, ctx.tenant.id, userId, !existing, a);
        // An account that exists already is not linked: it is invited, and the answer is the
        // same as for a new account (src/identity/scim/invitations.ts).
        if (existing) await scimStore.invite(tx, ctx.tenant.id, userId, row.id);
        const cfg = await loadRoleConfig(tx);
        await syncMemberships(tx, audit, ctx, userId, await desiredRoles(tx, cfg, row.id, row.active));
        await audit.inTx(
          tx,
          serviceEvent(ctx, 'scim.user.create', 'user', userId, { scimId: row.id, invited: !!existing }),
        );
        return render(tx, row, base);
      }),
    );
    return out;
  }

  async function get(tenantId: string, id: string, base: string): Promise<Json> {
    return db.withTenant(tenantId, async (tx) => {
      const row = await scimStore.userById(tx, id);
      if (!row) throw notFound('user');
      return render(tx, row, base);
    });
  }

  async function list(tenantId: string, q: ListQuery, base: string): Promise<Json> {
    const all = await db.withTenant(tenantId, async (tx) => {
      const users = await scimStore.allUsers(tx);
      const groups = await rows<{ scim_user_id: string; id: string; display: string }>(
        tx,
        sql`select m.scim_user_id, g.id, g.display_name as display from scim_group_members m
            join scim_groups g on g.id = m.group_id order by g.display_name`,
      );
      return users.map((u) =>
        userResource(
          u,
          groups.filter((g) => g.scim_user_id === u.id),
          base,
        ),
      );
    });
    return listResponse(all, q);
  }

  /** PUT and PATCH end here: the full new attribute set of one user. */
  async function replace(ctx: TenantContext, id: string, a: UserAttrs, base: string): Promise<Json> {
    const hash = a.password ? await passwordHash(a) : null;
    const out = await uniqueOr409(() =>
      db.withTenant(ctx.tenant.id, async (tx) => {
        const cur = await scimStore.userById(tx, id);
        if (!cur) throw notFound('user');
        const row = await scimStore.updateUser(tx, id, a);
        if (cur.owns_user)
          await tx.execute(
            sql`update users set email = ${a.email ?? sql`email`}, display_name = ${displayNameOf(a)}
                ${hash ? sql`, password_hash = ${hash}` : sql``} where id = ${cur.user_id}`,
          );
        const cfg = await loadRoleConfig(tx);
        await syncMemberships(tx, audit, ctx, cur.user_id, await desiredRoles(tx, cfg, row.id, row.active));
        let revoke = false;
        let action = 'scim.user.update';
        if (cur.active && !row.active) {
          action = 'scim.user.deactivate';
          revoke = await cutOff(tx, ctx.tenant.id, row);
        } else if (!cur.active && row.active) {
          action = 'scim.user.reactivate';
          if (cur.owns_user)
            await tx.execute(
              sql`update users set status = 'active' where id = ${cur.user_id} and status = 'disabled'`,
            );
        }
        await audit.inTx(
          tx,
          serviceEvent(ctx, action, 'user', cur.user_id, { scimId: id, passwordSet: hash !== null }),
        );
        return { resource: await render(tx, row, base), revoke, userId: cur.user_id };
      }),
    );
    deps.forgetUser?.(out.userId);
    if (out.revoke) await deps.revokeAllSessions(out.userId, 'scim_deactivated', ctx);
    return out.resource;
  }

  async function patch(ctx: TenantContext, id: string, ops: PatchOp[], base: string): Promise<Json> {
    const current = await get(ctx.tenant.id, id, base);
    const next = applyPatch(current, ops, USER_ATTRS);
    return replace(ctx, id, userAttrsFrom(next), base);
  }

  async function remove(ctx: TenantContext, id: string): Promise<void> {
    const out = await db.withTenant(ctx.tenant.id, async (tx) => {
      const row = await scimStore.userById(tx, id);
      if (!row) throw notFound('user');
      await syncMemberships(tx, audit, ctx, row.user_id, []);
      // Before the delete: it takes a pending invitation with it.
      const revoke = await cutOff(tx, ctx.tenant.id, row);
      await scimStore.deleteUser(tx, id);
      // The account's e-mail is released: nothing personal stays on a deleted, owned account.
      if (row.owns_user)
        await tx.execute(
          sql`update users set email = ${`deleted-${row.user_id}@invalid.vigil`}, display_name = 'deleted user'
              where id = ${row.user_id}`,
        );
      await audit.inTx(tx, serviceEvent(ctx, 'scim.user.delete', 'user', row.user_id, { scimId: id }));
      return { revoke, userId: row.user_id };
    });
    deps.forgetUser?.(out.userId);
    if (out.revoke) await deps.revokeAllSessions(out.userId, 'scim_deleted', ctx);
  }

  return {
    create,
    get,
    list,
    replace: (ctx: TenantContext, id: string, body: Json, base: string) =>
      replace(ctx, id, userAttrsFrom(body), base),
    patch,
    remove,
  };
}

export type ScimUsers = ReturnType<typeof createScimUsers>;
