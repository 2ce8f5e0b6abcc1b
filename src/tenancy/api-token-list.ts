// The tenant's API tokens as metadata: name, scopes, who created it, when it was last used,
// expiry and revocation. The secret is never shown again (only its hash is stored anyway).
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import { type Database, rows } from '../platform/db.ts';
import { errorResponses, TenantParams } from '../platform/http-schemas.ts';

const Stamp = Type.Union([Type.String(), Type.Null()]);
const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  expiresAt: Stamp,
  lastUsedAt: Stamp,
  revokedAt: Stamp,
});

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function apiTokenListRoute(app: FastifyInstance, deps: { db: Database; audit: AuditRecorder }) {
  app.get(
    '/api/v1/tenants/:tenantSlug/api-tokens',
    {
      config: { auth: { tenant: ['manage', 'ApiToken'] } },
      schema: {
        tags: ['admin'],
        params: TenantParams,
        // The response schema is the allow-list: nothing but these fields can leave.
        response: { 200: Type.Object({ tokens: Type.Array(TokenView) }), ...errorResponses },
      },
    },
    async (req) => {
      const list = await deps.db.withTenant(req.ctx.tenant!.id, (tx) =>
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
              from api_tokens where tenant_id = ${req.ctx.tenant!.id} order by created_at desc limit 500`,
        ),
      );
      await deps.audit.standalone(
        userAction(req.ctx, 'api_token.list', 'api_token', null, { count: list.length }),
      );
      return {
        tokens: list.map((t) => ({
          id: t.id,
          name: t.name,
          scopes: t.scopes,
          createdBy: t.created_by,
          createdAt: iso(t.created_at)!,
          expiresAt: iso(t.expires_at),
          lastUsedAt: iso(t.last_used_at),
          revokedAt: iso(t.revoked_at),
        })),
      };
    },
  );
}
