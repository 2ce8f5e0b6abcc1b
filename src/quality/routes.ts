// HTTP for quality reviews. Supervisors run the programme (QualityProgram: scorecards, blind
// review, calibrations, dispute resolution); supervisors and QA reviewers (QualityReview) sample,
// score and read trends; agents (QualityFeedback) read their own feedback
// and dispute it. Every id outside the caller's reach answers 404.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Action, Subject } from '../authz/index.ts';
import type { TenantContext } from '../platform/context.ts';
import { errorResponses, TenantParams } from '../platform/http-schemas.ts';
import type { QualityFeedback } from './feedback.ts';
import type { Criterion, Scores } from './scoring.ts';
import type { QualityService } from './service.ts';

const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });
const Id = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ tenantSlug: Slug, id: Id }, { additionalProperties: false });
const Reason = Type.String({ minLength: 10, maxLength: 500 });
const ScoresBody = Type.Record(
  Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
  Type.Number({ minimum: 0, maximum: 100 }),
);
const CriterionBody = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
    label: Type.String({ minLength: 1, maxLength: 200 }),
    weight: Type.Number({ minimum: 0, maximum: 100 }),
    autoFail: Type.Boolean(),
  },
  { additionalProperties: false },
);
const body = (props: Type.TProperties) => Type.Object(props, { additionalProperties: false });

export function qualityRoutes(
  app: FastifyInstance,
  deps: { quality: QualityService; feedback: QualityFeedback },
): void {
  const { quality, feedback } = deps;
  const base = '/api/v1/tenants/:tenantSlug/quality';
  const rule = (action: Action, subject: Subject = 'QualityReview') => ({
    auth: { tenant: [action, subject] as [Action, Subject] },
  });
  const ctx = (req: { ctx?: unknown }) => req.ctx as TenantContext;
  const id = (req: { params: unknown }) => (req.params as { id: string }).id;
  const tags = ['quality'];

  app.get(
    `${base}/settings`,
    { config: rule('read'), schema: { tags, params: TenantParams, response: errorResponses } },
    (req) => quality.settings(ctx(req)),
  );
  app.put(
    `${base}/settings`,
    {
      config: rule('update', 'QualityProgram'),
      schema: {
        tags,
        params: TenantParams,
        body: body({ blindReview: Type.Boolean() }),
        response: errorResponses,
      },
    },
    (req) => quality.setSettings(ctx(req), req.body as { blindReview: boolean }),
  );
  app.get(
    `${base}/scorecards`,
    { config: rule('read'), schema: { tags, params: TenantParams, response: errorResponses } },
    (req) => quality.listScorecards(ctx(req)),
  );
  app.post(
    `${base}/scorecards`,
    {
      config: rule('create', 'QualityProgram'),
      schema: {
        tags,
        params: TenantParams,
        body: body({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          criteria: Type.Array(CriterionBody, { minItems: 1, maxItems: 50 }),
        }),
        response: errorResponses,
      },
    },
    (req) => quality.createScorecard(ctx(req), req.body as { name: string; criteria: Criterion[] }),
  );
  app.post(
    `${base}/samples`,
    {
      config: rule('create'),
      schema: {
        tags,
        params: TenantParams,
        body: body({
          scorecardId: Id,
          size: Type.Integer({ minimum: 1, maximum: 100 }),
          queueId: Type.Optional(Id),
          /** Only conversations the customer rated at most this (1..5): sampling by low satisfaction. */
          maxSatisfaction: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
        }),
        response: errorResponses,
      },
    },
    (req) =>
      quality.sample(
        ctx(req),
        req.body as { scorecardId: string; size: number; queueId?: string; maxSatisfaction?: number },
      ),
  );
  app.get(
    `${base}/reviews`,
    { config: rule('read'), schema: { tags, params: TenantParams, response: errorResponses } },
    (req) => quality.myReviews(ctx(req)),
  );
  app.get(
    `${base}/reviews/:id/conversation`,
    { config: rule('read'), schema: { tags, params: IdParams, response: errorResponses } },
    (req) => quality.conversationView(ctx(req), id(req)),
  );
  app.post(
    `${base}/reviews/:id/reveal`,
    {
      config: rule('reveal'),
      schema: { tags, params: IdParams, body: body({ reason: Reason }), response: errorResponses },
    },
    (req) => quality.reveal(ctx(req), id(req), (req.body as { reason: string }).reason),
  );
  app.put(
    `${base}/reviews/:id/score`,
    {
      config: rule('update'),
      schema: {
        tags,
        params: IdParams,
        body: body({ scores: ScoresBody, comment: Type.Optional(Type.String({ maxLength: 2000 })) }),
        response: errorResponses,
      },
    },
    (req) => quality.score(ctx(req), id(req), req.body as { scores: Scores; comment?: string }),
  );
  app.post(
    `${base}/reviews/:id/resolve`,
    {
      config: rule('update', 'QualityProgram'),
      schema: {
        tags,
        params: IdParams,
        body: body({ resolution: Reason, scores: Type.Optional(ScoresBody) }),
        response: errorResponses,
      },
    },
    (req) => feedback.resolve(ctx(req), id(req), req.body as { resolution: string; scores?: Scores }),
  );
  app.post(
    `${base}/calibrations`,
    {
      config: rule('create', 'QualityProgram'),
      schema: {
        tags,
        params: TenantParams,
        body: body({
          scorecardId: Id,
          conversationId: Id,
          reviewerIds: Type.Array(Id, { minItems: 2, maxItems: 20 }),
        }),
        response: errorResponses,
      },
    },
    (req) =>
      feedback.calibrate(
        ctx(req),
        req.body as { scorecardId: string; conversationId: string; reviewerIds: string[] },
      ),
  );
  app.get(
    `${base}/calibrations/:id`,
    { config: rule('read'), schema: { tags, params: IdParams, response: errorResponses } },
    (req) => feedback.calibration(ctx(req), id(req)),
  );
  app.get(
    `${base}/trends`,
    {
      config: rule('read'),
      schema: {
        tags,
        params: TenantParams,
        querystring: body({
          by: Type.Union([Type.Literal('agent'), Type.Literal('queue')]),
          days: Type.Optional(Type.Integer({ minimum: 1, maximum: 730 })),
        }),
        response: errorResponses,
      },
    },
    (req) => {
      const q = req.query as { by: 'agent' | 'queue'; days?: number };
      return feedback.trends(ctx(req), { by: q.by, days: q.days ?? 90 });
    },
  );
  app.get(
    `${base}/feedback`,
    {
      config: rule('read', 'QualityFeedback'),
      schema: { tags, params: TenantParams, response: errorResponses },
    },
    (req) => feedback.myFeedback(ctx(req)),
  );
  app.post(
    `${base}/feedback/:id/dispute`,
    {
      config: rule('update', 'QualityFeedback'),
      schema: { tags, params: IdParams, body: body({ reason: Reason }), response: errorResponses },
    },
    (req) => feedback.dispute(ctx(req), id(req), (req.body as { reason: string }).reason),
  );
}
