// HTTP of the DSAR intake. Public (no login, rate-limited, proof of work + honeypot): the form,
// status, code entry, download; tokens and codes travel in POST bodies, never in URLs. The DPO
// lists intakes, reads what a requester wrote, extends a deadline with a reason, fulfils an
// access request (the other kinds are handled on their subject request in src/privacy).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { type TenantContext, type TenantRef, tenantContextOf } from '../platform/context.ts';
import { notFound, VigilError } from '../platform/errors.ts';
import { errorResponses, oneOf, TenantParams, typedRoutes } from '../platform/http-schemas.ts';
import type { DsarIntake } from './dsar.ts';
import { LOCALES, pickLocale } from './dsar-mail.ts';
import type { DsarStaff } from './dsar-staff.ts';
import { INTAKE_TYPES } from './store-dsar.ts';

const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });
const IdParams = Type.Object(
  { tenantSlug: Slug, id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
const Token = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' });
const Code = Type.String({ pattern: '^[0-9]{6}$' });
const ok = { 200: Type.Any(), ...errorResponses };
const tags = ['privacy-intake'];
const pub = '/api/v1/public/tenants/:tenantSlug/privacy-requests';
const staff = '/api/v1/tenants/:tenantSlug/governance/dsar-intakes';
const Intake = Type.Object(
  {
    type: oneOf(INTAKE_TYPES),
    email: Type.String({ format: 'email', maxLength: 254 }),
    verifyBy: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('sms')])),
    phone: Type.Optional(Type.String({ minLength: 5, maxLength: 32, pattern: '^[+0-9 ()./-]+$' })),
    details: Type.Optional(Type.String({ maxLength: 2000 })),
    locale: Type.Optional(oneOf(LOCALES)),
    challenge: Type.String({ maxLength: 300 }),
    nonce: Type.String({ pattern: '^[0-9]{1,12}$' }),
    website: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export function dsarRoutes(
  server: FastifyInstance,
  deps: {
    dsar: DsarIntake;
    staff: DsarStaff;
    /** Whether codes can go by SMS (an SMS gateway is configured). */
    smsAvailable: boolean;
    tenantBySlug(slug: string): Promise<(TenantRef & { status: string }) | undefined>;
    issueChallenge(): { challenge: string; difficulty: number };
    perMinute: number;
  },
): void {
  const app = typedRoutes(server);
  const { dsar } = deps;
  const limit = { max: deps.perMinute, timeWindow: '1 minute' };
  /** The public context: the tenant of the form, an anonymous actor. Unknown or inactive: 404. */
  const publicCtx = async (
    req: FastifyRequest & { params: { tenantSlug: string } },
  ): Promise<TenantContext> => {
    const t = await deps.tenantBySlug(req.params.tenantSlug);
    if (t?.status !== 'active') throw notFound('tenant');
    return { ...req.ctx, tenant: { id: t.id, slug: t.slug, name: t.name } };
  };
  const why = 'public privacy request form of a tenant (proof of work, honeypot, rate limit)';
  const publicRoute = { auth: { public: why }, rateLimit: limit };

  app.get(
    `${pub}/challenge`,
    {
      config: publicRoute,
      schema: { tags, params: TenantParams, response: ok },
    },
    async (req) => {
      await publicCtx(req);
      return deps.issueChallenge();
    },
  );
  app.post(
    pub,
    {
      config: publicRoute,
      schema: { tags, params: TenantParams, body: Intake, response: { 202: Type.Any(), ...errorResponses } },
    },
    async (req, reply) => {
      const input = req.body;
      if (input.verifyBy === 'sms' && (!input.phone || !deps.smsAvailable))
        throw new VigilError('invalid_input', 'a code by SMS needs a phone number and an SMS gateway');
      const locale = input.locale ?? pickLocale(req.headers['accept-language']);
      return reply.code(202).send(await dsar.submit(await publicCtx(req), { ...input, locale }));
    },
  );
  const TokenBody = Type.Object({ token: Token }, { additionalProperties: false });
  const CodeBody = Type.Object({ token: Token, code: Code }, { additionalProperties: false });
  const publicPost = <B extends typeof TokenBody | typeof CodeBody>(body: B) => ({
    config: publicRoute,
    schema: { tags, params: TenantParams, body, response: ok },
  });
  app.post(`${pub}/status`, publicPost(TokenBody), async (req) =>
    dsar.status(await publicCtx(req), req.body.token),
  );
  app.post(`${pub}/code`, publicPost(TokenBody), async (req) => {
    await dsar.resendCode(await publicCtx(req), req.body.token);
    return { ok: true };
  });
  app.post(`${pub}/verify`, publicPost(CodeBody), async (req) => {
    const r = await dsar.verify(await publicCtx(req), req.body.token, req.body.code);
    if (!r.ok) throw new VigilError('dsar_code_invalid', 'the code is wrong or expired');
    return r.status;
  });
  app.post(
    `${pub}/download`,
    {
      config: publicRoute,
      schema: { tags, params: TenantParams, body: CodeBody, response: ok },
    },
    async (req, reply) => {
      const b = req.body;
      const data = await dsar.download(await publicCtx(req), b.token, b.code);
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', 'attachment; filename="privacy-export.json"')
        .send(data);
    },
  );

  const tctx = tenantContextOf;
  const idOf = (req: { params: { id: string } }) => req.params.id;
  app.get(
    staff,
    {
      config: { auth: { tenant: ['read', 'SubjectRequest'] } },
      schema: { tags, params: TenantParams, response: ok },
    },
    async (req) => deps.staff.list(tctx(req)),
  );
  app.post(
    `${staff}/:id/extend`,
    {
      config: { auth: { tenant: ['update', 'SubjectRequest'] } },
      schema: {
        tags,
        params: IdParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 10, maxLength: 1000 }) },
          { additionalProperties: false },
        ),
        response: ok,
      },
    },
    async (req) => deps.staff.extend(tctx(req), idOf(req), req.body.reason),
  );
  app.post(
    `${staff}/:id/fulfil`,
    {
      config: { auth: { tenant: ['export', 'SubjectRequest'] } },
      schema: { tags, params: IdParams, response: ok },
    },
    async (req) => deps.staff.fulfil(tctx(req), idOf(req)),
  );
  app.get(
    `${staff}/:id/details`,
    {
      config: { auth: { tenant: ['read', 'SubjectRequest'] } },
      schema: { tags, params: IdParams, response: ok },
    },
    async (req) => deps.staff.details(tctx(req), idOf(req)),
  );
}
