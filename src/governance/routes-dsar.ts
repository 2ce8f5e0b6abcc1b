// HTTP of the DSAR intake. Public (no login, rate-limited, proof of work + honeypot): the form,
// status, code entry, download; tokens and codes travel in POST bodies, never in URLs. The DPO
// lists intakes, reads what a requester wrote, extends a deadline with a reason, fulfils an
// access request (the other kinds are handled on their subject request in src/privacy).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { type TenantContext, type TenantRef, tenantContextOf } from '../platform/context.ts';
import { notFound, VigilError } from '../platform/errors.ts';
import { errorResponses, TenantParams } from '../platform/http-schemas.ts';
import type { DsarIntake, IntakeInput } from './dsar.ts';
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
    type: Type.Union(INTAKE_TYPES.map((t) => Type.Literal(t))),
    email: Type.String({ format: 'email', maxLength: 254 }),
    verifyBy: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('sms')])),
    phone: Type.Optional(Type.String({ minLength: 5, maxLength: 32, pattern: '^[+0-9 ()./-]+$' })),
    details: Type.Optional(Type.String({ maxLength: 2000 })),
    locale: Type.Optional(Type.Union(LOCALES.map((l) => Type.Literal(l)))),
    challenge: Type.String({ maxLength: 300 }),
    nonce: Type.String({ pattern: '^[0-9]{1,12}$' }),
    website: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export function dsarRoutes(
  app: FastifyInstance,
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
  const { dsar } = deps;
  const limit = { max: deps.perMinute, timeWindow: '1 minute' };
  /** The public context: the tenant of the form, an anonymous actor. Unknown or inactive: 404. */
  const publicCtx = async (req: FastifyRequest): Promise<TenantContext> => {
    const t = await deps.tenantBySlug((req.params as { tenantSlug: string }).tenantSlug);
    if (t?.status !== 'active') throw notFound('tenant');
    return { ...req.ctx, tenant: { id: t.id, slug: t.slug, name: t.name } };
  };
  const body = <T>(req: FastifyRequest) => req.body as T;
  const why = 'public privacy request form of a tenant (proof of work, honeypot, rate limit)';
  const route = (
    path: string,
    schema: Record<string, unknown>,
    handler: (req: FastifyRequest) => Promise<unknown>,
  ) =>
    app.post(
      path,
      {
        config: { auth: { public: why }, rateLimit: limit },
        schema: { tags, params: TenantParams, ...schema },
      },
      handler,
    );

  app.get(
    `${pub}/challenge`,
    {
      config: { auth: { public: why }, rateLimit: limit },
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
      config: { auth: { public: why }, rateLimit: limit },
      schema: { tags, params: TenantParams, body: Intake, response: { 202: Type.Any(), ...errorResponses } },
    },
    async (req, reply) => {
      const input = body<IntakeInput>(req);
      if (input.verifyBy === 'sms' && (!input.phone || !deps.smsAvailable))
        throw new VigilError('invalid_input', 'a code by SMS needs a phone number and an SMS gateway');
      const locale = input.locale ?? pickLocale(req.headers['accept-language']);
      return reply.code(202).send(await dsar.submit(await publicCtx(req), { ...input, locale }));
    },
  );
  const TokenBody = Type.Object({ token: Token }, { additionalProperties: false });
  const CodeBody = Type.Object({ token: Token, code: Code }, { additionalProperties: false });
  route(`${pub}/status`, { body: TokenBody, response: ok }, async (req) =>
    dsar.status(await publicCtx(req), body<{ token: string }>(req).token),
  );
  route(`${pub}/code`, { body: TokenBody, response: ok }, async (req) => {
    await dsar.resendCode(await publicCtx(req), body<{ token: string }>(req).token);
    return { ok: true };
  });
  route(`${pub}/verify`, { body: CodeBody, response: ok }, async (req) => {
    const b = body<{ token: string; code: string }>(req);
    const r = await dsar.verify(await publicCtx(req), b.token, b.code);
    if (!r.ok) throw new VigilError('dsar_code_invalid', 'the code is wrong or expired');
    return r.status;
  });
  app.post(
    `${pub}/download`,
    {
      config: { auth: { public: why }, rateLimit: limit },
      schema: { tags, params: TenantParams, body: CodeBody, response: ok },
    },
    async (req, reply) => {
      const b = body<{ token: string; code: string }>(req);
      const data = await dsar.download(await publicCtx(req), b.token, b.code);
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', 'attachment; filename="privacy-export.json"')
        .send(data);
    },
  );

  const tctx = (req: FastifyRequest) => tenantContextOf(req);
  const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;
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
    async (req) => deps.staff.extend(tctx(req), idOf(req), body<{ reason: string }>(req).reason),
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
