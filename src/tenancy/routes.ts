// Tenant and membership administration: platform admins create tenants and users; tenant admins
// grant and revoke roles inside their tenant and issue service API tokens.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ROLES } from '../authz/roles.ts';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import { type TenantContext, tenantContextOf } from '../platform/context.ts';
import { VigilError } from '../platform/errors.ts';
import { errorResponses, Ok, oneOf, TenantParams, typedRoutes, Uuid } from '../platform/http-schemas.ts';
import { apiTokenListRoute } from './api-token-list.ts';
import { type ApiTokens, TOKEN_SCOPES } from './api-tokens.ts';
import type { RoleGrants } from './role-grants.ts';
import type { TenancyService } from './service.ts';

const Slug = TenantParams.properties.tenantSlug;
const RoleName = oneOf(ROLES);
const TenantRole = oneOf(ROLES.filter((r) => r !== 'platform_admin'));
const GrantAnswer = Type.Object({
  ok: Type.Boolean(),
  status: Type.Union([Type.Literal('granted'), Type.Literal('pending')]),
  requestId: Type.Optional(Type.String()),
});

export function tenancyRoutes(
  server: FastifyInstance,
  deps: {
    tenancy: TenancyService;
    grants: RoleGrants;
    apiTokens: ApiTokens;
    audit: AuditRecorder;
  },
) {
  const app = typedRoutes(server);
  const { tenancy, grants, audit, apiTokens } = deps;
  apiTokenListRoute(app, { apiTokens });
  const ev = (
    req: FastifyRequest,
    action: string,
    resourceType: string,
    resourceId: string | null,
    meta?: Record<string, string | number | boolean | null>,
  ) => userAction(req.ctx, action, resourceType, resourceId, meta);

  app.get(
    '/api/v1/admin/tenants',
    {
      config: { auth: { platform: ['read', 'Tenant'] } },
      schema: {
        tags: ['admin'],
        response: {
          200: Type.Object({
            tenants: Type.Array(
              Type.Object({
                id: Type.String(),
                slug: Type.String(),
                name: Type.String(),
                status: Type.String(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async () => ({ tenants: await tenancy.listTenants() }),
  );

  app.post(
    '/api/v1/admin/tenants',
    {
      config: { auth: { platform: ['create', 'Tenant'] } },
      schema: {
        tags: ['admin'],
        body: Type.Object(
          {
            slug: Slug,
            name: Type.String({ minLength: 1, maxLength: 200 }),
            defaultRegion: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const t = await tenancy.createTenant(req.body);
      await audit.standalone(ev(req, 'tenant.create', 'tenant', t.id));
      return reply.status(201).send(t);
    },
  );

  app.post(
    '/api/v1/admin/users',
    {
      config: { auth: { platform: ['create', 'User'] } },
      schema: {
        tags: ['admin'],
        body: Type.Object(
          {
            email: Type.String({ format: 'email', maxLength: 254 }),
            displayName: Type.String({ minLength: 1, maxLength: 120 }),
            password: Type.String({ minLength: 12, maxLength: 256 }),
            locale: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('de'), Type.Literal('fr')])),
            memberships: Type.Array(
              Type.Object(
                { tenantSlug: Type.Union([Slug, Type.Null()]), role: RoleName },
                { additionalProperties: false },
              ),
              { maxItems: 50 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const memberships = [];
      for (const m of b.memberships) {
        const t = m.tenantSlug ? await tenancy.tenantBySlug(m.tenantSlug) : null;
        if (m.tenantSlug && !t) throw new VigilError('unprocessable', 'a membership names an unknown tenant');
        memberships.push({ tenantId: t?.id ?? null, role: m.role });
      }
      const u = await tenancy.createUser({
        email: b.email,
        displayName: b.displayName,
        password: b.password,
        memberships,
        ...(b.locale ? { locale: b.locale } : {}),
      });
      await audit.standalone(ev(req, 'user.create', 'user', u.id, { memberships: memberships.length }));
      return reply.status(201).send(u);
    },
  );

  const MembershipParams = Type.Object({ tenantSlug: Slug, userId: Uuid }, { additionalProperties: false });
  app.post(
    '/api/v1/tenants/:tenantSlug/users/:userId/roles',
    {
      config: { auth: { tenant: ['manage', 'Membership'] } },
      schema: {
        tags: ['admin'],
        params: MembershipParams,
        body: Type.Object({ role: TenantRole }, { additionalProperties: false }),
        response: { 200: GrantAnswer, 202: GrantAnswer, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { userId } = req.params;
      const { role } = req.body;
      const out = await grants.request(req.ctx as TenantContext, userId, role);
      if (out.status === 'pending') return reply.status(202).send({ ok: true, ...out });
      return { ok: true, ...out };
    },
  );

  app.delete(
    '/api/v1/tenants/:tenantSlug/users/:userId/roles/:role',
    {
      config: { auth: { tenant: ['manage', 'Membership'] } },
      schema: {
        tags: ['admin'],
        params: Type.Object(
          { tenantSlug: Slug, userId: Uuid, role: TenantRole },
          { additionalProperties: false },
        ),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (req) => {
      await grants.revoke(tenantContextOf(req), req.params.userId, req.params.role);
      return { ok: true };
    },
  );

  app.post(
    '/api/v1/tenants/:tenantSlug/api-tokens',
    {
      config: { auth: { tenant: ['manage', 'ApiToken'] } },
      schema: {
        tags: ['admin'],
        params: TenantParams,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            scopes: Type.Array(oneOf(TOKEN_SCOPES), {
              minItems: 1,
              maxItems: 10,
            }),
            expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 730 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String(), token: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) =>
      // Shown once; only its hash is stored.
      reply.status(201).send(await apiTokens.issue(tenantContextOf(req), req.body)),
  );

  app.delete(
    '/api/v1/tenants/:tenantSlug/api-tokens/:tokenId',
    {
      config: { auth: { tenant: ['manage', 'ApiToken'] } },
      schema: {
        tags: ['admin'],
        params: Type.Object({ tenantSlug: Slug, tokenId: Uuid }, { additionalProperties: false }),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (req) => {
      await apiTokens.revoke(tenantContextOf(req), req.params.tokenId);
      return { ok: true };
    },
  );
}
