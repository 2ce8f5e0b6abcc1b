// HTTP API of caller verification: the tenant's policy (tenant admins), the state of a
// conversation's verification and the attempts (agents and supervisors: verify Customer).
// Answers travel only in request bodies and are never echoed; responses carry pass/fail only.
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import type { ChatService } from '../channels/chat/service.ts';
import { systemContext } from '../ingest/index.ts';
import { tenantContextOf as tctx } from '../platform/context.ts';
import { VigilError } from '../platform/errors.ts';
import { errorResponses, oneOf, TenantParams, typedRoutes } from '../platform/http-schemas.ts';
import { FACTORS, UNLOCKABLE } from './normalize.ts';
import type { VerificationService } from './service.ts';

const FactorSchema = oneOf(FACTORS);
const UnlockSchema = oneOf(UNLOCKABLE);

const Policy = Type.Object(
  {
    factors: Type.Array(FactorSchema, { minItems: 1, maxItems: FACTORS.length, uniqueItems: true }),
    required: Type.Integer({ minimum: 1, maximum: FACTORS.length }),
    maxAttempts: Type.Integer({ minimum: 1, maximum: 10 }),
    validityMinutes: Type.Integer({ minimum: 1, maximum: 480 }),
    unlocks: Type.Array(UnlockSchema, { maxItems: UNLOCKABLE.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);
const PolicyPatch = Type.Partial(Policy, { additionalProperties: false, minProperties: 1 });

const ConversationParams = Type.Object(
  {
    tenantSlug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
    conversationId: Type.String({ format: 'uuid' }),
  },
  { additionalProperties: false },
);

const State = Type.Object(
  {
    conversationId: Type.String(),
    verified: Type.Boolean(),
    locked: Type.Boolean(),
    passedFactors: Type.Array(FactorSchema),
    failedAttempts: Type.Integer(),
    attemptsLeft: Type.Integer(),
    required: Type.Integer(),
    factors: Type.Array(FactorSchema),
    verifiedAt: Type.Union([Type.String(), Type.Null()]),
    expiresAt: Type.Union([Type.String(), Type.Null()]),
    unlocked: Type.Array(UnlockSchema),
  },
  { additionalProperties: false },
);

// The answer is what the caller said (knowledge factors, the one-time code); a signed-in visitor
// needs none: Vigil compares the identity the visitor's site signed.
const AttemptBody = Type.Object(
  { factor: FactorSchema, answer: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false },
);
const CodeBody = Type.Object(
  { channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]) },
  { additionalProperties: false },
);
const CodeSent = Type.Object(
  { channel: Type.String(), sentTo: Type.String(), expiresAt: Type.String() },
  { additionalProperties: false },
);
const TimelineSchema = Type.Object({
  conversationId: Type.String(),
  events: Type.Array(
    Type.Object({
      id: Type.String(),
      type: Type.String(),
      actorType: Type.String(),
      actorId: Type.Union([Type.String(), Type.Null()]),
      meta: Type.Record(
        Type.String(),
        Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
      ),
      at: Type.String(),
    }),
  ),
});
const WidgetParams = Type.Object(
  { tenantSlug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }) },
  { additionalProperties: false },
);
const IdentityBody = Type.Object(
  {
    visitorToken: Type.String({ minLength: 1, maxLength: 400 }),
    identityToken: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);
const AttemptResult = Type.Object(
  {
    result: Type.Union([Type.Literal('pass'), Type.Literal('fail')]),
    verified: Type.Boolean(),
    attemptsLeft: Type.Integer(),
  },
  { additionalProperties: false },
);

export function verificationRoutes(
  server: FastifyInstance,
  deps: { verification: VerificationService; widget: Pick<ChatService, 'admit' | 'visitorFromToken'> },
) {
  const app = typedRoutes(server);
  const { verification, widget } = deps;
  const policyPath = '/api/v1/tenants/:tenantSlug/settings/verification-policy';
  const base = '/api/v1/tenants/:tenantSlug/conversations/:conversationId/verification';

  app.get(
    policyPath,
    {
      config: { auth: { tenant: ['read', 'TenantSettings'] } },
      schema: {
        tags: ['settings'],
        params: TenantParams,
        response: { 200: Type.Object({ policy: Policy }), ...errorResponses },
      },
    },
    async (req) => ({ policy: await verification.getPolicy(tctx(req)) }),
  );

  app.put(
    policyPath,
    {
      config: { auth: { tenant: ['update', 'TenantSettings'] } },
      schema: {
        tags: ['settings'],
        params: TenantParams,
        body: Type.Object({ policy: PolicyPatch }, { additionalProperties: false }),
        response: { 200: Type.Object({ policy: Policy }), ...errorResponses },
      },
    },
    async (req) => ({
      policy: await verification.setPolicy(tctx(req), req.body.policy),
    }),
  );

  app.get(
    base,
    {
      config: { auth: { tenant: ['verify', 'Customer'] } },
      schema: {
        tags: ['verification'],
        params: ConversationParams,
        response: { 200: State, ...errorResponses },
      },
    },
    async (req) => verification.state(tctx(req), req.params.conversationId),
  );

  app.post(
    `${base}/attempts`,
    {
      // The per-conversation limit is the policy's; this bounds one session across conversations.
      config: { auth: { tenant: ['verify', 'Customer'] }, rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        tags: ['verification'],
        params: ConversationParams,
        body: AttemptBody,
        response: { 200: AttemptResult, ...errorResponses },
      },
    },
    async (req) => {
      const { factor, answer } = req.body;
      return verification.attempt(tctx(req), req.params.conversationId, factor, answer);
    },
  );

  app.post(
    `${base}/codes`,
    {
      config: { auth: { tenant: ['verify', 'Customer'] }, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['verification'],
        params: ConversationParams,
        body: CodeBody,
        response: { 202: CodeSent, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(202)
        .send(await verification.sendCode(tctx(req), req.params.conversationId, req.body.channel)),
  );

  app.get(
    '/api/v1/tenants/:tenantSlug/conversations/:conversationId/timeline',
    {
      config: { auth: { tenant: ['read', 'Conversation'] } },
      schema: {
        tags: ['verification'],
        params: ConversationParams,
        response: { 200: TimelineSchema, ...errorResponses },
      },
    },
    async (req) => verification.timeline(tctx(req), req.params.conversationId),
  );

  app.post(
    '/api/v1/tenants/:tenantSlug/settings/visitor-identity-secret',
    {
      config: { auth: { tenant: ['update', 'TenantSettings'] } },
      schema: {
        tags: ['settings'],
        params: TenantParams,
        response: { 201: Type.Object({ secret: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await verification.rotateVisitorIdentitySecret(tctx(req))),
  );

  const identityPath = '/api/v1/widget/:tenantSlug/identity';
  const cors = (reply: FastifyReply, origin: string) =>
    reply
      .header('access-control-allow-origin', origin)
      .header('vary', 'Origin')
      .header('cross-origin-resource-policy', 'cross-origin');

  app.options(
    identityPath,
    {
      config: { auth: { public: 'CORS preflight of the chat widget' } },
      schema: { params: WidgetParams },
    },
    async (req, reply) => {
      const origin = req.headers.origin;
      await widget.admit(req.params.tenantSlug, origin);
      return cors(reply, origin!)
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'content-type')
        .header('access-control-max-age', '600')
        .status(204)
        .send();
    },
  );

  app.post(
    identityPath,
    {
      config: {
        auth: {
          public: 'chat widget visitors (origin allow-list + signed visitor token + site identity token)',
        },
        rateLimit: { max: 20, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['widget'],
        params: WidgetParams,
        body: IdentityBody,
        response: {
          200: Type.Object({ conversationId: Type.String(), accepted: Type.Boolean() }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const origin = req.headers.origin;
      const w = await widget.admit(req.params.tenantSlug, origin);
      const body = req.body;
      const visitorId = widget.visitorFromToken(w, body.visitorToken);
      if (!visitorId) throw new VigilError('unauthenticated', 'a visitor token is required');
      const ctx = systemContext(w.tenant, {
        requestId: req.ctx.requestId,
        ip: req.ctx.ip,
        actor: { type: 'visitor', id: visitorId },
      });
      return cors(reply, origin!).send(
        await verification.presentVisitorIdentity(ctx, visitorId, body.identityToken),
      );
    },
  );
}
