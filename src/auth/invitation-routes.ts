// HTTP for invitations of new people (issue 25): tenant admins invite, list, approve (a second
// admin, for data-reading roles) and revoke; the invited person inspects and accepts with the
// token in the POST body (from the link's fragment), public and rate-limited.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { TENANT_ROLES } from '../authz/index.ts';
import type { Config } from '../platform/config.ts';
import { tenantContextOf } from '../platform/context.ts';
import { errorResponses, Ok, oneOf, TenantParams, Uuid } from '../platform/http-schemas.ts';
import type { Invitations } from './invitations.ts';

// Every tenant role can be invited; the data-reading ones wait for a second admin.
const TenantRole = oneOf(TENANT_ROLES);
const Locale = Type.Union([Type.Literal('en'), Type.Literal('de'), Type.Literal('fr')]);
const Token = Type.String({ minLength: 20, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' });
const InviteParams = Type.Object(
  { tenantSlug: TenantParams.properties.tenantSlug, invitationId: Uuid },
  { additionalProperties: false },
);
const manage = { auth: { tenant: ['manage', 'Membership'] as ['manage', 'Membership'] } };

export function invitationRoutes(
  app: FastifyInstance,
  deps: { invitations: Invitations; config: Pick<Config, 'loginMaxPerIpPerMinute'> },
) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { invitations } = deps;
  const base = '/api/v1/tenants/:tenantSlug/invitations';
  const limit = { max: deps.config.loginMaxPerIpPerMinute, timeWindow: '1 minute' };

  r.post(
    base,
    {
      config: manage,
      schema: {
        tags: ['admin'],
        params: TenantParams,
        body: Type.Object(
          {
            email: Type.String({ format: 'email', maxLength: 254 }),
            displayName: Type.String({ minLength: 1, maxLength: 120 }),
            role: TenantRole,
            locale: Type.Optional(Locale),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            status: Type.Union([Type.Literal('sent'), Type.Literal('awaiting_approval')]),
            expiresAt: Type.String(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const out = await invitations.invite(tenantContextOf(req), {
        ...req.body,
        email: req.body.email.trim().toLowerCase(),
        displayName: req.body.displayName.trim(),
      });
      return reply.status(201).send({ ...out, expiresAt: out.expiresAt.toISOString() });
    },
  );

  r.get(
    base,
    {
      config: manage,
      schema: {
        tags: ['admin'],
        params: TenantParams,
        response: {
          200: Type.Object({
            invitations: Type.Array(
              Type.Object({
                id: Type.String(),
                displayName: Type.String(),
                role: Type.String(),
                status: Type.String(),
                invitedBy: Type.Union([Type.String(), Type.Null()]),
                expiresAt: Type.String(),
                createdAt: Type.String(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({ invitations: await invitations.list(tenantContextOf(req)) }),
  );

  for (const verb of ['approve', 'revoke'] as const)
    r.post(
      `${base}/:invitationId/${verb}`,
      {
        config: manage,
        schema: { tags: ['admin'], params: InviteParams, response: { 200: Ok, ...errorResponses } },
      },
      async (req) => {
        await invitations[verb](tenantContextOf(req), req.params.invitationId);
        return { ok: true };
      },
    );

  r.post(
    '/api/v1/auth/invitation',
    {
      config: {
        auth: { public: 'the invited person reads their invitation with its token' },
        rateLimit: limit,
      },
      schema: {
        tags: ['auth'],
        body: Type.Object({ token: Token }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            displayName: Type.String(),
            tenantName: Type.String(),
            role: Type.String(),
            locale: Locale,
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => invitations.inspect(req.body.token),
  );

  r.post(
    '/api/v1/auth/invitation/accept',
    {
      config: {
        auth: { public: 'the invited person sets a password with the single-use token' },
        rateLimit: limit,
      },
      schema: {
        tags: ['auth'],
        body: Type.Object(
          { token: Token, password: Type.String({ minLength: 1, maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ ok: Type.Boolean(), email: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      const out = await invitations.accept(req.body.token, req.body.password, {
        ip: req.ctx.ip,
        uaHash: req.ctx.uaHash,
        requestId: req.ctx.requestId,
      });
      return { ok: true, email: out.email };
    },
  );
}
