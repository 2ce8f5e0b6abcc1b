// Consent register: front-line roles record and withdraw on the customer's word; the DPO reads.

import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { typedRoutes } from '../platform/http-schemas.ts';
import { type Consents, PURPOSES, SOURCES } from './consent.ts';
import { anyOk, base, literals, rule, Slug, TenantOnly, tctx, Uuid, WithId } from './http.ts';

export function consentRoutes(server: FastifyInstance, deps: { consents: Consents }) {
  const app = typedRoutes(server);
  const { consents } = deps;
  const tags = ['compliance'];
  const write = { auth: rule('create', 'Consent') };
  const read = { auth: rule('read', 'Consent') };

  app.post(
    `${base}/consents`,
    {
      config: write,
      schema: {
        tags,
        params: TenantOnly,
        body: Type.Object(
          {
            customerId: Uuid,
            purpose: literals(PURPOSES),
            granted: Type.Boolean(),
            source: literals(SOURCES),
            textVersion: Type.String({ pattern: '^[A-Za-z0-9._-]{1,40}$' }),
            callId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: anyOk(201),
      },
    },
    async (req, reply) => reply.status(201).send(await consents.record(tctx(req), req.body)),
  );

  app.post(
    `${base}/consents/:id/withdraw`,
    { config: write, schema: { tags, params: WithId, response: anyOk() } },
    async (req) => consents.withdraw(tctx(req), req.params.id),
  );

  app.get(
    `${base}/consents/customers/:customerId`,
    {
      config: read,
      schema: {
        tags,
        params: Type.Object({ tenantSlug: Slug, customerId: Uuid }, { additionalProperties: false }),
        response: anyOk(),
      },
    },
    async (req) => consents.forCustomer(tctx(req), req.params.customerId),
  );

  app.get(
    `${base}/consents/marketing-audience`,
    { config: read, schema: { tags, params: TenantOnly, response: anyOk() } },
    async (req) => consents.marketingAudience(tctx(req)),
  );
}
