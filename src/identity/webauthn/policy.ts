// "Phishing-resistant factor required": per tenant, for one role or all of a tenant's roles.
// A user is under the policy when any of their memberships matches a policy row; such users
// complete sign-in and step-up only with a passkey (or an IdP asserting a phishing-resistant
// method), never with TOTP or a recovery code.
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../../platform/db.ts';

export const phishingResistantPolicy = {
  async requiredFor(tx: Tx, userId: string): Promise<boolean> {
    const r = await rows(
      tx,
      sql`select 1 from memberships m
          join phishing_resistant_policies p on p.tenant_id = m.tenant_id and (p.role is null or p.role = m.role)
          where m.user_id = ${userId} limit 1`,
    );
    return r.length > 0;
  },
  async rolesFor(tx: Tx, tenantId: string): Promise<Array<string | null>> {
    const r = await rows<{ role: string | null }>(
      tx,
      sql`select role from phishing_resistant_policies where tenant_id = ${tenantId} order by role nulls first`,
    );
    return r.map((x) => x.role);
  },
  /** Replaces a tenant's policy: the roles listed, or every role when `allRoles`. */
  async set(tx: Tx, tenantId: string, roles: string[], allRoles: boolean): Promise<void> {
    await tx.execute(sql`delete from phishing_resistant_policies where tenant_id = ${tenantId}`);
    const wanted: Array<string | null> = allRoles ? [null] : roles;
    for (const role of wanted)
      await tx.execute(
        sql`insert into phishing_resistant_policies (tenant_id, role) values (${tenantId}, ${role})`,
      );
  },
};
