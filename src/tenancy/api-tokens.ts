// A tenant's service API tokens (telephony, message intake, CRM reads): the one place that issues,
// lists, authenticates and revokes them, and the only SQL for `api_tokens`. A token is shown once;
// only its SHA-256 is stored.
import { sql } from 'drizzle-orm';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, pgTextArray, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { randomToken, sha256 } from '../platform/random-token.ts';

export const TOKEN_SCOPES = ['calls:write', 'messages:write', 'customers:read'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface NewApiToken {
  tenantId: string;
  name: string;
  scopes: readonly string[];
  createdBy?: string | null;
  expiresAt?: Date | null;
}

export interface ApiTokenView {
  id: string;
  name: string;
  scopes: string[];
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function checkScopes(scopes: readonly string[]): void {
  if (!scopes.length) throw new VigilError('invalid_input', 'a token needs a scope');
  for (const s of scopes)
    if (!(TOKEN_SCOPES as readonly string[]).includes(s))
      throw new VigilError('invalid_input', 'unknown token scope');
}

async function insertToken(tx: Tx, t: NewApiToken): Promise<{ id: string; token: string }> {
  checkScopes(t.scopes);
  const token = `vgl_${randomToken(32)}`;
  const [row] = await rows<{ id: string }>(
    tx,
    sql`insert into api_tokens (tenant_id, name, token_hash, scopes, created_by, expires_at)
        values (${t.tenantId}, ${t.name.slice(0, 120)}, ${sha256(token)}, ${pgTextArray([...t.scopes])}::text[],
                ${t.createdBy ?? null}, ${t.expiresAt ?? null})
        returning id`,
  );
  return { id: row!.id, token };
}

/** Issues a token outside a request (CLI, set-up of an integration): the platform's own act. */
export async function issueApiToken(
  db: Pick<Database, 'withPlatform'>,
  t: NewApiToken,
): Promise<{ id: string; token: string }> {
  return db.withPlatform((tx) => insertToken(tx, t));
}

/** Revokes every live token in the transaction's scope (a restore, an offboarded tenant). */
export async function revokeApiTokens(tx: Tx, tenantId?: string): Promise<number> {
  const where = tenantId === undefined ? sql`` : sql` and tenant_id = ${tenantId}`;
  const [r] = await rows<{ n: number }>(
    tx,
    sql`with u as (update api_tokens set revoked_at = now() where revoked_at is null${where} returning 1)
        select count(*)::int as n from u`,
  );
  return r?.n ?? 0;
}

export function createApiTokens(deps: { db: Database; audit: AuditRecorder }) {
  const { db, audit } = deps;
  return {
    /** A tenant admin issues a token for their tenant (audited with its scopes). */
    issue: (ctx: TenantContext, t: { name: string; scopes: readonly string[]; expiresInDays?: number }) =>
      db.withTenant(ctx.tenant.id, async (tx) => {
        const expiresAt = t.expiresInDays ? new Date(Date.now() + t.expiresInDays * 86_400_000) : null;
        const r = await insertToken(tx, {
          ...t,
          tenantId: ctx.tenant.id,
          createdBy: ctx.actor.id,
          expiresAt,
        });
        await audit.inTx(
          tx,
          userAction(ctx, 'api_token.create', 'api_token', r.id, { scopes: t.scopes.join(' ') }),
        );
        return r;
      }),

    async list(ctx: TenantContext): Promise<ApiTokenView[]> {
      const list = await db.withTenant(ctx.tenant.id, (tx) =>
        rows<{
          id: string;
          name: string;
          scopes: string[];
          created_by: string | null;
          created_at: Date | string;
          expires_at: Date | string | null;
          last_used_at: Date | string | null;
          revoked_at: Date | string | null;
        }>(
          tx,
          sql`select id::text as id, name, scopes, created_by::text as created_by, created_at, expires_at, last_used_at, revoked_at
              from api_tokens where tenant_id = ${ctx.tenant.id} order by created_at desc limit 500`,
        ),
      );
      await audit.standalone(userAction(ctx, 'api_token.list', 'api_token', null, { count: list.length }));
      return list.map((t) => ({
        id: t.id,
        name: t.name,
        scopes: t.scopes,
        createdBy: t.created_by,
        createdAt: iso(t.created_at)!,
        expiresAt: iso(t.expires_at),
        lastUsedAt: iso(t.last_used_at),
        revokedAt: iso(t.revoked_at),
      }));
    },

    revoke: (ctx: TenantContext, tokenId: string) =>
      db.withTenant(ctx.tenant.id, async (tx) => {
        const r = await rows<{ id: string }>(
          tx,
          sql`update api_tokens set revoked_at = now()
              where id = ${tokenId} and tenant_id = ${ctx.tenant.id} and revoked_at is null returning id`,
        );
        if (!r.length) throw new VigilError('not_found', 'token not found');
        await audit.inTx(tx, userAction(ctx, 'api_token.revoke', 'api_token', tokenId));
      }),
  };
}
export type ApiTokens = ReturnType<typeof createApiTokens>;

/**
 * The token's id when `bearer` is a live token of `tenantId` with `scope`, else null. "Last used"
 * is kept to the minute and written off the request path: an update per request made every call
 * of a busy PBX token wait for the previous one's commit (the row lock), and a slow WAL flush
 * then held every pooled connection (soak: p99 ~1 s).
 */
export async function authenticateApiToken(
  db: Pick<Database, 'withPlatform'>,
  bearer: string,
  tenantId: string,
  scope: string,
): Promise<string | null> {
  const [t] = await db.withPlatform((tx) =>
    rows<{ id: string; tenant_id: string; scopes: string[]; stale: boolean }>(
      tx,
      sql`select id, tenant_id, scopes, (last_used_at is null or last_used_at < now() - interval '1 minute') as stale
          from api_tokens
          where token_hash = ${sha256(bearer)} and revoked_at is null and (expires_at is null or expires_at > now())`,
    ),
  );
  if (!t || t.tenant_id !== tenantId || !t.scopes.includes(scope)) return null;
  if (t.stale)
    void db
      .withPlatform((tx) =>
        tx.execute(sql`update api_tokens set last_used_at = now()
          where id = ${t.id} and (last_used_at is null or last_used_at < now() - interval '1 minute')`),
      )
      .catch(() => {});
  return t.id;
}
