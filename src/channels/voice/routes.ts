// Telephony integration API (tenant service token with scope calls:write, or a signed-in agent).
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { RouteRule } from '../../authz/route-rules.ts';
import { tenantContextOf as tctx } from '../../platform/context.ts';
import { errorResponses, TenantParams, typedRoutes } from '../../platform/http-schemas.ts';
import type { VoiceService } from './service.ts';

const rule: RouteRule = { tenant: ['create', 'Call'], tokenScope: 'calls:write' };
const base = '/api/v1/tenants/:tenantSlug/calls';
const CallParams = Type.Object(
  {
    tenantSlug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
    callId: Type.String({ format: 'uuid' }),
  },
  { additionalProperties: false },
);
const Phone = Type.String({ minLength: 3, maxLength: 40, pattern: '^[+0-9 ()./-]+$' });
const Time = Type.String({ format: 'date-time' });
const callId = (req: { params: { callId: string } }) => req.params.callId;

export function voiceRoutes(server: FastifyInstance, deps: { voice: VoiceService }) {
  const app = typedRoutes(server);
  const { voice } = deps;

  app.post(
    base,
    {
      config: { auth: rule },
      schema: {
        tags: ['voice'],
        params: TenantParams,
        body: Type.Object(
          {
            from: Phone,
            to: Phone,
            direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')]),
            startedAt: Type.Optional(Time),
            queueId: Type.Optional(Type.String({ format: 'uuid' })),
            externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            language: Type.Optional(Type.String({ pattern: '^[a-z]{2}$' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ callId: Type.String(), conversationId: Type.String() }),
          201: Type.Object({ callId: Type.String(), conversationId: Type.String() }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const r = await voice.createCall(tctx(req), req.body);
      return reply.status(r.created ? 201 : 200).send({ callId: r.callId, conversationId: r.conversationId });
    },
  );

  app.post(
    `${base}/:callId/consent`,
    {
      config: { auth: rule },
      schema: {
        tags: ['voice'],
        params: CallParams,
        body: Type.Object(
          {
            consent: Type.Union([Type.Literal('granted'), Type.Literal('denied')]),
            method: Type.Union([Type.Literal('ivr'), Type.Literal('agent')]),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ callId: Type.String(), consent: Type.String(), method: Type.String() }),
          ...errorResponses,
        },
      },
    },
    async (req) => voice.consent(tctx(req), callId(req), req.body),
  );

  app.post(
    `${base}/:callId/transcript`,
    {
      config: { auth: rule },
      bodyLimit: 512 * 1024,
      schema: {
        tags: ['voice'],
        params: CallParams,
        body: Type.Object(
          {
            segments: Type.Array(
              Type.Object(
                {
                  seq: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
                  speaker: Type.Union([
                    Type.Literal('customer'),
                    Type.Literal('agent'),
                    Type.Literal('ivr'),
                    Type.Literal('other'),
                  ]),
                  text: Type.String({ minLength: 1, maxLength: 5000 }),
                  startMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })),
                  endMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 100 },
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            callId: Type.String(),
            segments: Type.Array(
              Type.Object({ seq: Type.Integer(), messageId: Type.String(), created: Type.Boolean() }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await voice.transcript(tctx(req), callId(req), req.body.segments)),
  );

  app.post(
    `${base}/:callId/recording`,
    {
      config: { auth: rule },
      schema: {
        tags: ['voice'],
        params: CallParams,
        body: Type.Object(
          { ref: Type.String({ minLength: 1, maxLength: 1000 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ callId: Type.String(), hasRecording: Type.Boolean() }),
          ...errorResponses,
        },
      },
    },
    async (req) => voice.recording(tctx(req), callId(req), req.body.ref),
  );

  app.post(
    `${base}/:callId/end`,
    {
      config: { auth: rule },
      schema: {
        tags: ['voice'],
        params: CallParams,
        body: Type.Object(
          {
            endedAt: Type.Optional(Time),
            recordingRef: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            callId: Type.String(),
            conversationId: Type.String(),
            endedAt: Type.String(),
            hasRecording: Type.Boolean(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => voice.end(tctx(req), callId(req), req.body),
  );
}
