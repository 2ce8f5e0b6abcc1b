// HTTP API of social-engineering drills: launching, scoring and individual results for the
// security role (subject Campaign); aggregates for supervisors (AwarenessMeasure). The agent's
// own scored drills are part of GET …/awareness/me (routes.ts).
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { tenantContextOf as tctx } from '../platform/context.ts';
import { errorResponses, oneOf, TenantParams, typedRoutes, Uuid } from '../platform/http-schemas.ts';
import { DRILL_SCENARIOS } from './drill-scenarios.ts';
import type { DrillService } from './drills.ts';
import { LANGUAGES } from './templates.ts';

const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });
const IdParams = Type.Object({ tenantSlug: Slug, id: Uuid }, { additionalProperties: false });
const lit = oneOf;
const DrillBody = Type.Object(
  {
    agentId: Uuid,
    queueId: Uuid,
    scenario: lit(DRILL_SCENARIOS),
    language: lit(LANGUAGES),
    timeoutMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 24 * 60 })),
  },
  { additionalProperties: false },
);

const base = '/api/v1/tenants/:tenantSlug/awareness/drills';
const tags = ['awareness'];

export function drillRoutes(server: FastifyInstance, deps: { drills: DrillService }): void {
  const app = typedRoutes(server);
  const { drills } = deps;
  app.get(
    `${base}/scenarios`,
    { config: { auth: { tenant: ['read', 'Campaign'] } }, schema: { tags, params: TenantParams } },
    async () => ({ scenarios: DRILL_SCENARIOS, languages: LANGUAGES }),
  );
  app.post(
    base,
    {
      config: { auth: { tenant: ['create', 'Campaign'] } },
      schema: {
        tags,
        params: TenantParams,
        body: DrillBody,
        response: { 201: Type.Unknown(), ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await drills.launch(tctx(req), req.body)),
  );
  app.post(
    `${base}/:id/score`,
    {
      config: { auth: { tenant: ['update', 'Campaign'] } },
      schema: { tags, params: IdParams, response: errorResponses },
    },
    async (req) => drills.score(tctx(req), req.params.id),
  );
  app.get(
    base,
    {
      config: { auth: { tenant: ['read', 'Campaign'] } },
      schema: { tags, params: TenantParams, response: errorResponses },
    },
    async (req) => drills.list(tctx(req)),
  );
  app.get(
    `${base}/measures`,
    {
      config: { auth: { tenant: ['read', 'AwarenessMeasure'] } },
      schema: { tags, params: TenantParams, response: errorResponses },
    },
    async (req) => drills.measures(tctx(req)),
  );
}
