// HTTP API for agents: conversations, replies, notes, assignment, status, reveal, live updates.
import type {} from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from 'fastify';
import Type from 'typebox';
import type { TenantContext } from '../platform/context.ts';
import { VigilError } from '../platform/errors.ts';
import { errorResponses, TenantParams } from '../platform/http-schemas.ts';
import type { LiveHub, LiveSocket } from './live.ts';
import {
  AssignBody,
  ConversationParams,
  Detail,
  InboxItem,
  ListQuery,
  PatchBody,
  RevealBody,
  Summary,
  TextBody,
  Written,
} from './schema.ts';
import type { ConversationService } from './service.ts';
import { typingLimiter } from './typing.ts';

const base = '/api/v1/tenants/:tenantSlug/conversations';
const one = `${base}/:conversationId`;
const tctx = (req: { ctx: unknown }) => req.ctx as TenantContext;
const idOf = (req: { params: unknown }) => (req.params as { conversationId: string }).conversationId;

export function conversationRoutes(
  app: FastifyInstance,
  deps: {
    conversations: ConversationService;
    hub: LiveHub;
    /** An agent's typing frame (checked and forwarded by the caller). */
    onTyping?: (ctx: TenantContext, frame: unknown) => void;
  },
) {
  const { conversations, hub } = deps;

  app.get(
    base,
    {
      config: { auth: { tenant: ['read', 'Conversation'] } },
      schema: {
        tags: ['conversations'],
        params: TenantParams,
        querystring: ListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(InboxItem),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => conversations.list(tctx(req), req.query as Parameters<ConversationService['list']>[1]),
  );

  app.get(
    one,
    {
      config: { auth: { tenant: ['read', 'Conversation'] } },
      schema: {
        tags: ['conversations'],
        params: ConversationParams,
        response: { 200: Detail, ...errorResponses },
      },
    },
    async (req) => conversations.get(tctx(req), idOf(req)),
  );

  app.patch(
    one,
    {
      config: { auth: { tenant: ['update', 'Conversation'] } },
      schema: {
        tags: ['conversations'],
        params: ConversationParams,
        body: PatchBody,
        response: { 200: Summary, ...errorResponses },
      },
    },
    async (req) =>
      conversations.update(
        tctx(req),
        idOf(req),
        req.body as { status?: string; priority?: string; tags?: string[] },
      ),
  );

  app.post(
    `${one}/messages`,
    {
      config: { auth: { tenant: ['reply', 'Conversation'] } },
      schema: {
        tags: ['conversations'],
        params: ConversationParams,
        body: TextBody,
        response: { 201: Written, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await conversations.reply(tctx(req), idOf(req), (req.body as { text: string }).text)),
  );

  app.post(
    `${one}/notes`,
    {
      config: { auth: { tenant: ['update', 'Conversation'] } },
      schema: {
        tags: ['conversations'],
        params: ConversationParams,
        body: TextBody,
        response: { 201: Written, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await conversations.note(tctx(req), idOf(req), (req.body as { text: string }).text)),
  );

  app.post(
    `${one}/assign`,
    {
      config: { auth: { tenant: ['update', 'Conversation'] } },
      schema: {
        tags: ['conversations'],
        params: ConversationParams,
        body: AssignBody,
        response: {
          200: Type.Object({
            id: Type.String(),
            queueId: Type.Union([Type.String(), Type.Null()]),
            assigneeId: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      conversations.assign(
        tctx(req),
        idOf(req),
        req.body as { userId?: string | null; mode?: 'round_robin' },
      ),
  );

  app.post(
    `${one}/reveal`,
    {
      config: { auth: { tenant: ['reveal', 'Customer'] }, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['conversations'],
        params: ConversationParams,
        body: RevealBody,
        response: {
          200: Type.Object({ token: Type.String(), type: Type.String(), value: Type.String() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { token, reason, acknowledgeUnassigned } = req.body as {
        token: string;
        reason: string;
        acknowledgeUnassigned?: boolean;
      };
      return conversations.reveal(tctx(req), idOf(req), token, reason, acknowledgeUnassigned);
    },
  );

  // Live updates: ids only; the client fetches content through the API above.
  app.get(
    '/api/v1/tenants/:tenantSlug/live',
    {
      config: { auth: { tenant: ['read', 'Conversation'] } },
      schema: { tags: ['conversations'], params: TenantParams },
      preHandler: async (req) => {
        // Cross-site WebSocket hijacking: a browser always sends Origin; it must be our own host.
        const origin = req.headers.origin;
        if (origin) {
          let host: string | null = null;
          try {
            host = new URL(origin).host;
          } catch {
            host = null;
          }
          if (host !== req.headers.host)
            throw new VigilError('forbidden', 'cross-origin live connection refused');
        }
      },
      // The upgrade goes to wsHandler; a plain GET gets a clear 400 instead of an empty 404.
      wsHandler: async (
        socket: LiveSocket & { on(ev: string, fn: (...a: unknown[]) => void): void },
        req: FastifyRequest,
      ) => {
        const ctx = tctx(req);
        const scope = await conversations.liveScope(ctx);
        const unregister = hub.register({
          userId: ctx.actor.id ?? '',
          tenantId: ctx.tenant.id,
          scope,
          socket,
        });
        socket.on('close', unregister);
        // The one frame a client sends: "typing" (ids only); everything else goes through the API.
        const allow = typingLimiter();
        socket.on('message', (data: unknown) => {
          const raw = String(data);
          if (raw.length > 256 || !deps.onTyping) return;
          let frame: { conversationId?: unknown };
          try {
            frame = JSON.parse(raw) as typeof frame;
          } catch {
            return;
          }
          if (allow(String(frame?.conversationId))) deps.onTyping(ctx, frame);
        });
        socket.send(JSON.stringify({ type: 'hello', tenantId: ctx.tenant.id }));
      },
    } as RouteShorthandOptions,
    async () => {
      throw new VigilError('invalid_input', 'a WebSocket upgrade is required');
    },
  );
}
