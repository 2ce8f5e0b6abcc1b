// HTTP API of the awareness programme. Campaigns and individual results: the security role only;
// aggregates: supervisors too; reporting phishing and one's own training: every member. The
// learner's routes stay reachable while the training gate refuses the tenant's data.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { type Action, type Subject, TENANT_ROLES } from '../authz/index.ts';
import { tenantContextOf as tctx } from '../platform/context.ts';
import { errorResponses, oneOf, TenantParams, typedRoutes, Uuid } from '../platform/http-schemas.ts';
import type { CampaignService } from './campaigns.ts';
import type { DrillService } from './drills.ts';
import { MAX_REPORT_BYTES, type ReportService } from './reports.ts';
import type { ResultsService } from './results.ts';
import { LANGUAGES, TEMPLATE_KEYS, TEMPLATES } from './templates.ts';
import type { ModuleService } from './training.ts';

const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });
const IdParams = Type.Object({ tenantSlug: Slug, id: Uuid }, { additionalProperties: false });
const lit = oneOf;
const MEMBER_ROLES = TENANT_ROLES;
const CampaignBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    template: lit(TEMPLATE_KEYS),
    language: Type.Optional(lit(LANGUAGES)),
    targetRoles: Type.Array(lit(MEMBER_ROLES), { minItems: 1, maxItems: 6, uniqueItems: true }),
    targetQueue: Type.Optional(Uuid),
    windowStart: Type.String({ format: 'date-time' }),
    windowEnd: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
const ModuleBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    language: lit(LANGUAGES),
    roles: Type.Array(lit(MEMBER_ROLES), { minItems: 1, maxItems: 6, uniqueItems: true }),
    sections: Type.Array(
      Type.Object(
        {
          heading: Type.String({ minLength: 1, maxLength: 200 }),
          markdown: Type.String({ minLength: 1, maxLength: 20_000 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 30 },
    ),
    quiz: Type.Array(
      Type.Object(
        {
          question: Type.String({ minLength: 1, maxLength: 500 }),
          options: Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { minItems: 2, maxItems: 8 }),
          correct: Type.Array(Type.Integer({ minimum: 0, maximum: 7 }), {
            minItems: 1,
            maxItems: 8,
            uniqueItems: true,
          }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
    passPercent: Type.Integer({ minimum: 1, maximum: 100 }),
    maxAttempts: Type.Integer({ minimum: 1, maximum: 20 }),
    refresher: Type.Optional(Type.Boolean()),
    validityMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })),
  },
  { additionalProperties: false },
);
const AttemptBody = Type.Object(
  {
    answers: Type.Array(Type.Array(Type.Integer({ minimum: 0, maximum: 7 }), { maxItems: 8 }), {
      maxItems: 50,
    }),
  },
  { additionalProperties: false },
);
const ReportBody = Type.Object(
  { source: Type.String({ minLength: 1, maxLength: MAX_REPORT_BYTES }) },
  { additionalProperties: false },
);

const idOf = (req: { params: { id: string } }) => req.params.id;
const base = '/api/v1/tenants/:tenantSlug/awareness';
const tags = ['awareness'];
const exempt = ['training' as const];
const created = { 201: Type.Unknown(), ...errorResponses };

export function awarenessRoutes(
  server: FastifyInstance,
  deps: {
    campaigns: CampaignService;
    results: ResultsService;
    reports: ReportService;
    modules: ModuleService;
    drills: DrillService;
  },
): void {
  const app = typedRoutes(server);
  const { campaigns, results, reports, modules, drills } = deps;
  const opts = <P extends Type.TSchema = typeof TenantParams>(rule: [Action, Subject], params?: P) => ({
    config: { auth: { tenant: rule } },
    schema: { tags, params: (params ?? TenantParams) as P, response: errorResponses },
  });

  app.get(`${base}/templates`, opts(['read', 'Campaign']), async () => ({
    templates: TEMPLATE_KEYS.map((key) => ({
      key,
      languages: LANGUAGES.map((l) => ({
        language: l,
        subject: TEMPLATES[key][l].subject,
        redFlags: TEMPLATES[key][l].redFlags,
      })),
    })),
  }));
  app.get(`${base}/campaigns`, opts(['read', 'Campaign']), async (req) => ({
    campaigns: await campaigns.list(tctx(req)),
  }));
  app.post(
    `${base}/campaigns`,
    {
      config: { auth: { tenant: ['create', 'Campaign'] } },
      schema: { tags, params: TenantParams, body: CampaignBody, response: created },
    },
    async (req, reply) => reply.status(201).send(await campaigns.create(tctx(req), req.body)),
  );
  app.post(`${base}/campaigns/:id/launch`, opts(['update', 'Campaign'], IdParams), async (req) =>
    campaigns.launch(tctx(req), idOf(req)),
  );
  app.get(`${base}/campaigns/:id/results`, opts(['read', 'Campaign'], IdParams), async (req) =>
    results.campaignResults(tctx(req), idOf(req)),
  );
  app.get(`${base}/measures`, opts(['read', 'AwarenessMeasure']), async (req) => results.measures(tctx(req)));

  app.post(
    `${base}/reports`,
    {
      config: { auth: { tenant: ['create', 'PhishReport'] } },
      schema: { tags, params: TenantParams, body: ReportBody, response: created },
    },
    async (req, reply) => reply.status(201).send(await reports.report(tctx(req), req.body.source)),
  );
  app.get(`${base}/reports`, opts(['read', 'PhishReport']), async (req) => ({
    reports: await reports.list(tctx(req)),
  }));
  app.get(`${base}/reports/:id/mail`, opts(['read', 'PhishReport'], IdParams), async (req, reply) =>
    reply
      .headers({
        'content-disposition': 'attachment; filename="reported.eml"',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      })
      .type('message/rfc822')
      .send(await reports.mail(tctx(req), idOf(req))),
  );

  app.post(
    `${base}/modules`,
    {
      config: { auth: { tenant: ['create', 'AwarenessModule'] } },
      schema: { tags, params: TenantParams, body: ModuleBody, response: created },
    },
    async (req, reply) => reply.status(201).send(await modules.create(tctx(req), req.body)),
  );
  app.put(
    `${base}/modules/:id`,
    {
      config: { auth: { tenant: ['update', 'AwarenessModule'] } },
      schema: { tags, params: IdParams, body: ModuleBody, response: errorResponses },
    },
    async (req) => modules.revise(tctx(req), idOf(req), req.body),
  );
  const learner = { auth: { tenant: ['read', 'Training'] as ['read', 'Training'] }, accessExempt: exempt };
  app.get(
    `${base}/me`,
    { config: learner, schema: { tags, params: TenantParams, response: errorResponses } },
    async (req) => ({
      ...(await modules.mine(tctx(req))),
      simulations: await results.mine(tctx(req)),
      drills: await drills.mine(tctx(req)),
    }),
  );
  app.get(
    `${base}/modules/:id`,
    { config: learner, schema: { tags, params: IdParams, response: errorResponses } },
    async (req) => modules.get(tctx(req), idOf(req)),
  );
  app.post(
    `${base}/modules/:id/attempts`,
    { config: learner, schema: { tags, params: IdParams, body: AttemptBody, response: created } },
    async (req, reply) =>
      reply.status(201).send(await modules.attempt(tctx(req), idOf(req), req.body.answers)),
  );
}
