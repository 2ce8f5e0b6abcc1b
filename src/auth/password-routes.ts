// HTTP for password change (the user), reset by a tenant admin, and completing a reset.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Config } from '../platform/config.ts';
import type { TenantContext } from '../platform/context.ts';
import { errorResponses, TenantParams, Uuid } from '../platform/http-schemas.ts';
import type { PasswordService } from './password-service.ts';
import type { ClientInfo } from './service.ts';

const Password = Type.String({ minLength: 1, maxLength: 1024 });
const ChangeBody = Type.Object(
  { currentPassword: Password, newPassword: Password },
  { additionalProperties: false },
);
const CompleteBody = Type.Object(
  { token: Type.String({ minLength: 20, maxLength: 200 }), newPassword: Password },
  { additionalProperties: false },
);
const ResetParams = Type.Object(
  { tenantSlug: TenantParams.properties.tenantSlug, userId: Uuid },
  { additionalProperties: false },
);

export function passwordRoutes(
  app: FastifyInstance,
  deps: { passwords: PasswordService; config: Pick<Config, 'loginMaxPerIpPerMinute'> },
) {
  const { passwords } = deps;
  const limit = { max: deps.config.loginMaxPerIpPerMinute, timeWindow: '1 minute' };
  const client = (req: FastifyRequest): ClientInfo => ({
    ip: req.ctx.ip,
    uaHash: req.ctx.uaHash,
    requestId: req.ctx.requestId,
  });

  app.post(
    '/api/v1/me/password',
    {
      config: { auth: { user: true }, rateLimit: limit },
      schema: {
        tags: ['auth'],
        body: ChangeBody,
        response: {
          200: Type.Object({ ok: Type.Boolean(), otherSessionsEnded: Type.Integer() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await passwords.change(
        req.ctx.actor.id!,
        req.ctx.actor.sessionId!,
        req.body as Static<typeof ChangeBody>,
        client(req),
      );
      return { ok: true, ...r };
    },
  );

  app.post(
    '/api/v1/tenants/:tenantSlug/users/:userId/password-reset',
    {
      // Tenant admins (who manage the tenant's memberships); platform accounts are refused.
      config: { auth: { tenant: ['manage', 'Membership'] } },
      schema: {
        tags: ['admin'],
        params: ResetParams,
        response: {
          200: Type.Object({
            resetToken: Type.String(),
            expiresAt: Type.String(),
            sessionsEnded: Type.Integer(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { userId } = req.params as Static<typeof ResetParams>;
      return passwords.adminReset(req.ctx as TenantContext, userId, client(req));
    },
  );

  app.post(
    '/api/v1/auth/password-reset',
    {
      config: { auth: { public: 'sets a new password with a one-time reset token' }, rateLimit: limit },
      schema: {
        tags: ['auth'],
        body: CompleteBody,
        response: { 200: Type.Object({ ok: Type.Boolean() }), ...errorResponses },
      },
    },
    async (req) => {
      const b = req.body as Static<typeof CompleteBody>;
      await passwords.completeReset(b.token, b.newPassword, client(req));
      return { ok: true };
    },
  );
}
