// HTTP API for sign-in, MFA, logout, the current user and their sessions.
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import type { Config } from '../platform/config.ts';
import { VigilError } from '../platform/errors.ts';
import { errorResponses, Ok, Uuid } from '../platform/http-schemas.ts';
import type { AuthService, ClientInfo } from './service.ts';
import { clearSessionCookie, setSessionCookie } from './session-cookie.ts';
import { asDate } from './store.ts';
import { csrfTokenFor } from './tokens.ts';

const Email = Type.String({ minLength: 3, maxLength: 254 });

export function authRoutes(
  app: FastifyInstance,
  deps: {
    auth: AuthService;
    config: Pick<
      Config,
      'secureCookies' | 'sessionAbsoluteHours' | 'loginMaxPerIpPerMinute' | 'sessionIdleMinutes'
    >;
  },
) {
  const { auth, config } = deps;
  const client = (req: { ctx: { ip: string; uaHash: string; requestId: string } }): ClientInfo => ({
    ip: req.ctx.ip,
    uaHash: req.ctx.uaHash,
    requestId: req.ctx.requestId,
  });
  const loginLimit = { max: config.loginMaxPerIpPerMinute, timeWindow: '1 minute' };

  const setSession = (reply: FastifyReply, token: string) => setSessionCookie(reply, token, config);

  app.post(
    '/api/v1/auth/login',
    {
      config: { auth: { public: 'first factor of sign-in' }, rateLimit: loginLimit },
      schema: {
        tags: ['auth'],
        body: Type.Object(
          { email: Email, password: Type.String({ minLength: 1, maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            mfa: Type.String(),
            challenge: Type.String(),
            otpauthUri: Type.Optional(Type.String()),
            qrDataUrl: Type.Optional(Type.String()),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { email, password } = req.body as { email: string; password: string };
      return auth.login(email, password, client(req));
    },
  );

  const MfaBody = Type.Object(
    {
      challenge: Type.String({ minLength: 10, maxLength: 200 }),
      code: Type.String({ minLength: 6, maxLength: 32 }),
    },
    { additionalProperties: false },
  );
  const MfaResponse = Type.Object({
    csrfToken: Type.String(),
    user: Type.Any(),
    recoveryCodes: Type.Optional(Type.Array(Type.String())),
  });

  app.post(
    '/api/v1/auth/mfa/totp',
    {
      config: { auth: { public: 'second factor of sign-in' }, rateLimit: loginLimit },
      schema: { tags: ['auth'], body: MfaBody, response: { 200: MfaResponse, ...errorResponses } },
    },
    async (req, reply) => {
      const { challenge, code } = req.body as { challenge: string; code: string };
      const r = await auth.completeTotp(challenge, code, client(req));
      setSession(reply, r.sessionToken);
      return {
        csrfToken: r.csrfToken,
        user: r.user,
        ...(r.recoveryCodes ? { recoveryCodes: r.recoveryCodes } : {}),
      };
    },
  );

  app.post(
    '/api/v1/auth/mfa/recovery',
    {
      config: { auth: { public: 'second factor by recovery code' }, rateLimit: loginLimit },
      schema: { tags: ['auth'], body: MfaBody, response: { 200: MfaResponse, ...errorResponses } },
    },
    async (req, reply) => {
      const { challenge, code } = req.body as { challenge: string; code: string };
      const r = await auth.completeRecovery(challenge, code, client(req));
      setSession(reply, r.sessionToken);
      return { csrfToken: r.csrfToken, user: r.user };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { auth: { user: true } },
      schema: { tags: ['auth'], response: { 200: Ok, ...errorResponses } },
    },
    async (req, reply) => {
      await auth.revokeSessions({ id: req.ctx.actor.sessionId! }, 'logout', {
        ...client(req),
        userId: req.ctx.actor.id,
      });
      clearSessionCookie(reply, config.secureCookies);
      return { ok: true };
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { auth: { user: true } },
      schema: {
        tags: ['auth'],
        response: {
          200: Type.Object({
            user: Type.Any(),
            csrfToken: Type.String(),
            // The console warns before this idle timeout ends the session.
            sessionIdleMinutes: Type.Integer(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      return {
        user: req.authUser!,
        csrfToken: csrfTokenFor(req.sessionToken!),
        sessionIdleMinutes: config.sessionIdleMinutes,
      };
    },
  );

  app.post(
    '/api/v1/auth/step-up',
    {
      config: { auth: { user: true }, rateLimit: loginLimit },
      schema: {
        tags: ['auth'],
        body: Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false }),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (req) => {
      await auth.stepUp(
        req.ctx.actor.sessionId!,
        req.ctx.actor.id!,
        (req.body as { code: string }).code,
        client(req),
      );
      return { ok: true };
    },
  );

  const SessionView = Type.Object({
    id: Type.String(),
    current: Type.Boolean(),
    kind: Type.String(),
    createdAt: Type.String(),
    lastSeenAt: Type.String(),
    revokedAt: Type.Union([Type.String(), Type.Null()]),
    revokedReason: Type.Union([Type.String(), Type.Null()]),
  });
  app.get(
    '/api/v1/me/sessions',
    {
      config: { auth: { user: true } },
      schema: {
        tags: ['auth'],
        response: { 200: Type.Object({ sessions: Type.Array(SessionView) }), ...errorResponses },
      },
    },
    async (req) => {
      const list = await auth.listSessions(req.ctx.actor.id!);
      return { sessions: list.map((s) => sessionView(s, req.ctx.actor.sessionId)) };
    },
  );

  app.delete(
    '/api/v1/me/sessions/:sessionId',
    {
      config: { auth: { user: true } },
      schema: {
        tags: ['auth'],
        params: Type.Object({ sessionId: Uuid }),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (req) => {
      const { sessionId } = req.params as { sessionId: string };
      const own = (await auth.listSessions(req.ctx.actor.id!)).some((s) => s.id === sessionId);
      if (!own) throw new VigilError('not_found', 'session not found');
      await auth.revokeSessions({ id: sessionId }, 'revoked_by_user', {
        ...client(req),
        userId: req.ctx.actor.id,
      });
      return { ok: true };
    },
  );
}

export function sessionView(
  s: {
    id: string;
    kind: string;
    created_at: Date | string;
    last_seen_at: Date | string;
    revoked_at: Date | string | null;
    revoked_reason: string | null;
  },
  currentId?: string,
) {
  return {
    id: s.id,
    current: s.id === currentId,
    kind: s.kind,
    createdAt: asDate(s.created_at)!.toISOString(),
    lastSeenAt: asDate(s.last_seen_at)!.toISOString(),
    revokedAt: s.revoked_at ? asDate(s.revoked_at)!.toISOString() : null,
    revokedReason: s.revoked_reason,
  };
}
