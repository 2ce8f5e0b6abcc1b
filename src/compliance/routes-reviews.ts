// Access review campaigns: tenant admins, security officers and the DPO (`manage AccessReview`).

import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { typedRoutes } from '../platform/http-schemas.ts';
import type { AccessReviews } from './access-reviews.ts';
import { anyOk, base, literals, rule, Slug, TenantOnly, tctx, Uuid, WithId } from './http.ts';

export function accessReviewRoutes(server: FastifyInstance, deps: { reviews: AccessReviews }) {
  const app = typedRoutes(server);
  const { reviews } = deps;
  const tags = ['compliance'];
  const config = { auth: rule('manage', 'AccessReview') };
  const id = (req: { params: { id: string } }) => req.params.id;

  app.get(
    `${base}/access-reviews`,
    { config, schema: { tags, params: TenantOnly, response: anyOk() } },
    async (req) => reviews.list(tctx(req)),
  );
  app.post(
    `${base}/access-reviews`,
    {
      config,
      schema: {
        tags,
        params: TenantOnly,
        body: Type.Object(
          {
            unusedDays: Type.Integer({ minimum: 1, maximum: 3650 }),
            dueInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
          },
          { additionalProperties: false },
        ),
        response: anyOk(201),
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply
        .status(201)
        .send(await reviews.create(tctx(req), { unusedDays: b.unusedDays, dueInDays: b.dueInDays ?? 14 }));
    },
  );
  app.put(
    `${base}/access-reviews/settings`,
    {
      config,
      schema: {
        tags,
        params: TenantOnly,
        body: Type.Object({ requireAllDecided: Type.Boolean() }, { additionalProperties: false }),
        response: anyOk(),
      },
    },
    async (req) => reviews.setRequireAllDecided(tctx(req), req.body.requireAllDecided),
  );
  app.get(
    `${base}/access-reviews/:id`,
    { config, schema: { tags, params: WithId, response: anyOk() } },
    async (req) => reviews.get(tctx(req), id(req)),
  );
  app.post(
    `${base}/access-reviews/:id/items/:itemId`,
    {
      config,
      schema: {
        tags,
        params: Type.Object({ tenantSlug: Slug, id: Uuid, itemId: Uuid }, { additionalProperties: false }),
        body: Type.Object(
          { decision: literals(['keep', 'revoke'] as const) },
          { additionalProperties: false },
        ),
        response: anyOk(),
      },
    },
    async (req) => reviews.decide(tctx(req), id(req), req.params.itemId, req.body.decision),
  );
  app.post(
    `${base}/access-reviews/:id/close`,
    { config, schema: { tags, params: WithId, response: anyOk() } },
    async (req) => reviews.close(tctx(req), id(req)),
  );
}
