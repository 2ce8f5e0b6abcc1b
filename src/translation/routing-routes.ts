// HTTP for the tenant's language → queue map. Reading needs Queue read (supervisors, admins);
// changing it needs Queue update (the tenant admin manages queues, supervisors update them).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { tenantContextOf } from '../platform/context.ts';
import { errorResponses, TenantParams, Uuid } from '../platform/http-schemas.ts';
import type { LanguageRouting } from './routing.ts';

// Spelled out (not mapped from LANGUAGES) so the handler's types know the literals.
const Lang = Type.Union([Type.Literal('de'), Type.Literal('en'), Type.Literal('es'), Type.Literal('fr')]);
const Route = Type.Object({ language: Lang, queueId: Uuid });
const RouteList = Type.Object({
  items: Type.Array(Type.Object({ language: Type.String(), queueId: Uuid, updatedAt: Type.String() })),
});
const Deleted = Type.Object({ language: Lang, deleted: Type.Boolean() });
const LangParams = Type.Object(
  { tenantSlug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }), language: Lang },
  { additionalProperties: false },
);

export function languageRoutingRoutes(http: FastifyInstance, deps: { routing: LanguageRouting }): void {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  const base = '/api/v1/tenants/:tenantSlug/language-routes';
  const tags = ['routing'];
  app.get(
    base,
    {
      config: { auth: { tenant: ['read', 'Queue'] } },
      schema: { tags, params: TenantParams, response: { 200: RouteList, ...errorResponses } },
    },
    (req) => deps.routing.list(tenantContextOf(req)),
  );
  app.put(
    `${base}/:language`,
    {
      config: { auth: { tenant: ['update', 'Queue'] } },
      schema: {
        tags,
        params: LangParams,
        body: Type.Object({ queueId: Uuid }, { additionalProperties: false }),
        response: { 200: Route, ...errorResponses },
      },
    },
    (req) => deps.routing.set(tenantContextOf(req), req.params.language, req.body.queueId),
  );
  app.delete(
    `${base}/:language`,
    {
      config: { auth: { tenant: ['update', 'Queue'] } },
      schema: { tags, params: LangParams, response: { 200: Deleted, ...errorResponses } },
    },
    (req) => deps.routing.remove(tenantContextOf(req), req.params.language),
  );
}
