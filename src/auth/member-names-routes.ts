// Names of a tenant's members for those who investigate its audit log (security officer, DPO):
// actors are shown and filtered by name instead of by id. Staff names only, no customer data.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Database } from '../platform/db.ts';
import { errorResponses, TenantParams } from '../platform/http-schemas.ts';
import { userStore } from './store.ts';

export function memberNamesRoutes(app: FastifyInstance, deps: { db: Database }) {
  app.get(
    '/api/v1/tenants/:tenantSlug/audit/actors',
    {
      config: { auth: { tenant: ['read', 'AuditEvent'] } },
      schema: {
        tags: ['audit'],
        params: TenantParams,
        response: {
          200: Type.Object({
            actors: Type.Array(Type.Object({ id: Type.String(), displayName: Type.String() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const list = await deps.db.withPlatform((tx) => userStore.tenantMemberNames(tx, req.ctx.tenant!.id));
      return { actors: list.map((u) => ({ id: u.id, displayName: u.display_name })) };
    },
  );
}
