// HTTP of the DPIAs: the DPO writes, versions and signs; admins and the security officer read.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { tenantContextOf as tctx } from '../platform/context.ts';
import { DocQuery, docLocale, sendDoc } from '../platform/documents.ts';
import { errorResponses, TenantParams, typedRoutes } from '../platform/http-schemas.ts';
import { DpiaContent, type Dpias, dpiaDoc } from './dpia.ts';

const IdParams = Type.Object(
  { tenantSlug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }), id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
const ok = { 200: Type.Any(), ...errorResponses };
const tags = ['governance'];
const base = '/api/v1/tenants/:tenantSlug/governance/dpias';
const idOf = (req: { params: { id: string } }) => req.params.id;

export function dpiaRoutes(server: FastifyInstance, deps: { dpias: Dpias }): void {
  const app = typedRoutes(server);
  const { dpias } = deps;
  app.get(
    base,
    {
      config: { auth: { tenant: ['read', 'Governance'] } },
      schema: { tags, params: TenantParams, response: ok },
    },
    async (req) => dpias.list(tctx(req)),
  );
  app.post(
    base,
    {
      config: { auth: { tenant: ['manage', 'Governance'] } },
      schema: {
        tags,
        params: TenantParams,
        body: Type.Object(
          { activityId: Type.String({ pattern: '^[a-z0-9-]{1,40}$' }), content: DpiaContent },
          { additionalProperties: false },
        ),
        response: { 201: Type.Any(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply.code(201).send(await dpias.create(tctx(req), b.activityId, b.content));
    },
  );
  app.get(
    `${base}/:id`,
    {
      config: { auth: { tenant: ['read', 'Governance'] } },
      schema: {
        tags,
        params: IdParams,
        querystring: DocQuery,
        response: ok,
      },
    },
    async (req, reply) => {
      const ctx = tctx(req);
      const d = await dpias.get(ctx, idOf(req));
      const format = req.query.format;
      return sendDoc(
        reply,
        format,
        dpiaDoc(ctx.tenant.name, d, docLocale(req)),
        d,
        `dpia-${d.activityId}-v${d.version}`,
      );
    },
  );
  app.put(
    `${base}/:id`,
    {
      config: { auth: { tenant: ['manage', 'Governance'] } },
      schema: {
        tags,
        params: IdParams,
        body: Type.Object({ content: DpiaContent }, { additionalProperties: false }),
        response: ok,
      },
    },
    async (req) => dpias.update(tctx(req), idOf(req), req.body.content),
  );
  app.post(
    `${base}/:id/sign`,
    {
      config: { auth: { tenant: ['manage', 'Governance'] } },
      schema: {
        tags,
        params: IdParams,
        body: Type.Object(
          { opinion: Type.String({ minLength: 10, maxLength: 5000 }) },
          { additionalProperties: false },
        ),
        response: ok,
      },
    },
    async (req) => dpias.sign(tctx(req), idOf(req), req.body.opinion),
  );
}
