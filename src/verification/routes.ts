// HTTP API of caller verification: the tenant's policy (tenant admins), the state of a
// conversation's verification and the attempts (agents and supervisors: verify Customer).
// Answers travel only in request bodies and are never echoed; responses carry pass/fail only.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TenantContext } from '../platform/context.ts';
import { errorResponses, TenantParams } from '../platform/http-schemas.ts';
import { FACTORS, type Factor, UNLOCKABLE } from './normalize.ts';
import type { VerificationPolicy, VerificationService } from './service.ts';

const tctx = (req: { ctx: unknown }) => req.ctx as TenantContext;

const FactorSchema = Type.Union(FACTORS.map((f) => Type.Literal(f)));
const UnlockSchema = Type.Union(UNLOCKABLE.map((f) => Type.Literal(f)));

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

const AttemptBody = Type.Object(
  { factor: FactorSchema, answer: Type.String({ minLength: 1, maxLength: 100 }) },
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

export function verificationRoutes(app: FastifyInstance, deps: { verification: VerificationService }) {
  const { verification } = deps;
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
      policy: await verification.setPolicy(
        tctx(req),
        (req.body as { policy: Partial<VerificationPolicy> }).policy,
      ),
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
    async (req) => verification.state(tctx(req), (req.params as { conversationId: string }).conversationId),
  );

  app.post(
    `${base}/attempts`,
    {
      config: { auth: { tenant: ['verify', 'Customer'] } },
      schema: {
        tags: ['verification'],
        params: ConversationParams,
        body: AttemptBody,
        response: { 200: AttemptResult, ...errorResponses },
      },
    },
    async (req) => {
      const { factor, answer } = req.body as { factor: Factor; answer: string };
      return verification.attempt(
        tctx(req),
        (req.params as { conversationId: string }).conversationId,
        factor,
        answer,
      );
    },
  );
}
