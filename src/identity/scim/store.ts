// Data access for SCIM resources, inside a tenant transaction (RLS scopes every row).
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../../platform/db.ts';
import type { GroupAttrs, ScimGroupRow, ScimUserRow, UserAttrs } from './resources.ts';

const USER_COLS = sql.raw(
  'id, user_id, owns_user, external_id, user_name, given_name, family_name, display_name, email, active, version, created_at, updated_at',
);

export const scimStore = {
  userById: async (tx: Tx, id: string) =>
    (await rows<ScimUserRow>(tx, sql`select ${USER_COLS} from scim_users where id = ${id}`))[0],
  userByName: async (tx: Tx, userName: string) =>
    (
      await rows<ScimUserRow>(
        tx,
        sql`select ${USER_COLS} from scim_users where lower(user_name) = lower(${userName})`,
      )
    )[0],
  userByVigilId: async (tx: Tx, userId: string) =>
    (await rows<ScimUserRow>(tx, sql`select ${USER_COLS} from scim_users where user_id = ${userId}`))[0],
  allUsers: (tx: Tx) =>
    rows<ScimUserRow>(tx, sql`select ${USER_COLS} from scim_users order by created_at, id`),

  async insertUser(
    tx: Tx,
    tenantId: string,
    userId: string,
    owns: boolean,
    a: UserAttrs,
  ): Promise<ScimUserRow> {
    const [r] = await rows<ScimUserRow>(
      tx,
      sql`insert into scim_users (tenant_id, user_id, owns_user, external_id, user_name, given_name, family_name, display_name, email, active)
          values (${tenantId}, ${userId}, ${owns}, ${a.externalId}, ${a.userName}, ${a.givenName}, ${a.familyName},
                  ${a.displayName}, ${a.email}, ${a.active})
          returning ${USER_COLS}`,
    );
    return r!;
  },
  async updateUser(tx: Tx, id: string, a: UserAttrs): Promise<ScimUserRow> {
    const [r] = await rows<ScimUserRow>(
      tx,
      sql`update scim_users set external_id = ${a.externalId}, user_name = ${a.userName}, given_name = ${a.givenName},
            family_name = ${a.familyName}, display_name = ${a.displayName}, email = ${a.email}, active = ${a.active},
            version = version + 1, updated_at = now()
          where id = ${id} returning ${USER_COLS}`,
    );
    return r!;
  },
  /** An existing account provisioned here waits for its own acceptance (src/identity/scim/invitations.ts). */
  invite: (tx: Tx, tenantId: string, userId: string, scimUserId: string) =>
    tx.execute(
      sql`insert into membership_invitations (tenant_id, user_id, scim_user_id) values (${tenantId}, ${userId}, ${scimUserId})
          on conflict (tenant_id, user_id) where status = 'pending' do nothing`,
    ),
  /**
   * Not accepted (pending or declined): SCIM does not manage this account's roles in the tenant,
   * neither granting nor revoking, and its deactivation or deletion ends no session.
   */
  async awaitingAcceptance(tx: Tx, tenantId: string, userId: string): Promise<boolean> {
    const [r] = await rows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from membership_invitations
          where tenant_id = ${tenantId} and user_id = ${userId} and scim_user_id is not null and status <> 'accepted'`,
    );
    return (r?.n ?? 0) > 0;
  },
  deleteUser: (tx: Tx, id: string) => tx.execute(sql`delete from scim_users where id = ${id}`),

  groupsOfUser: (tx: Tx, scimUserId: string) =>
    rows<{ id: string; display: string }>(
      tx,
      sql`select g.id, g.display_name as display from scim_group_members m join scim_groups g on g.id = m.group_id
          where m.scim_user_id = ${scimUserId} order by g.display_name`,
    ),

  groupById: async (tx: Tx, id: string) =>
    (
      await rows<ScimGroupRow>(
        tx,
        sql`select id, display_name, external_id, version, created_at, updated_at from scim_groups where id = ${id}`,
      )
    )[0],
  allGroups: (tx: Tx) =>
    rows<ScimGroupRow>(
      tx,
      sql`select id, display_name, external_id, version, created_at, updated_at from scim_groups order by created_at, id`,
    ),
  async insertGroup(tx: Tx, tenantId: string, a: GroupAttrs): Promise<ScimGroupRow> {
    const [r] = await rows<ScimGroupRow>(
      tx,
      sql`insert into scim_groups (tenant_id, display_name, external_id) values (${tenantId}, ${a.displayName}, ${a.externalId})
          returning id, display_name, external_id, version, created_at, updated_at`,
    );
    return r!;
  },
  async updateGroup(tx: Tx, id: string, a: GroupAttrs): Promise<ScimGroupRow> {
    const [r] = await rows<ScimGroupRow>(
      tx,
      sql`update scim_groups set display_name = ${a.displayName}, external_id = ${a.externalId},
            version = version + 1, updated_at = now()
          where id = ${id} returning id, display_name, external_id, version, created_at, updated_at`,
    );
    return r!;
  },
  deleteGroup: (tx: Tx, id: string) => tx.execute(sql`delete from scim_groups where id = ${id}`),
  membersOf: (tx: Tx, groupId: string) =>
    rows<{ id: string; display: string }>(
      tx,
      sql`select u.id, u.user_name as display from scim_group_members m join scim_users u on u.id = m.scim_user_id
          where m.group_id = ${groupId} order by u.user_name`,
    ),
  addMember: (tx: Tx, tenantId: string, groupId: string, scimUserId: string) =>
    tx.execute(
      sql`insert into scim_group_members (tenant_id, group_id, scim_user_id) values (${tenantId}, ${groupId}, ${scimUserId})
          on conflict do nothing`,
    ),
  removeMember: (tx: Tx, groupId: string, scimUserId: string) =>
    tx.execute(
      sql`delete from scim_group_members where group_id = ${groupId} and scim_user_id = ${scimUserId}`,
    ),
};
