// HTTP of the sub-processor register: the operator (platform admin) keeps the list and assigns
// entries; a tenant's admin or DPO reads its sub-processors and notices and decides a notice.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { tenantContextOf as tctx } from '../platform/context.ts';
import { notFound } from '../platform/errors.ts';
import { errorResponses, TenantParams, typedRoutes } from '../platform/http-schemas.ts';
import { type SubProcessorInput, TRANSFER_MECHANISMS } from './store.ts';
import type { SubProcessors } from './subprocessors.ts';

const Str = Type.String({ minLength: 1, maxLength: 200 });
const Day = Type.Union([Type.String({ format: 'date' }), Type.Null()]);
const Slugs = Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }), { maxItems: 500 });
const Days = Type.Integer({ minimum: 1, maximum: 365 });
const EntryFields = {
  name: Str,
  service: Type.String({ minLength: 1, maxLength: 500 }),
  dataCategories: Type.Array(Str, { maxItems: 40 }),
  countries: Type.Array(Type.String({ pattern: '^[A-Z]{2}$' }), { maxItems: 60 }),
  transferMechanism: Type.Union(TRANSFER_MECHANISMS.map((m) => Type.Literal(m))),
  contractStart: Type.Optional(Day),
  contractEnd: Type.Optional(Day),
  lastAuditAt: Type.Optional(Day),
  auditEvidenceSha256: Type.Optional(Type.Union([Type.String({ pattern: '^[0-9a-f]{64}$' }), Type.Null()])),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('retired')])),
};
const Created = Type.Object(
  { ...EntryFields, tenants: Type.Optional(Slugs), objectionDays: Type.Optional(Days) },
  { additionalProperties: false },
);
const Updated = Type.Object(
  { ...EntryFields, objectionDays: Type.Optional(Days) },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const NoticeParams = Type.Object(
  { tenantSlug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }), id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
const ok = { 200: Type.Any(), ...errorResponses };
const tags = ['governance'];

function entryOf(b: SubProcessorInput & { tenants?: string[]; objectionDays?: number }): SubProcessorInput {
  const { tenants: _t, objectionDays: _d, ...entry } = b;
  return entry;
}

export function subProcessorRoutes(
  server: FastifyInstance,
  deps: {
    subProcessors: SubProcessors;
    /** Slug → tenant id; unknown slugs are refused as a whole (nothing half-notified). */
    tenantIdOf: (slug: string) => Promise<string | undefined>;
  },
): void {
  const app = typedRoutes(server);
  const { subProcessors } = deps;
  const idsOf = async (slugs: string[] | undefined) => {
    const ids: string[] = [];
    for (const s of slugs ?? []) {
      const id = await deps.tenantIdOf(s);
      if (!id) throw notFound('tenant');
      ids.push(id);
    }
    return ids;
  };
  app.get(
    '/api/v1/admin/sub-processors',
    { config: { auth: { platform: ['read', 'SubProcessor'] } }, schema: { tags, response: ok } },
    async () => ({ items: await subProcessors.listPlatform() }),
  );
  app.post(
    '/api/v1/admin/sub-processors',
    {
      config: { auth: { platform: ['create', 'SubProcessor'] } },
      schema: { tags, body: Created, response: { 201: Type.Any(), ...errorResponses } },
    },
    async (req, reply) => {
      const b = req.body;
      const r = await subProcessors.create(req.ctx, entryOf(b), await idsOf(b.tenants), b.objectionDays);
      return reply.code(201).send(r);
    },
  );
  app.put(
    '/api/v1/admin/sub-processors/:id',
    {
      config: { auth: { platform: ['update', 'SubProcessor'] } },
      schema: { tags, params: IdParams, body: Updated, response: ok },
    },
    async (req) => {
      const b = req.body;
      return subProcessors.update(req.ctx, req.params.id, entryOf(b), b.objectionDays);
    },
  );
  app.post(
    '/api/v1/admin/sub-processors/:id/assign',
    {
      config: { auth: { platform: ['update', 'SubProcessor'] } },
      schema: {
        tags,
        params: IdParams,
        body: Type.Object(
          { tenants: Slugs, objectionDays: Type.Optional(Days) },
          { additionalProperties: false },
        ),
        response: ok,
      },
    },
    async (req) => {
      const b = req.body;
      return subProcessors.assign(req.ctx, req.params.id, await idsOf(b.tenants), b.objectionDays);
    },
  );
  app.get(
    '/api/v1/tenants/:tenantSlug/governance/sub-processors',
    {
      config: { auth: { tenant: ['read', 'SubProcessor'] } },
      schema: { tags, params: TenantParams, response: ok },
    },
    async (req) => subProcessors.forTenant(tctx(req)),
  );
  app.post(
    '/api/v1/tenants/:tenantSlug/governance/sub-processor-notices/:id/decision',
    {
      config: { auth: { tenant: ['update', 'SubProcessor'] } },
      schema: {
        tags,
        params: NoticeParams,
        body: Type.Object(
          {
            decision: Type.Union([Type.Literal('accepted'), Type.Literal('objected')]),
            reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: ok,
      },
    },
    async (req) => {
      const b = req.body;
      return subProcessors.decide(tctx(req), req.params.id, b.decision, b.reason ?? null);
    },
  );
}
