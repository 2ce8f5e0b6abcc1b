// Invitations of new people by e-mail (issue 25). A tenant admin invites an address with a role;
// the person opens the link (the single-use token travels in the URL fragment, which browsers never
// send, and then in a POST body: never in a URL, a log or the database, which keeps its SHA-256),
// sets a password that passes the policy, and enrols TOTP at the first sign-in like every account.
// A role that reads personal data needs a second tenant admin's approval before the mail goes out
// (the same four-eyes rule as role grants, src/tenancy/role-grants.ts). Without an outbound relay
// nothing is created: an invitation that cannot be delivered is refused with 409 mail_relay_missing.
import { DATA_READING_ROLES, type Role } from '../authz/index.ts';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import type { MailSender } from '../platform/mail-relay.ts';
import { type InvitationRow, invitationStore as store } from './invitation-store.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';
import type { ClientInfo } from './service.ts';
import { randomToken, sha256 } from './tokens.ts';

const INVITE_TTL_MS = 7 * 86_400_000;
// Not an argon2 string: verifyPassword fails on it, so the account cannot sign in before acceptance.
const UNUSABLE = '!invited';
const hashOf = (token: string) => sha256(token).toString('hex');

const MAIL = {
  en: (tenant: string, link: string) => ({
    subject: `Invitation to ${tenant} on Vigil`,
    text: `You have been invited to work in ${tenant} on Vigil.\n\nAccept the invitation and set your password:\n${link}\n\nThe link works once and expires in 7 days. At your first sign-in you set up an authenticator app.\n`,
  }),
  de: (tenant: string, link: string) => ({
    subject: `Einladung zu ${tenant} in Vigil`,
    text: `Sie wurden eingeladen, in ${tenant} mit Vigil zu arbeiten.\n\nNehmen Sie die Einladung an und legen Sie Ihr Passwort fest:\n${link}\n\nDer Link gilt einmal und 7 Tage lang. Bei der ersten Anmeldung richten Sie eine Authenticator-App ein.\n`,
  }),
  fr: (tenant: string, link: string) => ({
    subject: `Invitation à ${tenant} sur Vigil`,
    text: `Vous êtes invité(e) à travailler dans ${tenant} sur Vigil.\n\nAcceptez l'invitation et choisissez votre mot de passe :\n${link}\n\nLe lien ne sert qu'une fois et expire dans 7 jours. À la première connexion, vous configurez une application d'authentification.\n`,
  }),
};

export interface InvitationDeps {
  db: Database;
  audit: AuditRecorder;
  /** The outbound relay; undefined when SMTP_RELAY_URL is not set. */
  mail: MailSender | undefined;
  /** The console's public origin, for the link. */
  baseUrl(): string;
  onAccessChanged?(userId: string): void;
}

