// Tenant offboarding for the platform admin (`manage Tenant`).

import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { typedRoutes } from '../platform/http-schemas.ts';
import { anyOk, Slug } from './http.ts';
import type { Offboarding } from './offboarding.ts';

export function offboardingRoutes(server: FastifyInstance, deps: { offboarding: Offboarding }) {
  const app = typedRoutes(server);
  const base = '/api/v1/admin/tenants/:slug/offboarding';
  const config = { auth: { platform: ['manage', 'Tenant'] as ['manage', 'Tenant'] } };
  const params = Type.Object({ slug: Slug }, { additionalProperties: false });
  app.post(
    `${base}/export`,
    { config, schema: { tags: ['compliance'], params, response: anyOk() } },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return deps.offboarding.exportTenant(req.ctx, req.params.slug);
    },
  );
  app.post(
    `${base}/purge`,
    {
      config,
      schema: {
        tags: ['compliance'],
        params,
        body: Type.Object(
          { confirmSlug: Slug, exportDigest: Type.String({ pattern: '^[0-9a-f]{64}$' }) },
          { additionalProperties: false },
        ),
        response: anyOk(),
      },
    },
    async (req) => deps.offboarding.purge(req.ctx, req.params.slug, req.body),
  );
}
