// HTTP API of the agent inbox beyond the conversation itself (issue 25): search (POST: a query
// may be an e-mail address and never goes into a URL), snooze, the customer panel and its reveal,
// canned replies and macros (written by supervisors and tenant admins, used by agents).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { tenantContextOf } from '../platform/context.ts';
import { errorResponses, TenantParams, Uuid } from '../platform/http-schemas.ts';
import { type CustomerPanel, PANEL_FIELDS } from './customer-panel.ts';
import type { Macros } from './macros.ts';
import { ChannelName, ConversationParams, InboxItem, Status, View } from './schema.ts';
import type { ConversationSearch } from './search.ts';
import type { Snooze } from './snooze.ts';

const base = '/api/v1/tenants/:tenantSlug';
const Language = Type.String({ pattern: '^[a-z]{2}$' });
const MacroStatus = Type.Union([
  Type.Literal('open'),
  Type.Literal('pending'),
  Type.Literal('resolved'),
  Type.Null(),
]);
const Macro = Type.Object({
  id: Type.String(),
  name: Type.String(),
  language: Type.String(),
  body: Type.String(),
  setStatus: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String(),
});
const MacroBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    language: Language,
    body: Type.String({ minLength: 1, maxLength: 5000 }),
    setStatus: Type.Optional(MacroStatus),
  },
  { additionalProperties: false },
);
const MacroParams = Type.Object(
  { tenantSlug: TenantParams.properties.tenantSlug, macroId: Uuid },
  { additionalProperties: false },
);
const SearchBody = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 200 }),
    view: Type.Optional(View),
    queue: Type.Optional(Uuid),
    status: Type.Optional(Status),
    channel: Type.Optional(ChannelName),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
const PanelField = Type.Union(PANEL_FIELDS.map((f) => Type.Literal(f)));
const Page = Type.Object({
  items: Type.Array(InboxItem),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export function inboxRoutes(
  http: FastifyInstance,
  deps: { search: ConversationSearch; snooze: Snooze; panel: CustomerPanel; macros: Macros },
) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['conversations'];

  app.post(
    `${base}/conversations/search`,
    {
      config: { auth: { tenant: ['read', 'Conversation'] }, rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: { tags, params: TenantParams, body: SearchBody, response: { 200: Page, ...errorResponses } },
    },
    async (req) => deps.search.search(tenantContextOf(req), req.body),
  );

  app.post(
    `${base}/conversations/:conversationId/snooze`,
    {
      config: { auth: { tenant: ['update', 'Conversation'] } },
      schema: {
        tags,
        params: ConversationParams,
        body: Type.Object(
          { until: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ id: Type.String(), snoozedUntil: Type.Union([Type.String(), Type.Null()]) }),
          ...errorResponses,
        },
      },
    },
    async (req) => deps.snooze.snooze(tenantContextOf(req), req.params.conversationId, req.body.until),
  );

  app.get(
    `${base}/conversations/:conversationId/customer-panel`,
    {
      config: { auth: { tenant: ['read', 'Customer'] } },
      schema: {
        tags,
        params: ConversationParams,
        response: {
          200: Type.Object({
            customerId: Type.String(),
            ref: Type.String(),
            assignedToMe: Type.Boolean(),
            fields: Type.Array(
              Type.Object({
                field: Type.String(),
                count: Type.Integer(),
                values: Type.Array(Type.String()),
                masked: Type.Boolean(),
              }),
            ),
            given: Type.Array(Type.Object({ type: Type.String(), token: Type.String() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => deps.panel.view(tenantContextOf(req), req.params.conversationId),
  );

  app.post(
    `${base}/conversations/:conversationId/customer-panel/reveal`,
    {
      config: { auth: { tenant: ['reveal', 'Customer'] }, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags,
        params: ConversationParams,
        body: Type.Object(
          {
            field: PanelField,
            reason: Type.String({ minLength: 10, maxLength: 500 }),
            acknowledgeUnassigned: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ field: Type.String(), values: Type.Array(Type.String()) }),
          ...errorResponses,
        },
      },
    },
    async (req) => deps.panel.reveal(tenantContextOf(req), req.params.conversationId, req.body),
  );

  app.get(
    `${base}/macros`,
    {
      config: { auth: { tenant: ['read', 'Queue'] } },
      schema: {
        tags,
        params: TenantParams,
        querystring: Type.Object({ language: Type.Optional(Language) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Macro) }), ...errorResponses },
      },
    },
    async (req) => deps.macros.list(tenantContextOf(req), req.query.language),
  );

  // Macros are queue configuration: whoever may change queues (supervisors, tenant admins) writes them.
  app.post(
    `${base}/macros`,
    {
      config: { auth: { tenant: ['update', 'Queue'] } },
      schema: { tags, params: TenantParams, body: MacroBody, response: { 201: Macro, ...errorResponses } },
    },
    async (req, reply) => reply.status(201).send(await deps.macros.create(tenantContextOf(req), req.body)),
  );

  app.patch(
    `${base}/macros/:macroId`,
    {
      config: { auth: { tenant: ['update', 'Queue'] } },
      schema: {
        tags,
        params: MacroParams,
        body: Type.Partial(MacroBody, { additionalProperties: false, minProperties: 1 }),
        response: { 200: Macro, ...errorResponses },
      },
    },
    async (req) => deps.macros.update(tenantContextOf(req), req.params.macroId, req.body),
  );

  app.delete(
    `${base}/macros/:macroId`,
    {
      config: { auth: { tenant: ['update', 'Queue'] } },
      schema: { tags, params: MacroParams, response: { 204: Type.Null(), ...errorResponses } },
    },
    async (req, reply) => {
      await deps.macros.remove(tenantContextOf(req), req.params.macroId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${base}/conversations/:conversationId/macros/:macroId/render`,
    {
      config: { auth: { tenant: ['reply', 'Conversation'] } },
      schema: {
        tags,
        params: Type.Object(
          { ...ConversationParams.properties, macroId: Uuid },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            macroId: Type.String(),
            text: Type.String(),
            setStatus: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => deps.macros.render(tenantContextOf(req), req.params.conversationId, req.params.macroId),
  );
}
