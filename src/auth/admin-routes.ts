// Sessions and suspension of other users: security officers and admins of a tenant act on the
// members of that tenant only, and on their membership, never on the account (issue 20): a
// suspension here suspends the membership in this tenant; sessions (account-wide) are revoked here
// only for accounts that belong to this tenant alone.
import { sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { AuditRecorder } from '../platform/audit-port.ts';
import { type Database, rows } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { errorResponses, Ok, TenantParams, Uuid } from '../platform/http-schemas.ts';
import type { MembershipSuspension } from './membership-suspension.ts';
import { sessionView } from './routes.ts';
import type { AuthService } from './service.ts';

const Reason = Type.String({ minLength: 3, maxLength: 500 });
const UserParams = Type.Object(
  { tenantSlug: TenantParams.properties.tenantSlug, userId: Uuid },
  { additionalProperties: false },
);
const SessionParams = Type.Object(
  { tenantSlug: TenantParams.properties.tenantSlug, sessionId: Uuid },
  { additionalProperties: false },
);
const SessionList = Type.Object({
  sessions: Type.Array(
    Type.Object({
      id: Type.String(),
      current: Type.Boolean(),
      kind: Type.String(),
      createdAt: Type.String(),
      lastSeenAt: Type.String(),
      revokedAt: Type.Union([Type.String(), Type.Null()]),
      revokedReason: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

export function adminSessionRoutes(
  app: FastifyInstance,
  deps: { db: Database; auth: AuthService; audit: AuditRecorder; suspension: MembershipSuspension },
) {
  const { db, auth, suspension } = deps;
  const actor = (req: FastifyRequest) => ({
    ip: req.ctx.ip,
    uaHash: req.ctx.uaHash,
    requestId: req.ctx.requestId,
    userId: req.ctx.actor.id,
  });

  /** The user must be a member of the request's tenant, or the answer is 404. */
  async function memberOfTenant(tenantId: string, userId: string): Promise<void> {
    const r = await db.withPlatform((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from memberships where tenant_id = ${tenantId} and user_id = ${userId}`,
      ),
    );
    if (!r[0]?.n) throw new VigilError('not_found', 'user not found');
  }

  app.get(
    '/api/v1/tenants/:tenantSlug/users',
    {
      config: { auth: { tenant: ['read', 'User'] } },
      schema: {
        tags: ['admin'],
        params: TenantParams,
        response: {
          200: Type.Object({
            users: Type.Array(
              Type.Object({
                id: Type.String(),
                displayName: Type.String(),
                status: Type.String(),
                roles: Type.Array(Type.String()),
                lastLoginAt: Type.Union([Type.String(), Type.Null()]),
                activeSessions: Type.Integer(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const list = await db.withPlatform((tx) =>
        rows<{
          id: string;
          display_name: string;
          status: string;
          roles: string[];
          last_login_at: Date | string | null;
          active: number;
        }>(
          tx,
          sql`select u.id, u.display_name,
              case when exists (select 1 from membership_suspensions ms where ms.tenant_id = ${req.ctx.tenant!.id} and ms.user_id = u.id)
                then 'suspended' else u.status end as status, array_agg(m.role order by m.role) as roles, u.last_login_at,
              (select count(*)::int from sessions s where s.user_id = u.id and s.revoked_at is null and s.idle_expires_at > now()) as active
            from users u join memberships m on m.user_id = u.id and m.tenant_id = ${req.ctx.tenant!.id}
            group by u.id order by u.display_name`,
        ),
      );
      return {
        users: list.map((u) => ({
          id: u.id,
          displayName: u.display_name,
          status: u.status,
          roles: u.roles,
          lastLoginAt: u.last_login_at ? new Date(u.last_login_at).toISOString() : null,
          activeSessions: u.active,
        })),
      };
    },
  );

  app.get(
    '/api/v1/tenants/:tenantSlug/users/:userId/sessions',
    {
      config: { auth: { tenant: ['read', 'Session'] } },
      schema: { tags: ['admin'], params: UserParams, response: { 200: SessionList, ...errorResponses } },
    },
    async (req) => {
      const { userId } = req.params as { userId: string };
      await memberOfTenant(req.ctx.tenant!.id, userId);
      return { sessions: (await auth.listSessions(userId)).map((s) => sessionView(s)) };
    },
  );

  app.delete(
    '/api/v1/tenants/:tenantSlug/sessions/:sessionId',
    {
      config: { auth: { tenant: ['delete', 'Session'] } },
      schema: { tags: ['admin'], params: SessionParams, response: { 200: Ok, ...errorResponses } },
    },
    async (req) => {
      const { sessionId } = req.params as { sessionId: string };
      const [s] = await db.withPlatform((tx) =>
        rows<{ user_id: string }>(tx, sql`select user_id from sessions where id = ${sessionId}`),
      );
      if (!s) throw new VigilError('not_found', 'session not found');
      await memberOfTenant(req.ctx.tenant!.id, s.user_id);
      if (!(await suspension.exclusiveTo(req.ctx.tenant!.id, s.user_id)))
        throw new VigilError(
          'account_outside_tenant',
          'this account also belongs elsewhere; suspend its membership instead',
        );
      await auth.revokeSessions({ id: sessionId }, 'revoked_by_security', actor(req));
      return { ok: true };
    },
  );

  for (const [verb, suspend] of [
    ['suspend', true],
    ['unsuspend', false],
  ] as const) {
    app.post(
      `/api/v1/tenants/:tenantSlug/users/:userId/${verb}`,
      {
        config: { auth: { tenant: ['suspend', 'User'] } },
        schema: {
          tags: ['admin'],
          params: UserParams,
          body: Type.Object({ reason: Reason }, { additionalProperties: false }),
          response: { 200: Ok, ...errorResponses },
        },
      },
      async (req) => {
        const { userId } = req.params as { userId: string };
        if (userId === req.ctx.actor.id)
          throw new VigilError('forbidden', 'you cannot change your own suspension');
        const { reason } = req.body as { reason: string };
        const tenantId = req.ctx.tenant!.id;
        if (suspend) await suspension.suspend(tenantId, userId, reason, actor(req));
        else await suspension.unsuspend(tenantId, userId, reason, actor(req));
        return { ok: true };
      },
    );
  }
}
