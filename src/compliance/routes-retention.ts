// Retention policies, legal holds and retention runs for the DPO (`manage Compliance`).

import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { typedRoutes } from '../platform/http-schemas.ts';
import { anyOk, base, literals, rule, Slug, TenantOnly, tctx, Uuid, WithId } from './http.ts';
import { CATEGORIES, type Retention } from './retention.ts';

const manage = { auth: rule('manage', 'Compliance') };
const read = { auth: rule('read', 'Compliance') };

export function retentionRoutes(server: FastifyInstance, deps: { retention: Retention }) {
  const app = typedRoutes(server);
  const { retention } = deps;
  const tags = ['compliance'];

  app.get(
    `${base}/retention/policies`,
    { config: read, schema: { tags, params: TenantOnly, response: anyOk() } },
    async (req) => ({
      items: await retention.listPolicies(tctx(req)),
    }),
  );

  app.put(
    `${base}/retention/policies/:category`,
    {
      config: manage,
      schema: {
        tags,
        params: Type.Object(
          { tenantSlug: Slug, category: literals(CATEGORIES) },
          { additionalProperties: false },
        ),
        body: Type.Object(
          { days: Type.Integer({ minimum: 1, maximum: 36500 }), enabled: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: anyOk(),
      },
    },
    async (req) => {
      const b = req.body;
      return retention.setPolicy(tctx(req), req.params.category, b.days, b.enabled ?? true);
    },
  );

  app.delete(
    `${base}/retention/policies/:category`,
    {
      config: manage,
      schema: {
        tags,
        params: Type.Object(
          { tenantSlug: Slug, category: literals(CATEGORIES) },
          { additionalProperties: false },
        ),
        response: anyOk(),
      },
    },
    async (req) => retention.deletePolicy(tctx(req), req.params.category),
  );

  app.post(
    `${base}/retention/runs`,
    {
      config: manage,
      schema: {
        tags,
        params: TenantOnly,
        body: Type.Object(
          { batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) },
          { additionalProperties: false },
        ),
        response: anyOk(),
      },
    },
    async (req) => {
      const b = (req.body ?? {}) as { batchSize?: number };
      return retention.run(tctx(req), {
        trigger: 'manual',
        ...(b.batchSize ? { batchSize: b.batchSize } : {}),
      });
    },
  );

  app.get(
    `${base}/retention/runs`,
    { config: read, schema: { tags, params: TenantOnly, response: anyOk() } },
    async (req) => ({
      items: await retention.listRuns(tctx(req)),
    }),
  );

  app.get(
    `${base}/retention/runs/:id`,
    { config: read, schema: { tags, params: WithId, response: anyOk() } },
    async (req) => retention.getRun(tctx(req), req.params.id),
  );

  app.get(
    `${base}/legal-holds`,
    { config: read, schema: { tags, params: TenantOnly, response: anyOk() } },
    async (req) => ({
      items: await retention.listHolds(tctx(req)),
    }),
  );

  app.post(
    `${base}/legal-holds`,
    {
      config: manage,
      schema: {
        tags,
        params: TenantOnly,
        body: Type.Object(
          {
            scope: literals(['customer', 'conversation'] as const),
            targetId: Uuid,
            reference: Type.String({ pattern: '^[A-Za-z0-9._/ -]{1,80}$' }),
          },
          { additionalProperties: false },
        ),
        response: anyOk(201),
      },
    },
    async (req, reply) => reply.status(201).send(await retention.placeHold(tctx(req), req.body)),
  );

  app.post(
    `${base}/legal-holds/:id/release`,
    { config: manage, schema: { tags, params: WithId, response: anyOk() } },
    async (req) => retention.releaseHold(tctx(req), req.params.id),
  );
}
