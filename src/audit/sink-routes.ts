// A tenant's own SIEM sinks over HTTP, for its security officers and admins: list with delivery
// status, create, change (URL, secret, format, enabled), delete and a one-off test delivery.
// The secret is write-only: it is never returned. Also the tenant's audit retention setting.

import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { RouteRule } from '../authz/route-rules.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import { tenantContextOf as tctx } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { errorResponses, NoContent, TenantParams, typedRoutes, Uuid } from '../platform/http-schemas.ts';
import { SINK_FORMATS } from './formats.ts';
import { createRetentionSettings, type RetentionSettings } from './retention-settings.ts';
import { createTenantSinkService, type TenantSinkService } from './tenant-sinks.ts';

const manage: RouteRule = { tenant: ['manage', 'AuditSink'] };
const Format = Type.Enum(SINK_FORMATS);
const Url = Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2048 });
const Secret = Type.String({ minLength: 16, maxLength: 256 });
const SinkParams = Type.Object(
  { tenantSlug: TenantParams.properties.tenantSlug, sinkId: Uuid },
  { additionalProperties: false },
);
const SinkView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  url: Type.String(),
  format: Format,
  enabled: Type.Boolean(),
  failures: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastDeliveryAt: Type.Union([Type.String(), Type.Null()]),
  deliveredSeq: Type.Integer(),
  headSeq: Type.Integer(),
  createdAt: Type.String(),
});

export function auditSinkRoutes(server: FastifyInstance, deps: { sinks: TenantSinkService }) {
  const app = typedRoutes(server);
  const { sinks } = deps;
  const base = '/api/v1/tenants/:tenantSlug/audit/sinks';

  app.get(
    base,
    {
      config: { auth: manage },
      schema: {
        tags: ['audit'],
        params: TenantParams,
        response: { 200: Type.Object({ sinks: Type.Array(SinkView) }), ...errorResponses },
      },
    },
    async (req) => ({ sinks: await sinks.list(ctx(req)) }),
  );

  app.post(
    base,
    {
      config: { auth: manage, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['audit'],
        params: TenantParams,
        body: Type.Object(
          {
            name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$' }),
            url: Url,
            secret: Secret,
            format: Format,
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: SinkView, ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = await sinks.create(ctx(req), req.body);
      return reply.code(201).send(view);
    },
  );

  app.patch(
    `${base}/:sinkId`,
    {
      config: { auth: manage, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['audit'],
        params: SinkParams,
        body: Type.Object(
          {
            url: Type.Optional(Url),
            secret: Type.Optional(Secret),
            format: Type.Optional(Format),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: SinkView, ...errorResponses },
      },
    },
    async (req) => sinks.update(ctx(req), req.params.sinkId, req.body),
  );

  app.delete(
    `${base}/:sinkId`,
    {
      config: { auth: manage },
      schema: { tags: ['audit'], params: SinkParams, response: { 204: NoContent, ...errorResponses } },
    },
    async (req, reply) => {
      await sinks.remove(ctx(req), req.params.sinkId);
      return reply.code(204).send();
    },
  );

  app.post(
    `${base}/:sinkId/test`,
    {
      config: { auth: manage, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['audit'],
        params: SinkParams,
        response: {
          200: Type.Object({
            delivered: Type.Boolean(),
            status: Type.Optional(Type.Integer()),
            error: Type.Optional(Type.String()),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => sinks.test(ctx(req), req.params.sinkId),
  );
}

/** Retention of the tenant's audit events (days; default 365), for its admins. */
export function auditRetentionRoutes(server: FastifyInstance, deps: { retention: RetentionSettings }) {
  const app = typedRoutes(server);
  const { retention } = deps;
  const path = '/api/v1/tenants/:tenantSlug/audit/retention';
  const rule: RouteRule = { tenant: ['manage', 'TenantSettings'] };
  const View = Type.Object({ days: Type.Integer(), isDefault: Type.Boolean() });
  app.get(
    path,
    {
      config: { auth: rule },
      schema: { tags: ['audit'], params: TenantParams, response: { 200: View, ...errorResponses } },
    },
    async (req) => retention.read(ctx(req)),
  );
  app.put(
    path,
    {
      config: { auth: rule },
      schema: {
        tags: ['audit'],
        params: TenantParams,
        body: Type.Object(
          { days: Type.Integer({ minimum: 30, maximum: 3650 }) },
          { additionalProperties: false },
        ),
        response: { 200: View, ...errorResponses },
      },
    },
    async (req) => retention.update(ctx(req), req.body.days),
  );
}

const ctx = tctx;

/** The service and its routes, as app.ts wires them. */
export function registerAuditSinks(
  server: FastifyInstance,
  deps: { db: Database; audit: AuditRecorder; keyring: Keyring; allowPrivateTargets: boolean },
): TenantSinkService {
  const app = typedRoutes(server);
  const sinks = createTenantSinkService(deps);
  auditSinkRoutes(app, { sinks });
  auditRetentionRoutes(app, { retention: createRetentionSettings(deps) });
  return sinks;
}
