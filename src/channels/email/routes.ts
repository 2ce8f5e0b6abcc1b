// Agent API for the e-mail parts of a conversation: sanitized HTML (policy applied), attachment
// metadata, dropped parts and the outbound delivery state with its error code and retries.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ConversationParams } from '../../conversations/schema.ts';
import type { ConversationService } from '../../conversations/service.ts';
import { tenantContextOf as tctx } from '../../platform/context.ts';
import { errorResponses, typedRoutes } from '../../platform/http-schemas.ts';
import type { EmailService } from './service.ts';

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);
const EmailDetail = Type.Object({
  conversationId: Type.String(),
  messages: Type.Array(
    Type.Object({
      messageId: Type.String(),
      direction: Type.String(),
      html: Nullable(Type.String()),
      attachments: Type.Array(
        Type.Object({
          id: Type.String(),
          contentType: Type.String(),
          size: Type.Integer(),
          scanState: Type.Union([
            Type.Literal('pending'),
            Type.Literal('clean'),
            Type.Literal('infected'),
            Type.Literal('unscannable'),
            Type.Literal('deleted'),
          ]),
        }),
      ),
      dropped: Type.Array(
        Type.Object({ reason: Type.String(), contentType: Type.String(), size: Type.Integer() }),
      ),
      deliveryState: Type.String(),
      deliveryError: Nullable(Type.String()),
      attempts: Type.Integer(),
      nextAttemptAt: Nullable(Type.String()),
    }),
  ),
});

export function emailRoutes(
  server: FastifyInstance,
  deps: { email: EmailService; conversations: Pick<ConversationService, 'get'> },
) {
  const app = typedRoutes(server);
  app.get(
    '/api/v1/tenants/:tenantSlug/conversations/:conversationId/email',
    {
      config: { auth: { tenant: ['read', 'Conversation'] } },
      schema: {
        tags: ['conversations'],
        params: ConversationParams,
        response: { 200: EmailDetail, ...errorResponses },
      },
    },
    async (req) => {
      const ctx = tctx(req);
      const { conversationId } = req.params;
      // The conversation service decides visibility (queue scope, 404 + authz.denied) and records the read.
      await deps.conversations.get(ctx, conversationId);
      return deps.email.details(ctx, conversationId);
    },
  );
}
