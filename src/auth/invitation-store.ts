// Data access for invitations of new people (table user_invitations, migration 0037) and the
// account rows they create. Platform tables, inside transactions opened by the service; every
// statement names its tenant or the token's hash.
import { sql } from 'drizzle-orm';
import type { Role } from '../authz/index.ts';
import { rows, type Tx } from '../platform/db.ts';

export type InvitationStatus = 'awaiting_approval' | 'sent' | 'accepted' | 'revoked';

export interface InvitationRow {
  id: string;
  tenant_id: string;
  user_id: string;
  role: Role;
  status: InvitationStatus;
  invited_by: string | null;
  approved_by: string | null;
  expires_at: Date | string;
  accepted_at: Date | string | null;
  created_at: Date | string;
  display_name: string;
  email: string;
  locale: 'en' | 'de' | 'fr';
  tenant_name: string;
}

const SELECT = sql`select i.id, i.tenant_id, i.user_id, i.role, i.status, i.invited_by, i.approved_by,
    i.expires_at, i.accepted_at, i.created_at, u.display_name, u.email, u.locale, t.name as tenant_name
  from user_invitations i join users u on u.id = i.user_id join tenants t on t.id = i.tenant_id`;

export const invitationStore = {
  emailTaken: async (tx: Tx, email: string) =>
    (await rows(tx, sql`select 1 from users where lower(email) = lower(${email})`)).length > 0,

  /** The account of an invited person: no usable password until they accept. */
  async createInvitee(
    tx: Tx,
    u: { email: string; displayName: string; locale: string; unusableHash: string },
  ): Promise<string> {
    const [row] = await rows<{ id: string }>(
      tx,
      sql`insert into users (email, display_name, password_hash, locale)
          values (${u.email}, ${u.displayName}, ${u.unusableHash}, ${u.locale}) returning id`,
    );
    return row!.id;
  },

  async insert(
    tx: Tx,
    i: {
      tenantId: string;
      userId: string;
      role: Role;
      tokenHash: string;
      status: InvitationStatus;
      invitedBy: string | null;
      expiresAt: Date;
    },
  ): Promise<string> {
    const [row] = await rows<{ id: string }>(
      tx,
      sql`insert into user_invitations (tenant_id, user_id, role, token_hash, status, invited_by, expires_at)
          values (${i.tenantId}, ${i.userId}, ${i.role}, ${i.tokenHash}, ${i.status}, ${i.invitedBy}, ${i.expiresAt})
          returning id`,
    );
    return row!.id;
  },

  list: (tx: Tx, tenantId: string) =>
    rows<InvitationRow>(
      tx,
      sql`${SELECT} where i.tenant_id = ${tenantId} order by i.created_at desc limit 200`,
    ),

  byId: async (tx: Tx, tenantId: string, id: string, lock = false) =>
    (
      await rows<InvitationRow>(
        tx,
        sql`${SELECT} where i.tenant_id = ${tenantId} and i.id = ${id}${lock ? sql` for update of i` : sql``}`,
      )
    )[0],

  /** An open invitation by its token's hash (sent, not expired), locked for the acceptance. */
  byToken: async (tx: Tx, tokenHash: string, lock = false) =>
    (
      await rows<InvitationRow>(
        tx,
        sql`${SELECT} where i.token_hash = ${tokenHash} and i.status = 'sent' and i.expires_at > now()${
          lock ? sql` for update of i` : sql``
        }`,
      )
    )[0],

  /** A fresh token (approval sends the mail; the old hash, never mailed, is replaced). */
  setStatus: (
    tx: Tx,
    id: string,
    status: InvitationStatus,
    extra: { approvedBy?: string; tokenHash?: string } = {},
  ) =>
    tx.execute(
      sql`update user_invitations set status = ${status},
            approved_by = coalesce(${extra.approvedBy ?? null}::uuid, approved_by),
            token_hash = coalesce(${extra.tokenHash ?? null}, token_hash),
            accepted_at = case when ${status} = 'accepted' then now() else accepted_at end
          where id = ${id}`,
    ),

  async accept(tx: Tx, i: InvitationRow, passwordHash: string): Promise<void> {
    await tx.execute(sql`update users set password_hash = ${passwordHash} where id = ${i.user_id}`);
    await tx.execute(
      sql`insert into memberships (user_id, tenant_id, role) values (${i.user_id}, ${i.tenant_id}, ${i.role})
          on conflict do nothing`,
    );
  },
};
