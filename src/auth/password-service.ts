// Passwords after sign-up: a change by the user (current password + a new one that passes the
// policy; every other session of theirs ends) and a reset by a tenant admin for a member of that
// tenant only (never a platform account, never someone who also belongs to another tenant,
// never themselves). A reset ends all the user's sessions, makes the old password unusable and
// yields a one-time token (24 h) the admin hands over; the user sets a new password with it and
// then signs in with password and second factor as always.
import { sql } from 'drizzle-orm';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.ts';
import type { AuthService, ClientInfo } from './service.ts';
import { type UserRow, userStore } from './store.ts';
import { randomToken, sha256 } from './tokens.ts';

const RESET_TTL_MS = 24 * 3_600_000;
// Not an argon2 string: verifyPassword fails on it, so no password signs in while a reset is pending.
const UNUSABLE = '!reset-pending';

export function createPasswordService(deps: {
  db: Database;
  audit: AuditRecorder;
  auth: Pick<AuthService, 'revokeSessions'>;
}) {
  const { db, audit, auth } = deps;

  const event = (
    c: ClientInfo,
    actor: string | null,
    action: string,
    subject: string,
    tenantId: string | null,
  ) => ({
    tenantId,
    actorType: 'user' as const,
    actorId: actor,
    action,
    resourceType: 'user',
    resourceId: subject,
    outcome: 'success' as const,
    ip: c.ip,
    uaHash: c.uaHash,
    ...(c.requestId ? { requestId: c.requestId } : {}),
  });

  async function acceptable(
    user: Pick<UserRow, 'email' | 'display_name'>,
    password: string,
  ): Promise<string> {
    const problem = checkPasswordPolicy(password, [user.email, user.display_name]);
    if (problem)
      throw new VigilError('weak_password', 'the new password does not meet the policy', {
        details: [{ path: 'newPassword', message: problem }],
      });
    return hashPassword(password);
  }

  const setHash = (tx: Tx, userId: string, hash: string) =>
    tx.execute(sql`update users set password_hash = ${hash}, password_reset_hash = null,
        password_reset_expires_at = null where id = ${userId}`);

  /** The signed-in user changes their own password; their other sessions end. */
  async function change(
    userId: string,
    sessionId: string,
    input: { currentPassword: string; newPassword: string },
    c: ClientInfo,
  ): Promise<{ otherSessionsEnded: number }> {
    const user = (await db.withPlatform((tx) => userStore.byId(tx, userId)))!;
    if (!(await verifyPassword(user.password_hash, input.currentPassword)))
      throw new VigilError('invalid_credentials', 'the current password is wrong');
    if (input.newPassword === input.currentPassword)
      throw new VigilError('weak_password', 'the new password must differ from the current one', {
        details: [{ path: 'newPassword', message: 'reused' }],
      });
    const hash = await acceptable(user, input.newPassword);
    await db.withPlatform(async (tx) => {
      await setHash(tx, userId, hash);
      await audit.inTx(tx, event(c, userId, 'user.password_change', userId, null));
    });
    const ended = await auth.revokeSessions({ userId, exceptId: sessionId }, 'password_changed', {
      ...c,
      userId,
    });
    return { otherSessionsEnded: ended.length };
  }

  /** A tenant admin resets a member of their tenant; returns the one-time reset token. */
  async function adminReset(ctx: TenantContext, userId: string, c: ClientInfo) {
    const adminId = ctx.actor.id;
    const memberships = await db.withPlatform((tx) =>
      rows<{ tenant_id: string | null }>(
        tx,
        sql`select tenant_id from memberships where user_id = ${userId}`,
      ),
    );
    if (!memberships.some((m) => m.tenant_id === ctx.tenant.id))
      throw new VigilError('not_found', 'user not found');
    if (userId === adminId)
      throw new VigilError('forbidden', 'change your own password with your current one');
    if (memberships.some((m) => m.tenant_id !== ctx.tenant.id))
      throw new VigilError(
        'forbidden',
        'this account is not managed by this tenant alone; ask a platform administrator',
      );
    const token = randomToken();
    await db.withPlatform(async (tx) => {
      await tx.execute(sql`update users set password_hash = ${UNUSABLE}, password_reset_hash = ${sha256(token)},
          password_reset_expires_at = ${new Date(Date.now() + RESET_TTL_MS)} where id = ${userId}`);
      await audit.inTx(tx, event(c, adminId, 'user.password_reset', userId, null));
    });
    // Also in the tenant's own chain, so its security officers see it (as for suspensions).
    await audit.standalone(userAction(ctx, 'user.password_reset', 'user', userId));
    const ended = await auth.revokeSessions({ userId }, 'password_reset', { ...c, userId: adminId });
    return {
      resetToken: token,
      expiresAt: new Date(Date.now() + RESET_TTL_MS).toISOString(),
      sessionsEnded: ended.length,
    };
  }

  /** The user sets a new password with the one-time token; the token is spent. */
  async function completeReset(token: string, newPassword: string, c: ClientInfo): Promise<void> {
    const user = await db.withPlatform(
      async (tx) =>
        (
          await rows<UserRow>(
            tx,
            sql`select * from users where password_reset_hash = ${sha256(token)} and password_reset_expires_at > now()`,
          )
        )[0],
    );
    if (!user) throw new VigilError('unauthenticated', 'the reset token is invalid, used or expired');
    const hash = await acceptable(user, newPassword);
    const spent = await db.withPlatform(async (tx) => {
      const r = await rows<{ id: string }>(
        tx,
        sql`update users set password_hash = ${hash}, password_reset_hash = null, password_reset_expires_at = null
            where id = ${user.id} and password_reset_hash = ${sha256(token)} returning id`,
      );
      if (r.length) await audit.inTx(tx, event(c, user.id, 'user.password_reset_complete', user.id, null));
      return r.length > 0;
    });
    if (!spent) throw new VigilError('unauthenticated', 'the reset token is invalid, used or expired');
    await auth.revokeSessions({ userId: user.id }, 'password_reset', { ...c, userId: user.id });
  }

  return { change, adminReset, completeReset };
}

export type PasswordService = ReturnType<typeof createPasswordService>;
