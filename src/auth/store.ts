// Data access for identity: users, challenges, sessions, recovery codes. Platform tables, used
// inside transactions opened by the service (as the application role).
import { sql } from 'drizzle-orm';
import type { Role } from '../authz/roles.ts';
import { rows, type Tx } from '../platform/db.ts';

export interface UserRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  status: 'active' | 'suspended' | 'disabled';
  locale: 'en' | 'de' | 'fr';
  totp_secret_sealed: Uint8Array | null;
  totp_last_step: string | number;
  failed_logins: number;
  lockouts: number;
  locked_until: Date | string | null;
  step_up_after: Date | string | null;
  /** 'suspended' also when every tenant membership is suspended and no platform role remains. */
  access_status: UserRow['status'];
}

export interface SessionRow {
  id: string;
  user_id: string;
  kind: string;
  ua_hash: string;
  ip: string | null;
  created_at: Date | string;
  last_seen_at: Date | string;
  mfa_at: Date | string;
  idle_expires_at: Date | string;
  absolute_expires_at: Date | string;
  revoked_at: Date | string | null;
  revoked_reason: string | null;
  user_status: UserRow['status'];
}

export interface MembershipRow {
  tenant_id: string | null;
  slug: string | null;
  name: string | null;
  role: Role;
}

/** A membership that its tenant has suspended (membership_suspensions) gives no role. */
const LIVE_MEMBERSHIP = sql`not exists (select 1 from membership_suspensions ms
  where ms.tenant_id = m.tenant_id and ms.user_id = m.user_id)`;

/**
 * The account's status as sign-in sees it: its own status, or 'suspended' when it has memberships
 * and all of them are suspended (a single-tenant agent suspended by that tenant cannot sign in;
 * an account with another tenant or a platform role can).
 */
const ACCESS_STATUS = sql`case when u.status <> 'active' then u.status
  when exists (select 1 from memberships m where m.user_id = u.id)
   and not exists (select 1 from memberships m where m.user_id = u.id and (m.tenant_id is null or ${LIVE_MEMBERSHIP}))
  then 'suspended' else 'active' end`;

export const asDate = (v: Date | string | null): Date | null =>
  v === null ? null : v instanceof Date ? v : new Date(v);

export const userStore = {
  /** Display names of a tenant's members (the audit log shows actors by name). */
  async tenantMemberNames(tx: Tx, tenantId: string): Promise<Array<{ id: string; display_name: string }>> {
    return rows(
      tx,
      sql`select distinct u.id, u.display_name from users u join memberships m on m.user_id = u.id
          where m.tenant_id = ${tenantId} order by u.display_name`,
    );
  },
  /** The console language the user chose; used at every sign-in. */
  async setLocale(tx: Tx, id: string, locale: UserRow['locale']): Promise<void> {
    await tx.execute(sql`update users set locale = ${locale} where id = ${id}`);
  },
  async byEmail(tx: Tx, email: string): Promise<UserRow | undefined> {
    return (
      await rows<UserRow>(
        tx,
        sql`select u.*, ${ACCESS_STATUS} as access_status from users u where lower(u.email) = lower(${email})`,
      )
    )[0];
  },
  async byId(tx: Tx, id: string): Promise<UserRow | undefined> {
    return (
      await rows<UserRow>(
        tx,
        sql`select u.*, ${ACCESS_STATUS} as access_status from users u where u.id = ${id}`,
      )
    )[0];
  },
  async recordFailure(
    tx: Tx,
    id: string,
    threshold: number,
    baseSeconds: number,
  ): Promise<{ locked: boolean; until: Date | null }> {
    // One statement, so concurrent failures cannot race past the threshold.
    const [r] = await rows<{ failed_logins: number; locked_until: Date | string | null; lockouts: number }>(
      tx,
      sql`update users set
            failed_logins = case when failed_logins + 1 >= ${threshold} then 0 else failed_logins + 1 end,
            lockouts = case when failed_logins + 1 >= ${threshold} then lockouts + 1 else lockouts end,
            locked_until = case when failed_logins + 1 >= ${threshold}
              then now() + make_interval(secs => least(86400, ${baseSeconds} * power(2, lockouts)))
              else locked_until end
          where id = ${id}
          returning failed_logins, locked_until, lockouts`,
    );
    const until = asDate(r?.locked_until ?? null);
    return {
      locked: r !== undefined && r.failed_logins === 0 && until !== null && until > new Date(),
      until,
    };
  },
  async recordSuccess(tx: Tx, id: string): Promise<void> {
    await tx.execute(
      sql`update users set failed_logins = 0, lockouts = 0, locked_until = null, last_login_at = now() where id = ${id}`,
    );
  },
  async memberships(tx: Tx, userId: string): Promise<MembershipRow[]> {
    return rows<MembershipRow>(
      tx,
      sql`select m.tenant_id, t.slug, t.name, m.role from memberships m
          left join tenants t on t.id = m.tenant_id
          where m.user_id = ${userId} and (t.id is null or (t.status = 'active' and ${LIVE_MEMBERSHIP}))
          order by t.slug nulls first, m.role`,
    );
  },
};

export const sessionStore = {
  async byTokenHash(tx: Tx, tokenHash: Buffer): Promise<SessionRow | undefined> {
    return (
      await rows<SessionRow>(
        tx,
        sql`select s.*, ${ACCESS_STATUS} as user_status from sessions s join users u on u.id = s.user_id
            where s.token_hash = ${tokenHash}`,
      )
    )[0];
  },
  async listForUser(tx: Tx, userId: string): Promise<SessionRow[]> {
    return rows<SessionRow>(
      tx,
      sql`select s.*, u.status as user_status from sessions s join users u on u.id = s.user_id
          where s.user_id = ${userId} order by s.created_at desc limit 100`,
    );
  },
  async revoke(
    tx: Tx,
    where: { id?: string; userId?: string; exceptId?: string },
    reason: string,
  ): Promise<string[]> {
    const base = where.id ? sql`id = ${where.id}` : sql`user_id = ${where.userId!}`;
    const cond = where.exceptId ? sql`${base} and id <> ${where.exceptId}` : base;
    const r = await rows<{ id: string }>(
      tx,
      sql`update sessions set revoked_at = now(), revoked_reason = ${reason} where ${cond} and revoked_at is null returning id`,
    );
    return r.map((x) => x.id);
  },
};
