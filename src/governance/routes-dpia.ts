// HTTP of the DPIAs: the DPO writes, versions and signs; admins and the security officer read.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TenantContext } from '../platform/context.ts';
import { sendDoc } from '../platform/documents.ts';
import { errorResponses, TenantParams } from '../platform/http-schemas.ts';
import { DpiaContent, type Dpias, dpiaDoc } from './dpia.ts';

const IdParams = Type.Object(
  { tenantSlug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }), id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
const ok = { 200: Type.Any(), ...errorResponses };
const tags = ['governance'];
const base = '/api/v1/tenants/:tenantSlug/governance/dpias';
const ctxOf = (req: { ctx: unknown }) => req.ctx as TenantContext;
const idOf = (req: { params: unknown }) => (req.params as { id: string }).id;

export function dpiaRoutes(app: FastifyInstance, deps: { dpias: Dpias }): void {
  const { dpias } = deps;
  app.get(
    base,
    {
      config: { auth: { tenant: ['read', 'Governance'] } },
      schema: { tags, params: TenantParams, response: ok },
    },
    async (req) => dpias.list(ctxOf(req)),
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
      const b = req.body as { activityId: string; content: DpiaContent };
      return reply.code(201).send(await dpias.create(ctxOf(req), b.activityId, b.content));
    },
  );
  app.get(
    `${base}/:id`,
    {
      config: { auth: { tenant: ['read', 'Governance'] } },
      schema: {
        tags,
        params: IdParams,
        querystring: Type.Object(
          {
            format: Type.Optional(
              Type.Union([Type.Literal('json'), Type.Literal('html'), Type.Literal('pdf')]),
            ),
          },
          { additionalProperties: false },
        ),
        response: ok,
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      const d = await dpias.get(ctx, idOf(req));
      const format = (req.query as { format?: 'json' | 'html' | 'pdf' }).format;
      return sendDoc(reply, format, dpiaDoc(ctx.tenant.name, d), d, `dpia-${d.activityId}-v${d.version}`);
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
    async (req) => dpias.update(ctxOf(req), idOf(req), (req.body as { content: DpiaContent }).content),
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
    async (req) => dpias.sign(ctxOf(req), idOf(req), (req.body as { opinion: string }).opinion),
  );
}
