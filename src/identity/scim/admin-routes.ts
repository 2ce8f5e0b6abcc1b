// Tenant administration of provisioning: SCIM tokens (shown once) and the group → role mapping.
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { sessionView } from '../../auth/routes.ts';
import type { AuthService } from '../../auth/service.ts';
import { TENANT_ROLES } from '../../authz/index.ts';
import { type AuditRecorder, userAction } from '../../platform/audit-port.ts';
import { tenantContextOf as tctx } from '../../platform/context.ts';
import { type Database, rows } from '../../platform/db.ts';
import { notFound } from '../../platform/errors.ts';
import { errorResponses, Ok, TenantParams, typedRoutes, Uuid } from '../../platform/http-schemas.ts';
import { resyncUsers } from './groups.ts';
import { loadRoleConfig } from './roles.ts';
import type { ScimTokens } from './tokens.ts';

const TenantRole = Type.Union(TENANT_ROLES.map((r) => Type.Literal(r)));
const ConfigBody = Type.Object(
  {
    defaultRole: Type.Union([TenantRole, Type.Null()]),
    groupRoles: Type.Array(
      Type.Object(
        { group: Type.String({ minLength: 1, maxLength: 256 }), role: TenantRole },
        { additionalProperties: false },
      ),
      { maxItems: 200 },
    ),
  },
  { additionalProperties: false },
);
const Slug = TenantParams.properties.tenantSlug;

export function scimAdminRoutes(
  server: FastifyInstance,
  deps: {
    db: Database;
    audit: AuditRecorder;
    tokens: ScimTokens;
    auth: Pick<AuthService, 'listSessions' | 'forgetUser'>;
  },
) {
  const app = typedRoutes(server);
  const { db, audit, tokens } = deps;

  // A provisioned user's sessions, also after deactivation (when the user is no member any more):
  // how an admin sees that leaving revoked everything.
  app.get(
    '/api/v1/tenants/:tenantSlug/scim/users/:scimUserId/sessions',
    {
      config: { auth: { tenant: ['read', 'Session'] } },
      schema: {
        tags: ['identity'],
        params: Type.Object({ tenantSlug: Slug, scimUserId: Uuid }, { additionalProperties: false }),
        response: errorResponses,
      },
    },
    async (req) => {
      const ctx = tctx(req);
      const [u] = await db.withTenant(ctx.tenant.id, (tx) =>
        rows<{ user_id: string; active: boolean }>(
          tx,
          sql`select user_id, active from scim_users where id = ${req.params.scimUserId}`,
        ),
      );
      if (!u) throw notFound('user');
      const sessions = await deps.auth.listSessions(u.user_id);
      return { userId: u.user_id, active: u.active, sessions: sessions.map((s) => sessionView(s)) };
    },
  );

  app.get(
    '/api/v1/tenants/:tenantSlug/scim/tokens',
    {
      config: { auth: { tenant: ['manage', 'ApiToken'] } },
      schema: { tags: ['identity'], params: TenantParams, response: errorResponses },
    },
    async (req) => ({ tokens: await tokens.list(tctx(req).tenant.id) }),
  );
  app.post(
    '/api/v1/tenants/:tenantSlug/scim/tokens',
    {
      config: { auth: { tenant: ['manage', 'ApiToken'] } },
      schema: {
        tags: ['identity'],
        params: TenantParams,
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 120 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String(), token: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await tokens.create(tctx(req), req.body.name)),
  );
  app.delete(
    '/api/v1/tenants/:tenantSlug/scim/tokens/:tokenId',
    {
      config: { auth: { tenant: ['manage', 'ApiToken'] } },
      schema: {
        tags: ['identity'],
        params: Type.Object({ tenantSlug: Slug, tokenId: Uuid }, { additionalProperties: false }),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (req) => {
      await tokens.revoke(tctx(req), req.params.tokenId);
      return { ok: true };
    },
  );

  app.get(
    '/api/v1/tenants/:tenantSlug/scim/config',
    {
      config: { auth: { tenant: ['manage', 'TenantSettings'] } },
      schema: { tags: ['identity'], params: TenantParams, response: { 200: ConfigBody, ...errorResponses } },
    },
    async (req) => db.withTenant(tctx(req).tenant.id, (tx) => loadRoleConfig(tx)),
  );
  app.put(
    '/api/v1/tenants/:tenantSlug/scim/config',
    {
      config: { auth: { tenant: ['manage', 'TenantSettings'] } },
      schema: {
        tags: ['identity'],
        params: TenantParams,
        body: ConfigBody,
        response: { 200: ConfigBody, ...errorResponses },
      },
    },
    async (req) => {
      const ctx = tctx(req);
      const cfg = req.body;
      const changed = new Set<string>();
      const out = await db.withTenant(ctx.tenant.id, async (tx) => {
        await tx.execute(
          sql`insert into scim_config (tenant_id, default_role, group_roles)
              values (${ctx.tenant.id}, ${cfg.defaultRole}, ${JSON.stringify(cfg.groupRoles)}::jsonb)
              on conflict (tenant_id) do update set default_role = excluded.default_role,
                group_roles = excluded.group_roles, updated_at = now()`,
        );
        await audit.inTx(
          tx,
          userAction(ctx, 'scim.config.update', 'tenant', ctx.tenant.id, { mappings: cfg.groupRoles.length }),
        );
        // Every provisioned user's roles follow the new mapping at once.
        const ids = (await rows<{ id: string }>(tx, sql`select id from scim_users`)).map((r) => r.id);
        await resyncUsers(tx, audit, ctx, ids, changed);
        return loadRoleConfig(tx);
      });
      for (const id of changed) deps.auth.forgetUser(id);
      return out;
    },
  );
}
