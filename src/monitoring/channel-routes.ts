// The security officer's alert notification channels: list (with delivery counts), add, remove.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { RouteRule } from '../authz/route-rules.ts';
import { tenantContextOf as tctx } from '../platform/context.ts';
import {
  errorResponses,
  NoContent,
  oneOf,
  TenantParams,
  typedRoutes,
  Uuid,
} from '../platform/http-schemas.ts';
import type { AlertChannels } from './channels.ts';
import { SEVERITIES } from './types.ts';

const base = '/api/v1/tenants/:tenantSlug/alert-channels';
const MinSeverity = oneOf(SEVERITIES);
const ChannelBody = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('email'),
      to: Type.Array(Type.String({ format: 'email', maxLength: 254 }), { minItems: 1, maxItems: 10 }),
      minSeverity: MinSeverity,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('webhook'),
      url: Type.String({ pattern: '^https?://', maxLength: 2048 }),
      secret: Type.String({ minLength: 16, maxLength: 256 }),
      minSeverity: MinSeverity,
    },
    { additionalProperties: false },
  ),
]);
const ChannelParams = Type.Object(
  { tenantSlug: TenantParams.properties.tenantSlug, channelId: Uuid },
  { additionalProperties: false },
);

export function alertChannelRoutes(server: FastifyInstance, deps: { channels: AlertChannels }) {
  const app = typedRoutes(server);
  const { channels } = deps;
  const read: RouteRule = { tenant: ['read', 'Alert'] };
  const write: RouteRule = { tenant: ['update', 'Alert'] };
  app.get(
    base,
    {
      config: { auth: read },
      schema: {
        tags: ['monitoring'],
        params: TenantParams,
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (req) => ({ items: await channels.list(tctx(req)) }),
  );
  app.post(
    base,
    {
      config: { auth: write },
      schema: {
        tags: ['monitoring'],
        params: TenantParams,
        body: ChannelBody,
        response: { 201: Type.Any(), ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await channels.create(tctx(req), req.body)),
  );
  app.delete(
    `${base}/:channelId`,
    {
      config: { auth: write },
      schema: {
        tags: ['monitoring'],
        params: ChannelParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (req, reply) => {
      await channels.remove(tctx(req), req.params.channelId);
      return reply.status(204).send();
    },
  );
}
