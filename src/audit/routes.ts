// The audit log over HTTP for security officers and DPOs of a tenant: search, signed checkpoints,
// Merkle proofs, on-demand verification and the bundle a client company verifies on its own.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import type { RouteRule } from '../authz/route-rules.ts';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { Database } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { errorResponses, TenantParams, typedRoutes } from '../platform/http-schemas.ts';
import { exportAuditBundle } from './bundle.ts';
import type { AuditLog, EventFilters } from './log.ts';
import { verifyAuditLog } from './verify.ts';

const read: RouteRule = { tenant: ['read', 'AuditEvent'] };
const Seq = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** The search filters of the event list, shared by the search and the export of a filtered view. */
export const EventFilterFields = {
  actorId: Type.Optional(Type.String({ format: 'uuid' })),
  // One action code, or up to 20 separated by commas.
  action: Type.Optional(Type.String({ pattern: '^[a-z_.]{1,64}(,[a-z_.]{1,64}){0,19}$', maxLength: 1300 })),
  category: Type.Optional(Type.String({ pattern: '^[a-z_]{1,40}$' })),
  resourceType: Type.Optional(Type.String({ pattern: '^[a-z_]{1,40}$' })),
  resourceId: Type.Optional(Type.String({ maxLength: 64 })),
  outcome: Type.Optional(
    Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')]),
  ),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
};
const EventQuery = Type.Object(
  {
    ...EventFilterFields,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    cursor: Type.Optional(Seq),
  },
  { additionalProperties: false },
);

export function eventFilters(q: Static<typeof EventQuery>): EventFilters {
  const { from, to, ...rest } = q;
  return { ...rest, ...(from ? { from: new Date(from) } : {}), ...(to ? { to: new Date(to) } : {}) };
}

export function auditRoutes(
  server: FastifyInstance,
  deps: { db: Database; auditLog: AuditLog; audit: AuditRecorder },
) {
  const app = typedRoutes(server);
  const { db, auditLog, audit } = deps;
  const tenantOf = (req: FastifyRequest) => req.ctx.tenant!.id;
  const recordRead = (
    req: FastifyRequest,
    action: string,
    meta: Record<string, string | number | boolean | null> = {},
  ) => audit.standalone(userAction(req.ctx, action, 'audit_log', null, meta));

  app.get(
    '/api/v1/tenants/:tenantSlug/audit/events',
    {
      config: { auth: read },
      schema: {
        tags: ['audit'],
        params: TenantParams,
        querystring: EventQuery,
        response: {
          200: Type.Object({
            events: Type.Array(Type.Any()),
            nextCursor: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      await recordRead(req, 'audit.search');
      const filters = eventFilters(req.query);
      const page = await db.withTenant(tenantOf(req), (tx) => auditLog.listEvents(tx, filters));
      return { events: page.events, nextCursor: page.nextCursor ?? null };
    },
  );

  app.get(
    '/api/v1/tenants/:tenantSlug/audit/checkpoints/latest',
    {
      config: { auth: read },
      schema: {
        tags: ['audit'],
        params: TenantParams,
        response: { 200: Type.Object({ checkpoint: Type.Any() }), ...errorResponses },
      },
    },
    async (req) => {
      const checkpoint = await db.withTenant(tenantOf(req), (tx) =>
        auditLog.latestCheckpoint(tx, tenantOf(req)),
      );
      return { checkpoint: checkpoint ?? null };
    },
  );

  app.post(
    '/api/v1/tenants/:tenantSlug/audit/checkpoints',
    {
      config: { auth: read, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['audit'],
        params: TenantParams,
        response: { 200: Type.Object({ checkpoint: Type.Any() }), ...errorResponses },
      },
    },
    async (req) => ({ checkpoint: (await auditLog.createCheckpoint(tenantOf(req))) ?? null }),
  );

  app.get(
    '/api/v1/tenants/:tenantSlug/audit/proofs/inclusion',
    {
      config: { auth: read },
      schema: {
        tags: ['audit'],
        params: TenantParams,
        querystring: Type.Object({ seq: Seq, treeSize: Seq }, { additionalProperties: false }),
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (req) => {
      const { seq, treeSize } = req.query;
      if (seq > treeSize) throw new VigilError('invalid_input', 'seq must not exceed treeSize');
      return auditLog.inclusionProof(tenantOf(req), seq, treeSize);
    },
  );

  app.get(
    '/api/v1/tenants/:tenantSlug/audit/proofs/consistency',
    {
      config: { auth: read },
      schema: {
        tags: ['audit'],
        params: TenantParams,
        querystring: Type.Object({ first: Seq, second: Seq }, { additionalProperties: false }),
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (req) => {
      const { first, second } = req.query;
      if (first > second) throw new VigilError('invalid_input', 'first must not exceed second');
      return auditLog.consistencyProof(tenantOf(req), first, second);
    },
  );

  app.post(
    '/api/v1/tenants/:tenantSlug/audit/verify',
    {
      config: { auth: read, rateLimit: { max: 6, timeWindow: '1 minute' } },
      schema: { tags: ['audit'], params: TenantParams, response: { 200: Type.Any(), ...errorResponses } },
    },
    async (req) => {
      const report = await verifyAuditLog(db, { tenantId: tenantOf(req) });
      await recordRead(req, 'audit.verify', { ok: report.ok, events: report.events });
      return report;
    },
  );

  app.get(
    '/api/v1/tenants/:tenantSlug/audit/bundle',
    {
      config: { auth: read, rateLimit: { max: 6, timeWindow: '1 minute' } },
      schema: { tags: ['audit'], params: TenantParams, response: { 200: Type.Any(), ...errorResponses } },
    },
    async (req, reply) => {
      await recordRead(req, 'audit.export');
      void reply.header('content-disposition', `attachment; filename="audit-${req.ctx.tenant!.slug}.json"`);
      return exportAuditBundle(db, tenantOf(req));
    },
  );
}
