// Tenants (client companies) and user provisioning. Used by the CLI, the demo seed and the
// platform admin API; runs as the database owner only where no request context exists yet.
import { sql } from 'drizzle-orm';
import { checkPasswordPolicy, hashPassword } from '../auth/passwords.ts';
import type { SecretSealer } from '../auth/service.ts';
import type { Role } from '../authz/roles.ts';
import { type Database, pgErrorOf, rows } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';

export interface NewTenant {
  slug: string;
  name: string;
  defaultRegion?: string;
}

export interface NewUser {
  email: string;
  displayName: string;
  password: string;
  locale?: 'en' | 'de' | 'fr';
  /** Pre-enrolled TOTP secret (demo and tests); otherwise enrolment happens at first sign-in. */
  totpSecret?: string;
  memberships: Array<{ tenantId: string | null; role: Role }>;
}

export function createTenancyService(deps: {
  db: Database;
  secrets: SecretSealer;
  onTenantCreated?: (tenantId: string) => Promise<void>;
}) {
  const { db, secrets } = deps;

  async function createTenant(t: NewTenant): Promise<{ id: string }> {
    try {
      const created = await db.withPlatform(async (tx) => {
        const [row] = await rows<{ id: string }>(
          tx,
          sql`insert into tenants (slug, name, default_region) values (${t.slug}, ${t.name}, ${t.defaultRegion ?? 'DE'}) returning id`,
        );
        return row!;
      });
      // Keys and other per-tenant set-up; idempotent, so a crash in between is repaired by a re-run.
      await deps.onTenantCreated?.(created.id);
      return created;
    } catch (e) {
      if (pgErrorOf(e).code === '23505') throw new VigilError('conflict', 'a tenant with this slug exists');
      if (pgErrorOf(e).code === '23514')
        throw new VigilError('invalid_input', 'the tenant slug or name is invalid');
      throw e;
    }
  }

  async function createUser(u: NewUser): Promise<{ id: string }> {
    const problem = checkPasswordPolicy(u.password, [u.email, u.displayName]);
    if (problem) throw new VigilError('weak_password', `the password is not acceptable: ${problem}`);
    const hash = await hashPassword(u.password);
    try {
      return await db.withPlatform(async (tx) => {
        const [row] = await rows<{ id: string }>(
          tx,
          sql`insert into users (email, display_name, password_hash, locale) values (${u.email}, ${u.displayName}, ${hash}, ${u.locale ?? 'en'}) returning id`,
        );
        const id = row!.id;
        if (u.totpSecret) {
          const sealed = await secrets.seal('totp', id, Buffer.from(u.totpSecret), tx);
          await tx.execute(
            sql`update users set totp_secret_sealed = ${sealed}, mfa_enrolled_at = now() where id = ${id}`,
          );
        }
        for (const m of u.memberships) {
          await tx.execute(
            sql`insert into memberships (user_id, tenant_id, role) values (${id}, ${m.tenantId}, ${m.role})`,
          );
        }
        return { id };
      });
    } catch (e) {
      if (pgErrorOf(e).code === '23505') throw new VigilError('conflict', 'a user with this e-mail exists');
      throw e;
    }
  }

  const tenantBySlug = (slug: string) =>
    db.withPlatform(
      async (tx) =>
        (
          await rows<{ id: string; slug: string; name: string; status: string }>(
            tx,
            sql`select id, slug, name, status from tenants where slug = ${slug}`,
          )
        )[0],
    );

  const listTenants = () =>
    db.withPlatform((tx) =>
      rows<{ id: string; slug: string; name: string; status: string }>(
        tx,
        sql`select id, slug, name, status from tenants order by slug`,
      ),
    );

  /** Active members of a tenant holding one of `roles`, with their sign-in address (notices). */
  const membersWithRoles = (tenantId: string, roles: readonly Role[]) =>
    db.withPlatform((tx) =>
      rows<{ userId: string; email: string; locale: string }>(
        tx,
        sql`select distinct u.id as "userId", u.email, u.locale from memberships m join users u on u.id = m.user_id
            where m.tenant_id = ${tenantId} and m.role = any(${`{${roles.join(',')}}`}::text[]) and u.status = 'active'
            order by u.id`,
      ),
    );

  return { createTenant, createUser, tenantBySlug, listTenants, membersWithRoles };
}

export type TenancyService = ReturnType<typeof createTenancyService>;
