// HTTP: automated replies (bots, macros, templates) go out only through the outbound guard.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TenantContext } from '../platform/context.ts';
import { errorResponses } from '../platform/http-schemas.ts';
import type { AutomatedReplies } from './outbound-guard.ts';
import type { TrainingExport } from './training-export.ts';

const Params = Type.Object(
  {
    tenantSlug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
    conversationId: Type.String({ format: 'uuid' }),
  },
  { additionalProperties: false },
);

export function automationRoutes(
  app: FastifyInstance,
  deps: { automated: AutomatedReplies; trainingExport: TrainingExport },
): void {
  app.post(
    '/api/v1/tenants/:tenantSlug/automation/training-exports',
    {
      config: { auth: { tenant: ['export', 'AutomationData'] } },
      schema: {
        tags: ['automation'],
        params: Type.Object(
          { tenantSlug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }) },
          { additionalProperties: false },
        ),
        body: Type.Object(
          {
            reason: Type.String({ minLength: 10, maxLength: 500 }),
            k: Type.Optional(Type.Integer({ minimum: 2, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
        response: errorResponses,
      },
    },
    async (req) =>
      deps.trainingExport.run(req.ctx as TenantContext, req.body as { reason: string; k?: number }),
  );

  app.post(
    '/api/v1/tenants/:tenantSlug/conversations/:conversationId/automated-replies',
    {
      config: { auth: { tenant: ['reply', 'Conversation'] } },
      schema: {
        tags: ['conversations'],
        params: Params,
        body: Type.Object(
          {
            text: Type.String({ minLength: 1, maxLength: 10_000 }),
            source: Type.Union([Type.Literal('bot'), Type.Literal('macro'), Type.Literal('template')]),
          },
          { additionalProperties: false },
        ),
        response: errorResponses,
      },
    },
    async (req) => {
      const { conversationId } = req.params as { conversationId: string };
      return deps.automated.send(
        req.ctx as TenantContext,
        conversationId,
        req.body as { text: string; source: 'bot' | 'macro' | 'template' },
      );
    },
  );
}
