// HTTP: an agent reads one message translated, sends a reply translated into the customer's
// language, or asks which language the customer writes. Rules: read/reply on Conversation.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TenantContext } from '../platform/context.ts';
import { errorResponses } from '../platform/http-schemas.ts';
import { LANGUAGES, type Language } from './provider.ts';
import type { TranslationService } from './service.ts';

const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });
const Lang = Type.Union(LANGUAGES.map((l) => Type.Literal(l)));
const ConversationParams = Type.Object(
  { tenantSlug: Slug, conversationId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
const MessageParams = Type.Object(
  {
    tenantSlug: Slug,
    conversationId: Type.String({ format: 'uuid' }),
    messageId: Type.String({ format: 'uuid' }),
  },
  { additionalProperties: false },
);

export function translationRoutes(app: FastifyInstance, deps: { translation: TranslationService }): void {
  const base = '/api/v1/tenants/:tenantSlug/conversations/:conversationId';
  app.post(
    `${base}/messages/:messageId/translation`,
    {
      config: { auth: { tenant: ['read', 'Conversation'] } },
      schema: {
        tags: ['conversations'],
        params: MessageParams,
        body: Type.Object({ to: Lang, from: Type.Optional(Lang) }, { additionalProperties: false }),
        response: errorResponses,
      },
    },
    async (req) => {
      const { conversationId, messageId } = req.params as { conversationId: string; messageId: string };
      return deps.translation.translateMessage(
        req.ctx as TenantContext,
        conversationId,
        messageId,
        req.body as { to: Language; from?: Language },
      );
    },
  );

  app.post(
    `${base}/translated-reply`,
    {
      config: { auth: { tenant: ['reply', 'Conversation'] } },
      schema: {
        tags: ['conversations'],
        params: ConversationParams,
        body: Type.Object(
          { text: Type.String({ minLength: 1, maxLength: 10_000 }), from: Lang, to: Type.Optional(Lang) },
          { additionalProperties: false },
        ),
        response: errorResponses,
      },
    },
    async (req) => {
      const { conversationId } = req.params as { conversationId: string };
      return deps.translation.replyTranslated(
        req.ctx as TenantContext,
        conversationId,
        req.body as { text: string; from: Language; to?: Language },
      );
    },
  );

  app.get(
    `${base}/language`,
    {
      config: { auth: { tenant: ['read', 'Conversation'] } },
      schema: { tags: ['conversations'], params: ConversationParams, response: errorResponses },
    },
    async (req) => {
      const { conversationId } = req.params as { conversationId: string };
      return deps.translation.language(req.ctx as TenantContext, conversationId);
    },
  );
}
