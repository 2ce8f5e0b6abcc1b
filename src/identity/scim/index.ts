// SCIM 2.0 provisioning (issue 14): wiring of tokens, users, groups and their routes.
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../../auth/service.ts';
import type { AuditRecorder } from '../../platform/audit-port.ts';
import type { Database } from '../../platform/db.ts';
import { scimAdminRoutes } from './admin-routes.ts';
import { createScimGroups } from './groups.ts';
import { invitationRoutes } from './invitation-routes.ts';
import { createInvitations } from './invitations.ts';
import { scimRoutes } from './routes.ts';
import { createScimTokens, type ScimTokens } from './tokens.ts';
import { createScimUsers } from './users.ts';

export function createScim(deps: {
  db: Database;
  audit: AuditRecorder;
  auth: Pick<AuthService, 'revokeSessions' | 'listSessions' | 'forgetUser'>;
}) {
  const tokens = createScimTokens(deps);
  const users = createScimUsers({
    db: deps.db,
    audit: deps.audit,
    forgetUser: deps.auth.forgetUser,
    revokeAllSessions: (userId, reason, ctx) =>
      deps.auth.revokeSessions({ userId }, reason, {
        ip: ctx.ip,
        uaHash: ctx.uaHash,
        requestId: ctx.requestId,
        userId: null,
      }),
  });
  const groups = createScimGroups({ ...deps, forgetUser: deps.auth.forgetUser });
  const invitations = createInvitations({ db: deps.db, audit: deps.audit, forgetUser: deps.auth.forgetUser });
  return {
    tokens,
    users,
    groups,
    register(app: FastifyInstance) {
      scimRoutes(app, { users, groups, audit: deps.audit });
      scimAdminRoutes(app, { db: deps.db, audit: deps.audit, tokens, auth: deps.auth });
      invitationRoutes(app, { invitations });
    },
  };
}

export type { ScimTokens };
