// Public widget endpoints (no session): the script, visitor messages, history, the visitor
// WebSocket. Each checks the tenant's origin allow-list and, where needed, the visitor token.
import type {} from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import Type from 'typebox';
import { typingLimiter } from '../../conversations/index.ts';
import { VigilError } from '../../platform/errors.ts';
import { errorResponses } from '../../platform/http-schemas.ts';
import type { ChatService } from './service.ts';
import { widgetScript } from './widget-script.ts';

const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });
const Params = Type.Object({ tenantSlug: Slug }, { additionalProperties: false });
const MessageBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 4000 }),
    clientMessageId: Type.String({ pattern: '^[A-Za-z0-9._:-]{8,128}$' }),
    visitorToken: Type.Optional(Type.String({ maxLength: 400 })),
  },
  { additionalProperties: false },
);
const Posted = Type.Object({
  conversationId: Type.String(),
  messageId: Type.String(),
  visitorToken: Type.String(),
});

const bearer = (req: FastifyRequest) => /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];

interface WsLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  readonly readyState: number;
  on(ev: 'message', fn: (data: Buffer) => void): void;
  on(ev: 'close', fn: () => void): void;
}

export function chatRoutes(app: FastifyInstance, deps: { chat: ChatService; perIpPerMinute: number }) {
  const { chat } = deps;
  // Per address and tenant: the tenant's own limit where it set one (cached with the widget).
  const ipLimit = {
    max: async (req: FastifyRequest) => {
      const w = await chat.widgetFor((req.params as { tenantSlug?: string }).tenantSlug ?? '');
      return w?.limits.perIp ?? deps.perIpPerMinute;
    },
    keyGenerator: (req: FastifyRequest) =>
      `${(req.params as { tenantSlug?: string }).tenantSlug ?? ''}\0${req.ip}`,
    timeWindow: '1 minute',
  };

  const cors = (reply: FastifyReply, origin: string) =>
    reply
      .header('access-control-allow-origin', origin)
      .header('vary', 'Origin')
      .header('cross-origin-resource-policy', 'cross-origin');

  app.get(
    '/widget/:script',
    {
      config: { auth: { public: 'the embeddable chat widget script' } },
      schema: {
        tags: ['widget'],
        params: Type.Object(
          { script: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}\\.js$' }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const slug = (req.params as { script: string }).script.replace(/\.js$/, '');
      const w = await chat.widgetFor(slug);
      if (!w) throw new VigilError('not_found', 'not found');
      return reply
        .type('application/javascript; charset=utf-8')
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('cache-control', 'public, max-age=300')
        .send(widgetScript(slug, w.theme, w.tenant.name));
    },
  );

  for (const path of ['/api/v1/widget/:tenantSlug/messages']) {
    app.options(
      path,
      {
        config: { auth: { public: 'CORS preflight of the chat widget' } },
        schema: { params: Params },
      },
      async (req, reply) => {
        const origin = req.headers.origin;
        await chat.admit((req.params as { tenantSlug: string }).tenantSlug, origin);
        return cors(reply, origin!)
          .header('access-control-allow-methods', 'GET, POST')
          .header('access-control-allow-headers', 'content-type, authorization')
          .header('access-control-max-age', '600')
          .status(204)
          .send();
      },
    );
  }

  app.post(
    '/api/v1/widget/:tenantSlug/messages',
    {
      bodyLimit: 64 * 1024,
      config: {
        auth: { public: 'chat widget visitors (origin allow-list + signed visitor token)' },
        rateLimit: ipLimit,
      },
      schema: {
        tags: ['widget'],
        params: Params,
        body: MessageBody,
        response: { 200: Posted, 201: Posted, ...errorResponses },
      },
    },
    async (req, reply) => {
      const origin = req.headers.origin;
      const w = await chat.admit((req.params as { tenantSlug: string }).tenantSlug, origin);
      const body = req.body as { text: string; clientMessageId: string; visitorToken?: string };
      const r = await chat.postMessage(
        w,
        {
          text: body.text,
          clientMessageId: body.clientMessageId,
          visitorToken: bearer(req) ?? body.visitorToken,
        },
        { ip: req.ctx.ip, requestId: req.ctx.requestId, origin },
      );
      return cors(reply, origin!)
        .status(r.created ? 201 : 200)
        .send({ conversationId: r.conversationId, messageId: r.messageId, visitorToken: r.visitorToken });
    },
  );

  app.get(
    '/api/v1/widget/:tenantSlug/messages',
    {
      config: {
        auth: { public: 'chat widget visitors (origin allow-list + signed visitor token)' },
        rateLimit: ipLimit,
      },
      schema: { tags: ['widget'], params: Params },
    },
    async (req, reply) => {
      const origin = req.headers.origin;
      const w = await chat.admit((req.params as { tenantSlug: string }).tenantSlug, origin);
      return cors(reply, origin!).send(await chat.history(w, bearer(req)));
    },
  );

  app.get(
    '/api/v1/widget/:tenantSlug/ws',
    {
      config: {
        auth: { public: 'chat widget visitors (origin allow-list + signed visitor token)' },
        rateLimit: ipLimit,
      },
      schema: {
        tags: ['widget'],
        params: Params,
        querystring: Type.Object({ token: Type.String({ maxLength: 400 }) }, { additionalProperties: false }),
      },
      preHandler: async (req) => {
        const w = await chat.admit((req.params as { tenantSlug: string }).tenantSlug, req.headers.origin);
        if (!chat.visitorFromToken(w, (req.query as { token: string }).token))
          throw new VigilError('unauthenticated', 'a visitor token is required');
      },
      // The upgrade goes to wsHandler; a plain GET gets a clear 400 instead of an empty 404.
      wsHandler: async (socket: WsLike, req: FastifyRequest) => {
        const slug = (req.params as { tenantSlug: string }).tenantSlug;
        const token = (req.query as { token: string }).token;
        const w = await chat.admit(slug, req.headers.origin);
        const visitorId = chat.visitorFromToken(w, token)!;
        const unregister = chat.registerSocket(w.tenant.id, visitorId, socket);
        const allowTyping = typingLimiter();
        socket.on('close', unregister);
        socket.on('message', (data: Buffer) => {
          void (async () => {
            let m: { type?: unknown; text?: unknown; clientMessageId?: unknown };
            try {
              m = JSON.parse(data.toString('utf8')) as typeof m;
            } catch {
              socket.send(JSON.stringify({ type: 'error', code: 'invalid_json' }));
              return;
            }
            if (m?.type === 'typing') {
              if (allowTyping('visitor'))
                void chat.visitorTyping(w.tenant.id, visitorId).catch(() => {
                  // a lost typing hint is harmless
                });
              return;
            }
            if (
              m?.type !== 'message' ||
              typeof m.text !== 'string' ||
              m.text.length < 1 ||
              m.text.length > 4000 ||
              typeof m.clientMessageId !== 'string' ||
              !/^[A-Za-z0-9._:-]{8,128}$/.test(m.clientMessageId)
            ) {
              socket.send(JSON.stringify({ type: 'error', code: 'invalid_input' }));
              return;
            }
            try {
              const r = await chat.postMessage(
                w,
                { text: m.text, clientMessageId: m.clientMessageId, visitorToken: token },
                { ip: req.ctx.ip, requestId: req.ctx.requestId, origin: req.headers.origin },
              );
              // Acknowledged only after the commit.
              socket.send(
                JSON.stringify({
                  type: 'ack',
                  clientMessageId: m.clientMessageId,
                  conversationId: r.conversationId,
                  messageId: r.messageId,
                }),
              );
            } catch (e) {
              const code = e instanceof VigilError ? e.code : 'internal';
              if (code === 'internal') req.log.error({ err: e }, 'widget message failed');
              socket.send(JSON.stringify({ type: 'error', code, clientMessageId: m.clientMessageId }));
            }
          })();
        });
        socket.send(JSON.stringify({ type: 'hello' }));
      },
    } as RouteShorthandOptions,
    async () => {
      throw new VigilError('invalid_input', 'a WebSocket upgrade is required');
    },
  );
}
