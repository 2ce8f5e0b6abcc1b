// Pseudonymised analytics for supervisors, security officers and the DPO (`read Report`).

import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { typedRoutes } from '../platform/http-schemas.ts';
import type { Analytics } from './analytics.ts';
import { anyOk, base, rule, Slug, TenantOnly, tctx, Uuid } from './http.ts';

const Days = Type.Object(
  { days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })) },
  { additionalProperties: false },
);

export function analyticsRoutes(server: FastifyInstance, deps: { analytics: Analytics }) {
  const app = typedRoutes(server);
  const { analytics } = deps;
  const tags = ['compliance'];
  const config = { auth: rule('read', 'Report') };
  const days = (req: { query: { days?: number } }) => req.query.days ?? 30;
  app.get(
    `${base}/analytics/conversations`,
    { config, schema: { tags, params: TenantOnly, querystring: Days, response: anyOk() } },
    async (req) => analytics.conversations(tctx(req), days(req)),
  );
  app.get(
    `${base}/analytics/customers/:customerId`,
    {
      config,
      schema: {
        tags,
        params: Type.Object({ tenantSlug: Slug, customerId: Uuid }, { additionalProperties: false }),
        querystring: Days,
        response: { ...anyOk(), 423: Type.Any() },
      },
    },
    async (req) => analytics.subject(tctx(req), req.params.customerId, days(req)),
  );
  app.get(
    `${base}/analytics/qa-sample`,
    {
      config,
      schema: {
        tags,
        params: TenantOnly,
        querystring: Type.Object(
          { size: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) },
          { additionalProperties: false },
        ),
        response: anyOk(),
      },
    },
    async (req) => analytics.qaSample(tctx(req), req.query.size ?? 20),
  );
}
