// Four-eyes role requests (issue 20): tenant admins list the pending grants of data-reading roles
// and approve or reject them; the grantor and the grantee cannot (four_eyes_required).
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { tenantContextOf as tctx } from '../platform/context.ts';
import { errorResponses, Ok, TenantParams, typedRoutes, Uuid } from '../platform/http-schemas.ts';
import type { RoleGrants } from './role-grants.ts';

const RequestParams = Type.Object(
  { tenantSlug: TenantParams.properties.tenantSlug, requestId: Uuid },
  { additionalProperties: false },
);

export function roleRequestRoutes(server: FastifyInstance, deps: { grants: RoleGrants }) {
  const app = typedRoutes(server);
  const { grants } = deps;
  app.get(
    '/api/v1/tenants/:tenantSlug/role-requests',
    {
      config: { auth: { tenant: ['manage', 'Membership'] } },
      schema: {
        tags: ['admin'],
        params: TenantParams,
        response: {
          200: Type.Object({
            requests: Type.Array(
              Type.Object({
                id: Type.String(),
                userId: Type.String(),
                role: Type.String(),
                requestedBy: Type.Union([Type.String(), Type.Null()]),
                createdAt: Type.String(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({ requests: await grants.listPending(req.ctx.tenant!.id) }),
  );

  for (const verb of ['approve', 'reject'] as const)
    app.post(
      `/api/v1/tenants/:tenantSlug/role-requests/:requestId/${verb}`,
      {
        config: { auth: { tenant: ['manage', 'Membership'] } },
        schema: { tags: ['admin'], params: RequestParams, response: { 200: Ok, ...errorResponses } },
      },
      async (req) => {
        const { requestId } = req.params;
        await grants[verb](tctx(req), requestId);
        return { ok: true };
      },
    );
}
