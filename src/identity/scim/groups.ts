// SCIM Groups. A group's members gain the role its display name is mapped to (ScimRoleConfig);
// every membership change re-derives the affected users' roles in the same transaction.
import { sql } from 'drizzle-orm';
import type { AuditRecorder } from '../../platform/audit-port.ts';
import type { TenantContext } from '../../platform/context.ts';
import { type Database, pgErrorOf, rows, type Tx } from '../../platform/db.ts';
import { notFound } from '../../platform/errors.ts';
import { scimError } from './errors.ts';
import { applyPatch, type Json, type PatchOp } from './patch.ts';
import { type ListQuery, listResponse } from './query.ts';
import { GROUP_ATTRS, type GroupAttrs, groupAttrsFrom, groupResource } from './resources.ts';
import { desiredRoles, loadRoleConfig, syncMemberships } from './roles.ts';
import { scimStore } from './store.ts';
import { serviceEvent } from './users.ts';

async function uniqueOr409<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (pgErrorOf(e).code === '23505')
      throw scimError('conflict', 'uniqueness', 'a group with this displayName exists');
    throw e;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Re-derives the roles of the given SCIM users (after group membership or mapping changes). */
export async function resyncUsers(
  tx: Tx,
  audit: AuditRecorder,
  ctx: TenantContext,
  scimUserIds: string[],
): Promise<void> {
  const cfg = await loadRoleConfig(tx);
  for (const id of scimUserIds) {
    const u = await scimStore.userById(tx, id);
    if (u) await syncMemberships(tx, audit, ctx, u.user_id, await desiredRoles(tx, cfg, u.id, u.active));
  }
}

export function createScimGroups(deps: { db: Database; audit: AuditRecorder }) {
  const { db, audit } = deps;

  async function setMembers(tx: Tx, ctx: TenantContext, groupId: string, want: string[]): Promise<string[]> {
    for (const id of want)
      if (!UUID.test(id) || !(await scimStore.userById(tx, id)))
        throw scimError('invalid_input', 'invalidValue', 'a member is not a provisioned user');
    const have = (await scimStore.membersOf(tx, groupId)).map((m) => m.id);
    const added = want.filter((id) => !have.includes(id));
    const removed = have.filter((id) => !want.includes(id));
    for (const id of added) await scimStore.addMember(tx, ctx.tenant.id, groupId, id);
    for (const id of removed) await scimStore.removeMember(tx, groupId, id);
    if (added.length || removed.length)
      await audit.inTx(
        tx,
        serviceEvent(ctx, 'scim.group.members', 'scim_group', groupId, {
          added: added.length,
          removed: removed.length,
        }),
      );
    return [...added, ...removed];
  }

  async function render(tx: Tx, id: string, base: string): Promise<Json> {
    const g = await scimStore.groupById(tx, id);
    if (!g) throw notFound('group');
    return groupResource(g, await scimStore.membersOf(tx, id), base);
  }

  async function create(ctx: TenantContext, body: Json, base: string): Promise<Json> {
    const a = groupAttrsFrom(body);
    return uniqueOr409(() =>
      db.withTenant(ctx.tenant.id, async (tx) => {
        const g = await scimStore.insertGroup(tx, ctx.tenant.id, a);
        await audit.inTx(tx, serviceEvent(ctx, 'scim.group.create', 'scim_group', g.id));
        await resyncUsers(tx, audit, ctx, await setMembers(tx, ctx, g.id, a.memberIds));
        return render(tx, g.id, base);
      }),
    );
  }

  const get = (tenantId: string, id: string, base: string) =>
    db.withTenant(tenantId, (tx) => render(tx, id, base));

  async function list(tenantId: string, q: ListQuery, base: string, excludeMembers: boolean): Promise<Json> {
    const all = await db.withTenant(tenantId, async (tx) => {
      const groups = await scimStore.allGroups(tx);
      const members = excludeMembers
        ? []
        : await rows<{ group_id: string; id: string; display: string }>(
            tx,
            sql`select m.group_id, u.id, u.user_name as display from scim_group_members m
                join scim_users u on u.id = m.scim_user_id order by u.user_name`,
          );
      return groups.map((g) => {
        const r = groupResource(
          g,
          members.filter((m) => m.group_id === g.id),
          base,
        );
        if (excludeMembers) delete r.members;
        return r;
      });
    });
    return listResponse(all, q);
  }

  async function replaceWith(ctx: TenantContext, id: string, a: GroupAttrs, base: string): Promise<Json> {
    return uniqueOr409(() =>
      db.withTenant(ctx.tenant.id, async (tx) => {
        const cur = await scimStore.groupById(tx, id);
        if (!cur) throw notFound('group');
        await scimStore.updateGroup(tx, id, a);
        const changed = await setMembers(tx, ctx, id, a.memberIds);
        // A renamed group may map to another role: every member's roles are derived again.
        const affected =
          cur.display_name === a.displayName
            ? changed
            : [...new Set([...changed, ...(await scimStore.membersOf(tx, id)).map((m) => m.id)])];
        await resyncUsers(tx, audit, ctx, affected);
        await audit.inTx(tx, serviceEvent(ctx, 'scim.group.update', 'scim_group', id));
        return render(tx, id, base);
      }),
    );
  }

  async function patch(ctx: TenantContext, id: string, ops: PatchOp[], base: string): Promise<Json> {
    const current = await get(ctx.tenant.id, id, base);
    return replaceWith(ctx, id, groupAttrsFrom(applyPatch(current, ops, GROUP_ATTRS)), base);
  }

  async function remove(ctx: TenantContext, id: string): Promise<void> {
    await db.withTenant(ctx.tenant.id, async (tx) => {
      if (!(await scimStore.groupById(tx, id))) throw notFound('group');
      const members = (await scimStore.membersOf(tx, id)).map((m) => m.id);
      await scimStore.deleteGroup(tx, id);
      await resyncUsers(tx, audit, ctx, members);
      await audit.inTx(tx, serviceEvent(ctx, 'scim.group.delete', 'scim_group', id));
    });
  }

  return {
    create,
    get,
    list,
    replace: (ctx: TenantContext, id: string, body: Json, base: string) =>
      replaceWith(ctx, id, groupAttrsFrom(body), base),
    patch,
    remove,
  };
}

export type ScimGroups = ReturnType<typeof createScimGroups>;
