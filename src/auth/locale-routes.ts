// The user's console language: stored on the account so that every sign-in (on any device)
// opens the console in it. Only the signed-in user changes their own.
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { Database } from '../platform/db.ts';
import { errorResponses } from '../platform/http-schemas.ts';
import type { AuthService } from './service.ts';
import { userStore } from './store.ts';

const LocaleBody = Type.Object(
  { locale: Type.Union([Type.Literal('en'), Type.Literal('de'), Type.Literal('fr')]) },
  { additionalProperties: false },
);

export function localeRoutes(
  app: FastifyInstance,
  deps: { db: Database; audit: AuditRecorder; auth: Pick<AuthService, 'forgetUser'> },
) {
  app.put(
    '/api/v1/me/locale',
    {
      config: { auth: { user: true } },
      schema: {
        tags: ['auth'],
        body: LocaleBody,
        response: { 200: Type.Object({ locale: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      const { locale } = req.body as Static<typeof LocaleBody>;
      const userId = req.ctx.actor.id!;
      await deps.db.withPlatform(async (tx) => {
        await userStore.setLocale(tx, userId, locale);
        await deps.audit.inTx(tx, {
          tenantId: null,
          actorType: 'user',
          actorId: userId,
          action: 'user.locale_change',
          resourceType: 'user',
          resourceId: userId,
          outcome: 'success',
          ...(req.ctx.ip ? { ip: req.ctx.ip } : {}),
          ...(req.ctx.uaHash ? { uaHash: req.ctx.uaHash } : {}),
          meta: { locale },
        });
      });
      // The cached session carries the user; the next /api/v1/me must answer the new language.
      deps.auth.forgetUser(userId);
      return { locale };
    },
  );
}