export function createInvitations(deps: InvitationDeps) {
  const { db, audit } = deps;

  const requireRelay = (): MailSender => {
    if (!deps.mail)
      throw new VigilError('mail_relay_missing', 'no outbound mail relay is configured (SMTP_RELAY_URL)');
    return deps.mail;
  };

  async function send(i: Pick<InvitationRow, 'email' | 'locale' | 'tenant_name'>, token: string) {
    const link = `${deps.baseUrl()}/app/invite#token=${token}`;
    const m = MAIL[i.locale] ?? MAIL.en;
    await requireRelay().send({ to: i.email, ...m(i.tenant_name, link) });
  }

  async function invite(
    ctx: TenantContext,
    input: { email: string; displayName: string; role: Role; locale?: 'en' | 'de' | 'fr' },
  ) {
    requireRelay();
    const needsApproval = DATA_READING_ROLES.includes(input.role);
    const token = randomToken();
    const expiresAt = new Date(Date.now() + INVITE_TTL_MS);
    const locale = input.locale ?? 'en';
    // Platform tables (users, invitations) in the tenant's transaction: its audit chain is written atomically.
    const id = await db.withTenant(ctx.tenant.id, async (tx) => {
      if (await store.emailTaken(tx, input.email))
        throw new VigilError('account_exists', 'an account with this e-mail exists; grant it a role instead');
      const userId = await store.createInvitee(tx, { ...input, locale, unusableHash: UNUSABLE });
      const invitationId = await store.insert(tx, {
        tenantId: ctx.tenant.id,
        userId,
        role: input.role,
        tokenHash: hashOf(token),
        status: needsApproval ? 'awaiting_approval' : 'sent',
        invitedBy: ctx.actor.id,
        expiresAt,
      });
      await audit.inTx(
        tx,
        userAction(ctx, 'user.invite', 'user', userId, { role: input.role, invitationId, needsApproval }),
      );
      return invitationId;
    });
    if (!needsApproval) await send({ email: input.email, locale, tenant_name: ctx.tenant.name }, token);
    return { id, status: needsApproval ? ('awaiting_approval' as const) : ('sent' as const), expiresAt };
  }

  async function list(ctx: TenantContext) {
    const all = await db.withPlatform((tx) => store.list(tx, ctx.tenant.id));
    // Names and roles only: the address was typed by the admin and is not shown back.
    return all.map((i) => ({
      id: i.id,
      displayName: i.display_name,
      role: i.role,
      status: new Date(i.expires_at) < new Date() && i.status !== 'accepted' ? 'expired' : i.status,
      invitedBy: i.invited_by,
      expiresAt: new Date(i.expires_at).toISOString(),
      createdAt: new Date(i.created_at).toISOString(),
    }));
  }

  /** A second tenant admin approves a data-reading role; the mail goes out with a fresh token. */
  async function approve(ctx: TenantContext, id: string) {
    requireRelay();
    const token = randomToken();
    const row = await db.withTenant(ctx.tenant.id, async (tx) => {
      const i = await store.byId(tx, ctx.tenant.id, id, true);
      if (!i) throw new VigilError('not_found', 'invitation not found');
      if (i.status !== 'awaiting_approval')
        throw new VigilError('conflict', 'the invitation is not awaiting approval');
      if (i.invited_by === ctx.actor.id)
        throw new VigilError('forbidden', 'another tenant admin approves an invitation with this role');
      await store.setStatus(tx, id, 'sent', { approvedBy: ctx.actor.id!, tokenHash: hashOf(token) });
      await audit.inTx(
        tx,
        userAction(ctx, 'user.invite_approve', 'user', i.user_id, { role: i.role, invitationId: id }),
      );
      return i;
    });
    await send(row, token);
  }

  async function revoke(ctx: TenantContext, id: string) {
    await db.withTenant(ctx.tenant.id, async (tx) => {
      const i = await store.byId(tx, ctx.tenant.id, id, true);
      if (!i) throw new VigilError('not_found', 'invitation not found');
      if (i.status === 'accepted' || i.status === 'revoked')
        throw new VigilError('conflict', 'the invitation is no longer open');
      await store.setStatus(tx, id, 'revoked');
      await audit.inTx(tx, userAction(ctx, 'user.invite_revoke', 'user', i.user_id, { invitationId: id }));
    });
  }

  /** What the acceptance page shows before the password is set (no address). */
  async function inspect(token: string) {
    const i = await db.withPlatform((tx) => store.byToken(tx, hashOf(token)));
    if (!i) throw new VigilError('invitation_invalid', 'the invitation is invalid, used or expired');
    return { displayName: i.display_name, tenantName: i.tenant_name, role: i.role, locale: i.locale };
  }

  /** The person sets their password; the token is spent and the role becomes a membership. */
  async function accept(token: string, password: string, c: ClientInfo) {
    const found = await db.withPlatform((tx) => store.byToken(tx, hashOf(token)));
    if (!found) throw new VigilError('invitation_invalid', 'the invitation is invalid, used or expired');
    const problem = checkPasswordPolicy(password, [found.email, found.display_name]);
    if (problem)
      throw new VigilError('weak_password', 'the password does not meet the policy', {
        details: [{ path: 'password', message: problem }],
      });
    const hash = await hashPassword(password);
    const i = await db.withTenant(found.tenant_id, async (tx) => {
      // Locked and read again: two tabs accepting at once spend the token once.
      const open = await store.byToken(tx, hashOf(token), true);
      if (!open) throw new VigilError('invitation_invalid', 'the invitation is invalid, used or expired');
      await store.accept(tx, open, hash);
      await store.setStatus(tx, open.id, 'accepted');
      const base = {
        tenantId: open.tenant_id,
        resourceType: 'user',
        resourceId: open.user_id,
        outcome: 'success' as const,
        ip: c.ip,
        uaHash: c.uaHash,
        ...(c.requestId ? { requestId: c.requestId } : {}),
      };
      await audit.inTx(tx, {
        ...base,
        actorType: 'user',
        actorId: open.user_id,
        action: 'user.invite_accept',
        meta: { invitationId: open.id },
      });
      // The grant was decided by whoever invited (and approved): they are its actor, not the invitee.
      await audit.inTx(tx, {
        ...base,
        actorType: 'user',
        actorId: open.approved_by ?? open.invited_by,
        action: 'membership.grant',
        meta: { role: open.role, self: false, via: 'invitation', invitationId: open.id },
      });
      return open;
    });
    deps.onAccessChanged?.(i.user_id);
    return { email: i.email };
  }

  return { invite, list, approve, revoke, inspect, accept };
}

export type Invitations = ReturnType<typeof createInvitations>;
