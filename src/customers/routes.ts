// HTTP API of the customer CRM. Personal data travels only in bodies (lookup is a POST).
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TenantContext } from '../platform/context.ts';
import { errorResponses, TenantParams } from '../platform/http-schemas.ts';
import {
  CustomerIdParams,
  CustomerInput,
  CustomerListItem,
  CustomerView,
  ListQuery,
  LookupBody,
  MergeBody,
} from './schema.ts';
import type { CustomerService } from './service.ts';

const base = '/api/v1/tenants/:tenantSlug/customers';
const tctx = (req: { ctx: unknown }) => req.ctx as TenantContext;
const withErased = { ...errorResponses, 410: errorResponses[404] };
const ConversationQuery = Type.Object(
  { conversationId: Type.Optional(Type.String({ format: 'uuid' })) },
  { additionalProperties: false },
);

export function customerRoutes(app: FastifyInstance, deps: { customers: CustomerService }) {
  const { customers } = deps;

  app.get(
    base,
    {
      config: { auth: { tenant: ['read', 'Customer'] } },
      schema: {
        tags: ['customers'],
        params: TenantParams,
        querystring: ListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(CustomerListItem),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => customers.list(tctx(req), req.query as { limit?: number; cursor?: string }),
  );

  app.post(
    base,
    {
      config: { auth: { tenant: ['create', 'Customer'] } },
      schema: {
        tags: ['customers'],
        params: TenantParams,
        body: CustomerInput,
        response: { 201: CustomerView, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await customers.create(tctx(req), req.body as CustomerInput)),
  );

  app.post(
    `${base}/lookup`,
    {
      config: { auth: { tenant: ['read', 'Customer'] } },
      schema: {
        tags: ['customers'],
        params: TenantParams,
        body: LookupBody,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => customers.lookup(tctx(req), req.body as LookupBody),
  );

  app.get(
    `${base}/:customerId`,
    {
      config: { auth: { tenant: ['read', 'Customer'] } },
      schema: {
        tags: ['customers'],
        params: CustomerIdParams,
        querystring: Type.Object(
          { conversationId: Type.Optional(Type.String({ format: 'uuid' })) },
          { additionalProperties: false },
        ),
        response: { 200: CustomerView, ...withErased },
      },
    },
    async (req) => {
      const { customerId } = req.params as { customerId: string };
      const { conversationId } = req.query as { conversationId?: string };
      return customers.get(tctx(req), customerId, conversationId ? { conversationId } : {});
    },
  );

  app.patch(
    `${base}/:customerId`,
    {
      config: { auth: { tenant: ['update', 'Customer'] } },
      schema: {
        tags: ['customers'],
        params: CustomerIdParams,
        // Changes of e-mail, phone or address name the conversation in which the caller was verified.
        querystring: ConversationQuery,
        body: CustomerInput,
        response: { 200: CustomerView, ...withErased },
      },
    },
    async (req) =>
      customers.update(
        tctx(req),
        (req.params as { customerId: string }).customerId,
        req.body as CustomerInput,
        (req.query as { conversationId?: string }).conversationId,
      ),
  );

  app.post(
    `${base}/:customerId/merge`,
    {
      config: { auth: { tenant: ['update', 'Customer'] } },
      schema: {
        tags: ['customers'],
        params: CustomerIdParams,
        // Contact data the duplicate brings is a change: it names the verified conversation too.
        querystring: ConversationQuery,
        body: MergeBody,
        response: { 200: CustomerView, ...withErased },
      },
    },
    async (req) =>
      customers.merge(
        tctx(req),
        (req.params as { customerId: string }).customerId,
        (req.body as { otherId: string }).otherId,
        (req.query as { conversationId?: string }).conversationId,
      ),
  );
}
