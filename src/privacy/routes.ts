// HTTP API of data-subject requests, for the DPO (permission `manage SubjectRequest`).
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { CustomerInput } from '../customers/schema.ts';
import { tenantContextOf as tctx } from '../platform/context.ts';
import { renderDocPdf } from '../platform/documents.ts';
import { errorResponses, oneOf, typedRoutes } from '../platform/http-schemas.ts';
import { exportDoc, renderExportHtml } from './html.ts';
import { IDENTITY_METHODS, type PrivacyService, REQUEST_TYPES } from './service.ts';

const base = '/api/v1/tenants/:tenantSlug/privacy';
const rule = { tenant: ['manage', 'SubjectRequest'] as ['manage', 'SubjectRequest'] };
const withErased = { ...errorResponses, 410: errorResponses[404], 423: errorResponses[404] };
const Uuid = Type.String({ format: 'uuid' });
const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });
const CustomerParams = Type.Object({ tenantSlug: Slug, customerId: Uuid }, { additionalProperties: false });
const RequestParams = Type.Object({ tenantSlug: Slug, id: Uuid }, { additionalProperties: false });
const RequestBody = Type.Object({ requestId: Uuid }, { additionalProperties: false });
// The customer fields the DPO may rectify (consents have their own records).
const RectifyBody = Type.Object(
  {
    requestId: Uuid,
    changes: Type.Omit(CustomerInput, ['consents'], { additionalProperties: false, minProperties: 1 }),
  },
  { additionalProperties: false },
);

export function privacyRoutes(server: FastifyInstance, deps: { privacy: PrivacyService }) {
  const app = typedRoutes(server);
  const { privacy } = deps;

  app.post(
    `${base}/requests`,
    {
      config: { auth: rule },
      schema: {
        tags: ['privacy'],
        params: Type.Object({ tenantSlug: Slug }, { additionalProperties: false }),
        body: Type.Object(
          {
            customerId: Uuid,
            type: oneOf(REQUEST_TYPES),
            identityCheck: Type.Object({ method: oneOf(IDENTITY_METHODS) }, { additionalProperties: false }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Any(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply.status(201).send(await privacy.createRequest(tctx(req), b));
    },
  );

  app.get(
    `${base}/requests`,
    {
      config: { auth: rule },
      schema: {
        tags: ['privacy'],
        params: Type.Object({ tenantSlug: Slug }, { additionalProperties: false }),
        querystring: Type.Object(
          {
            state: Type.Optional(oneOf(['received', 'in_effect', 'completed', 'rejected'] as const)),
            customerId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (req) => privacy.listRequests(tctx(req), req.query),
  );

  app.get(
    `${base}/requests/:id`,
    {
      config: { auth: rule },
      schema: { tags: ['privacy'], params: RequestParams, response: { 200: Type.Any(), ...errorResponses } },
    },
    async (req) => privacy.getRequest(tctx(req), req.params.id),
  );

  app.post(
    `${base}/requests/:id/close`,
    {
      config: { auth: rule },
      schema: {
        tags: ['privacy'],
        params: RequestParams,
        body: Type.Object(
          { outcome: Type.Union([Type.Literal('completed'), Type.Literal('rejected')]) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (req) => privacy.closeRequest(tctx(req), req.params.id, req.body.outcome),
  );

  app.get(
    `${base}/customers/:customerId/export`,
    {
      config: { auth: rule },
      schema: {
        tags: ['privacy'],
        params: CustomerParams,
        querystring: Type.Object(
          {
            format: Type.Optional(
              Type.Union([Type.Literal('json'), Type.Literal('html'), Type.Literal('pdf')]),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Any(), ...withErased },
      },
    },
    async (req, reply) => {
      const e = await privacy.exportSubject(tctx(req), req.params.customerId);
      reply.header('cache-control', 'no-store');
      const format = req.query.format;
      if (format === 'html') return reply.type('text/html; charset=utf-8').send(renderExportHtml(e));
      if (format === 'pdf') {
        reply.header('content-disposition', 'attachment; filename="subject-export.pdf"');
        return reply.type('application/pdf').send(Buffer.from(await renderDocPdf(exportDoc(e))));
      }
      reply.header('content-disposition', 'attachment; filename="subject-export.json"');
      return e;
    },
  );

  app.post(
    `${base}/customers/:customerId/rectify`,
    {
      config: { auth: rule },
      schema: {
        tags: ['privacy'],
        params: CustomerParams,
        body: RectifyBody,
        response: { 200: Type.Any(), ...withErased },
      },
    },
    async (req) => {
      const body = req.body;
      return privacy.rectify(tctx(req), req.params.customerId, body.requestId, body.changes);
    },
  );

  for (const [action, fn] of [
    ['erase', privacy.erase],
    ['restrict', privacy.restrict],
    ['unrestrict', privacy.unrestrict],
  ] as const)
    app.post(
      `${base}/customers/:customerId/${action}`,
      {
        config: { auth: rule },
        schema: {
          tags: ['privacy'],
          params: CustomerParams,
          body: RequestBody,
          response: { 200: Type.Any(), ...withErased },
        },
      },
      async (req) => fn(tctx(req), req.params.customerId, req.body.requestId),
    );
}
