// HTTP of change-triggered reviews (DPO and security officer) and of the data-processing
// agreement (read by admins and DPOs; acceptance of a version by the client's admin or DPO).
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { tenantContextOf as tctx } from '../platform/context.ts';
import { DocQuery, docLocale, sendDoc } from '../platform/documents.ts';
import { errorResponses, TenantParams, typedRoutes } from '../platform/http-schemas.ts';
import { type Dpas, dpaDoc } from './dpa.ts';
import type { Reviews } from './reviews.ts';

const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });
const IdParams = Type.Object(
  { tenantSlug: Slug, id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
const ok = { 200: Type.Any(), ...errorResponses };
const tags = ['governance'];
const base = '/api/v1/tenants/:tenantSlug/governance';

export function reviewRoutes(server: FastifyInstance, deps: { reviews: Reviews; dpas: Dpas }): void {
  const app = typedRoutes(server);
  const { reviews, dpas } = deps;
  app.get(
    `${base}/reviews`,
    {
      config: { auth: { tenant: ['update', 'Governance'] } },
      schema: {
        tags,
        params: TenantParams,
        querystring: Type.Object(
          { state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])) },
          { additionalProperties: false },
        ),
        response: ok,
      },
    },
    async (req) => reviews.list(tctx(req), req.query.state),
  );
  app.post(
    `${base}/reviews/:id/close`,
    {
      config: { auth: { tenant: ['update', 'Governance'] } },
      schema: {
        tags,
        params: IdParams,
        body: Type.Object(
          {
            decision: Type.Union([Type.Literal('accepted'), Type.Literal('remediation')]),
            reason: Type.String({ minLength: 10, maxLength: 1000 }),
          },
          { additionalProperties: false },
        ),
        response: ok,
      },
    },
    async (req) => {
      const b = req.body;
      return reviews.close(tctx(req), req.params.id, b.decision, b.reason);
    },
  );
  app.get(
    `${base}/dpa`,
    {
      config: { auth: { tenant: ['read', 'ProcessingAgreement'] } },
      schema: {
        tags,
        params: TenantParams,
        querystring: DocQuery,
        response: ok,
      },
    },
    async (req, reply) => {
      const d = await dpas.current(tctx(req));
      const format = req.query.format;
      return sendDoc(reply, format, dpaDoc(d, docLocale(req)), d, `dpa-v${d.version}`);
    },
  );
  app.post(
    `${base}/dpa/accept`,
    {
      config: { auth: { tenant: ['update', 'ProcessingAgreement'] } },
      schema: {
        tags,
        params: TenantParams,
        body: Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
        response: ok,
      },
    },
    async (req) => dpas.accept(tctx(req), req.body.version),
  );
}
