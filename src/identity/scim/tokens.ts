// Per-tenant SCIM bearer tokens: shown once at creation, stored only as SHA-256.
import { sql } from 'drizzle-orm';
import { randomToken, sha256 } from '../../auth/tokens.ts';
import { type AuditRecorder, userAction } from '../../platform/audit-port.ts';
import type { TenantContext, TenantRef } from '../../platform/context.ts';
import { type Database, rows } from '../../platform/db.ts';
import { notFound } from '../../platform/errors.ts';

export interface ScimTokenView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

export function createScimTokens(deps: { db: Database; audit: AuditRecorder }) {
  const { db, audit } = deps;
  return {
    async create(ctx: TenantContext, name: string): Promise<{ id: string; token: string }> {
      const token = `vscim_${randomToken()}`;
      const id = await db.withTenant(ctx.tenant.id, async (tx) => {
        const [r] = await rows<{ id: string }>(
          tx,
          sql`insert into scim_tokens (tenant_id, name, token_hash, created_by)
              values (${ctx.tenant.id}, ${name}, ${sha256(token)}, ${ctx.actor.id}) returning id`,
        );
        await audit.inTx(tx, userAction(ctx, 'scim.token.create', 'scim_token', r!.id));
        return r!.id;
      });
      return { id, token };
    },

    list: (tenantId: string): Promise<ScimTokenView[]> =>
      db.withTenant(tenantId, async (tx) =>
        (
          await rows<{
            id: string;
            name: string;
            created_at: Date;
            last_used_at: Date | null;
            revoked_at: Date | null;
          }>(
            tx,
            sql`select id, name, created_at, last_used_at, revoked_at from scim_tokens
                where tenant_id = ${tenantId} order by created_at`,
          )
        ).map((t) => ({
          id: t.id,
          name: t.name,
          createdAt: iso(t.created_at)!,
          lastUsedAt: iso(t.last_used_at),
          revokedAt: iso(t.revoked_at),
        })),
      ),

    async revoke(ctx: TenantContext, id: string): Promise<void> {
      await db.withTenant(ctx.tenant.id, async (tx) => {
        const r = await rows<{ id: string }>(
          tx,
          sql`update scim_tokens set revoked_at = coalesce(revoked_at, now())
              where id = ${id} and tenant_id = ${ctx.tenant.id} returning id`,
        );
        if (!r.length) throw notFound('token');
        await audit.inTx(tx, userAction(ctx, 'scim.token.revoke', 'scim_token', id));
      });
    },

    /** The tenant a live token belongs to, or null (revoked, unknown, tenant not active). */
    async authenticate(bearer: string): Promise<{ tokenId: string; tenant: TenantRef } | null> {
      const [t] = await db.withPlatform((tx) =>
        rows<{ id: string; tenant_id: string; slug: string; name: string }>(
          tx,
          sql`update scim_tokens s set last_used_at = now() from tenants t
              where s.token_hash = ${sha256(bearer)} and s.revoked_at is null
                and t.id = s.tenant_id and t.status = 'active'
              returning s.id, s.tenant_id, t.slug, t.name`,
        ),
      );
      return t ? { tokenId: t.id, tenant: { id: t.tenant_id, slug: t.slug, name: t.name } } : null;
    },
  };
}

export type ScimTokens = ReturnType<typeof createScimTokens>;
