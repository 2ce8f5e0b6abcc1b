// /scim/v2: the SCIM protocol endpoints (authenticated by a tenant's SCIM token, rule `scim`), and
// the tenant admin's endpoints for tokens and the group → role mapping.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { AuditRecorder } from '../../platform/audit-port.ts';
import { tenantContextOf as tctx } from '../../platform/context.ts';
import { notFound } from '../../platform/errors.ts';
import { typedRoutes } from '../../platform/http-schemas.ts';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery.ts';
import { scimErrorHandler } from './errors.ts';
import type { ScimGroups } from './groups.ts';
import { type ScimUsers, serviceEvent } from './users.ts';

const SCIM = { auth: { scim: true as const } };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const Resource = Type.Record(Type.String(), Type.Unknown());
const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
const ListQuerySchema = Type.Object(
  {
    filter: Type.Optional(Type.String({ maxLength: 1000 })),
    startIndex: Type.Optional(Type.Integer({ minimum: 1 })),
    count: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    attributes: Type.Optional(Type.String({ maxLength: 1000 })),
    excludedAttributes: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
const PatchBody = Type.Object(
  {
    schemas: Type.Optional(Type.Array(Type.String())),
    Operations: Type.Array(
      Type.Object(
        {
          op: Type.String({ maxLength: 16 }),
          path: Type.Optional(Type.String({ maxLength: 1000 })),
          value: Type.Optional(Type.Unknown()),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: true },
);

const baseUrl = (req: FastifyRequest) => `${req.protocol}://${req.host}/scim/v2`;
const idOf = (req: { params: { id: string } }) => {
  const { id } = req.params;
  if (!UUID.test(id)) throw notFound('resource');
  return id;
};

export function scimRoutes(
  server: FastifyInstance,
  deps: { users: ScimUsers; groups: ScimGroups; audit: AuditRecorder },
): void {
  const app = typedRoutes(server);
  const { users, groups } = deps;
  // Reads of staff records are audited before they are returned (ids and counts only).
  const recordRead = (req: FastifyRequest, action: string, resourceId: string | null, returned: number) =>
    deps.audit.standalone({
      ...serviceEvent(tctx(req), action, 'scim_user', resourceId ?? tctx(req).tenant.id),
      meta: { returned },
    });
  void app.register(async (plain) => {
    const scim = typedRoutes(plain);
    scim.setErrorHandler(scimErrorHandler);
    // Identity providers send their content type on every request, DELETE and GET included, with
    // an empty body: an empty body is no body (routes with a body schema still refuse it).
    const json = scim.getDefaultJsonParser('error', 'error');
    const orEmpty: typeof json = (req, body, done) =>
      body === '' ? done(null, undefined) : json(req, body, done);
    scim.removeContentTypeParser('application/json');
    for (const type of ['application/scim+json', 'application/json'])
      scim.addContentTypeParser(type, { parseAs: 'string' }, orEmpty);
    scim.addHook('onSend', async (_req, reply, payload) => {
      if (String(reply.getHeader('content-type') ?? '').startsWith('application/json'))
        reply.header('content-type', 'application/scim+json; charset=utf-8');
      return payload;
    });

    scim.get('/scim/v2/ServiceProviderConfig', { config: SCIM }, async (req) =>
      serviceProviderConfig(baseUrl(req)),
    );
    scim.get('/scim/v2/ResourceTypes', { config: SCIM }, async (req) => resourceTypes(baseUrl(req)));
    scim.get('/scim/v2/Schemas', { config: SCIM }, async (req) => schemas(baseUrl(req)));

    scim.get('/scim/v2/Users', { config: SCIM, schema: { querystring: ListQuerySchema } }, async (req) => {
      const list = await users.list(tctx(req).tenant.id, req.query, baseUrl(req));
      await recordRead(req, 'scim.user.list', null, (list.Resources as unknown[]).length);
      return list;
    });
    scim.post('/scim/v2/Users', { config: SCIM, schema: { body: Resource } }, async (req, reply) =>
      reply.status(201).send(await users.create(tctx(req), req.body, baseUrl(req))),
    );
    scim.get('/scim/v2/Users/:id', { config: SCIM, schema: { params: IdParams } }, async (req) => {
      const user = await users.get(tctx(req).tenant.id, idOf(req), baseUrl(req));
      await recordRead(req, 'scim.user.read', user.id as string, 1);
      return user;
    });
    scim.put(
      '/scim/v2/Users/:id',
      { config: SCIM, schema: { params: IdParams, body: Resource } },
      async (req) => users.replace(tctx(req), idOf(req), req.body, baseUrl(req)),
    );
    scim.patch(
      '/scim/v2/Users/:id',
      { config: SCIM, schema: { params: IdParams, body: PatchBody } },
      async (req) => users.patch(tctx(req), idOf(req), req.body.Operations, baseUrl(req)),
    );
    scim.delete('/scim/v2/Users/:id', { config: SCIM, schema: { params: IdParams } }, async (req, reply) => {
      await users.remove(tctx(req), idOf(req));
      return reply.status(204).send();
    });

    scim.get('/scim/v2/Groups', { config: SCIM, schema: { querystring: ListQuerySchema } }, async (req) => {
      const q = req.query;
      const exclude = /(^|,)\s*members\s*(,|$)/i.test(q.excludedAttributes ?? '');
      return groups.list(tctx(req).tenant.id, q, baseUrl(req), exclude);
    });
    scim.post('/scim/v2/Groups', { config: SCIM, schema: { body: Resource } }, async (req, reply) =>
      reply.status(201).send(await groups.create(tctx(req), req.body, baseUrl(req))),
    );
    scim.get('/scim/v2/Groups/:id', { config: SCIM, schema: { params: IdParams } }, async (req) =>
      groups.get(tctx(req).tenant.id, idOf(req), baseUrl(req)),
    );
    scim.put(
      '/scim/v2/Groups/:id',
      { config: SCIM, schema: { params: IdParams, body: Resource } },
      async (req) => groups.replace(tctx(req), idOf(req), req.body, baseUrl(req)),
    );
    scim.patch(
      '/scim/v2/Groups/:id',
      { config: SCIM, schema: { params: IdParams, body: PatchBody } },
      async (req, reply) => {
        await groups.patch(tctx(req), idOf(req), req.body.Operations, baseUrl(req));
        // Entra ID and Okta both accept 204 for group PATCH; it spares sending large member lists.
        return reply.status(204).send();
      },
    );
    scim.delete('/scim/v2/Groups/:id', { config: SCIM, schema: { params: IdParams } }, async (req, reply) => {
      await groups.remove(tctx(req), idOf(req));
      return reply.status(204).send();
    });
  });
}
