// Authentication: password + mandatory TOTP, server-side sessions, lockout, suspension.
// No code path yields a session with one factor: a session row is only created by completeMfa.
import { sql } from 'drizzle-orm';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { ClusterBus } from '../platform/cluster/index.ts';
import type { Config } from '../platform/config.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { burnPasswordCheck, verifyPassword } from './passwords.ts';
import {
  asDate,
  type MembershipRow,
  type SessionRow,
  sessionStore,
  type UserRow,
  userStore,
} from './store.ts';
import { csrfTokenFor, normalizeRecoveryCode, randomToken, recoveryCode, sha256 } from './tokens.ts';
import { newTotpSecret, otpauthQrDataUrl, otpauthUri, verifyTotp } from './totp.ts';

/** Seals small platform secrets (TOTP seeds). Pass the open transaction: PGlite has one connection. */
export interface SecretSealer {
  seal(purpose: string, recordId: string, plaintext: Buffer, tx?: Tx): Promise<Buffer>;
  open(purpose: string, recordId: string, sealed: Buffer, tx?: Tx): Promise<Buffer>;
}

export interface ClientInfo {
  ip: string;
  uaHash: string;
  requestId?: string;
}

export interface PublicUser {
  id: string;
  email: string;
  displayName: string;
  locale: string;
  memberships: Array<{
    tenant: { id: string; slug: string; name: string } | null;
    role: MembershipRow['role'];
  }>;
}

export type LoginResult =
  | { mfa: 'totp'; challenge: string }
  | { mfa: 'totp_enrol'; challenge: string; otpauthUri: string; qrDataUrl: string };

export interface MfaResult {
  sessionToken: string;
  csrfToken: string;
  user: PublicUser;
  recoveryCodes?: string[];
}

export interface AuthenticatedSession {
  session: SessionRow;
  user: PublicUser;
  /** True when monitoring asked for a fresh second factor after this session's last one. */
  stepUpRequired: boolean;
}

/** The account is locked: even a correct second factor opens no session while it lasts. */
class LockedAtFactor extends VigilError {
  constructor(
    readonly userId: string,
    until: Date,
  ) {
    super('account_locked', 'too many failed attempts; try again later', {
      retryAfter: Math.ceil((until.getTime() - Date.now()) / 1000),
    });
  }
}

const CHALLENGE_TTL_MS = 5 * 60_000;
const CHALLENGE_MAX_ATTEMPTS = 5;
// Persisting last_seen on every request would make each read a write; a small slack is enough.
const TOUCH_EVERY_MS = 15_000;
// Every request authenticates; a short-lived in-process cache spares the database that read.
// Whatever must end access at once (revocation, suspension, step-up, membership change) evicts
// the user's entries on this node; other nodes evict on the cluster event, at the latest after this.
const SESSION_CACHE_MS = 1_000;
const SESSION_CACHE_MAX = 50_000;

export function createAuthService(deps: {
  db: Database;
  config: Pick<
    Config,
    'sessionIdleMinutes' | 'sessionAbsoluteHours' | 'lockoutThreshold' | 'lockoutBaseSeconds'
  >;
  audit: AuditRecorder;
  secrets: SecretSealer;
  /** "Phishing-resistant factor required" (src/identity/webauthn/policy.ts): TOTP no longer suffices. */
  factorPolicy?: { phishingResistantRequired(tx: Tx, userId: string): Promise<boolean> };
  /** Revocations travel to every node (sockets dropped, session caches forgotten there too). */
  bus?: ClusterBus;
}) {
  const { db, config, audit, secrets } = deps;
  const idleMs = config.sessionIdleMinutes * 60_000;
  const absoluteMs = config.sessionAbsoluteHours * 3_600_000;

  const event = (
    c: ClientInfo,
    userId: string | null,
    action: string,
    outcome: 'success' | 'failure' | 'denied',
    meta?: Record<string, string | number | boolean | null>,
  ) => ({
    tenantId: null,
    actorType: 'user' as const,
    actorId: userId,
    action,
    resourceType: 'user',
    resourceId: userId,
    outcome,
    // System actions (monitoring) have no client address.
    ...(c.ip ? { ip: c.ip } : {}),
    ...(c.uaHash ? { uaHash: c.uaHash } : {}),
    ...(c.requestId ? { requestId: c.requestId } : {}),
    ...(meta ? { meta } : {}),
  });

  async function publicUser(
    tx: Tx,
    u: Pick<UserRow, 'id' | 'email' | 'display_name' | 'locale'>,
  ): Promise<PublicUser> {
    const ms = await userStore.memberships(tx, u.id);
    return {
      id: u.id,
      email: u.email,
      displayName: u.display_name,
      locale: u.locale,
      memberships: ms.map((m) => ({
        tenant: m.tenant_id ? { id: m.tenant_id, slug: m.slug!, name: m.name! } : null,
        role: m.role,
      })),
    };
  }

  async function login(email: string, password: string, c: ClientInfo): Promise<LoginResult> {
    const user = await db.withPlatform((tx) => userStore.byEmail(tx, email));
    if (!user) {
      await burnPasswordCheck(password);
      await audit.standalone(event(c, null, 'auth.login', 'failure', { reason: 'unknown_account' }));
      throw new VigilError('invalid_credentials', 'e-mail or password is wrong');
    }
    const lockedUntil = asDate(user.locked_until);
    if (lockedUntil && lockedUntil > new Date()) {
      await audit.standalone(event(c, user.id, 'auth.login', 'denied', { reason: 'locked' }));
      throw new VigilError('account_locked', 'too many failed attempts; try again later', {
        retryAfter: Math.ceil((lockedUntil.getTime() - Date.now()) / 1000),
      });
    }
    if (!(await verifyPassword(user.password_hash, password))) {
      await recordFailure(user.id, c, 'auth.login');
      throw new VigilError('invalid_credentials', 'e-mail or password is wrong');
    }
    if (user.access_status !== 'active') {
      await audit.standalone(event(c, user.id, 'auth.login', 'denied', { reason: user.access_status }));
      throw new VigilError('account_suspended', 'this account is suspended; contact your security officer');
    }
    return db.withPlatform(async (tx) => {
      await audit.inTx(tx, event(c, user.id, 'auth.password', 'success'));
      return issueChallenge(tx, user, c, 'pwd');
    });
  }

  /** The second step of sign-in after a first factor (password, or SSO without IdP-asserted MFA). */
  async function issueChallenge(
    tx: Tx,
    user: UserRow,
    c: ClientInfo,
    firstFactor: 'pwd' | 'oidc' | 'saml',
  ): Promise<LoginResult> {
    const challenge = randomToken();
    const enrolled = user.totp_secret_sealed !== null;
    {
      const [row] = await rows<{ id: string }>(
        tx,
        sql`insert into mfa_challenges (challenge_hash, user_id, purpose, expires_at, ua_hash, first_factor)
            values (${sha256(challenge)}, ${user.id}, ${enrolled ? 'login' : 'enrol'},
                    ${new Date(Date.now() + CHALLENGE_TTL_MS)}, ${c.uaHash}, ${firstFactor}) returning id`,
      );
      if (enrolled) return { mfa: 'totp' as const, challenge };
      const secret = newTotpSecret();
      const sealed = await secrets.seal('totp-pending', row!.id, Buffer.from(secret), tx);
      await tx.execute(
        sql`update mfa_challenges set pending_secret_sealed = ${sealed} where id = ${row!.id}`,
      );
      const uri = otpauthUri(secret, user.email);
      return {
        mfa: 'totp_enrol' as const,
        challenge,
        otpauthUri: uri,
        qrDataUrl: await otpauthQrDataUrl(uri),
      };
    }
  }

  async function recordFailure(userId: string, c: ClientInfo, action: string): Promise<void> {
    await db.withPlatform(async (tx) => {
      const r = await userStore.recordFailure(tx, userId, config.lockoutThreshold, config.lockoutBaseSeconds);
      await audit.inTx(tx, event(c, userId, action, 'failure'));
      if (r.locked) {
        await audit.inTx(tx, event(c, userId, 'auth.lockout', 'success'));
        // Open sign-in challenges end with the lock: guesses cannot continue on them.
        await tx.execute(
          sql`update mfa_challenges set expires_at = least(expires_at, now()) where user_id = ${userId} and used_at is null`,
        );
      }
    });
  }

  /** Refuses while the account is locked (the caller audits the denial after the rollback). */
  async function assertNotLocked(tx: Tx, userId: string): Promise<void> {
    const [u] = await rows<{ locked_until: Date | string | null }>(
      tx,
      sql`select locked_until from users where id = ${userId}`,
    );
    const until = asDate(u?.locked_until ?? null);
    if (until && until > new Date()) throw new LockedAtFactor(userId, until);
  }

  /** Runs a second-factor step; a refusal for a lock is audited once the transaction is gone. */
  async function auditLock<T>(c: ClientInfo, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof LockedAtFactor)
        await audit.standalone(event(c, e.userId, 'auth.mfa', 'denied', { reason: 'locked' }));
      throw e;
    }
  }

  interface ChallengeRow {
    id: string;
    user_id: string;
    purpose: string;
    attempts: number;
    expires_at: Date | string;
    used_at: Date | string | null;
    ua_hash: string;
    pending_secret_sealed: Uint8Array | null;
    first_factor: 'pwd' | 'oidc' | 'saml';
  }

  async function takeChallenge(tx: Tx, challenge: string, c: ClientInfo): Promise<ChallengeRow> {
    const [ch] = await rows<ChallengeRow>(
      tx,
      sql`update mfa_challenges set attempts = attempts + 1 where challenge_hash = ${sha256(challenge)}
          returning id, user_id, purpose, attempts, expires_at, used_at, ua_hash, pending_secret_sealed, first_factor`,
    );
    // The lock holds at the second factor too: a challenge issued before the lock completes
    // nothing while it lasts (and recordFailure already expired it when the lock began).
    if (ch && ch.ua_hash === c.uaHash) await assertNotLocked(tx, ch.user_id);
    if (
      !ch ||
      ch.used_at ||
      asDate(ch.expires_at)! < new Date() ||
      ch.attempts > CHALLENGE_MAX_ATTEMPTS ||
      ch.ua_hash !== c.uaHash
    ) {
      throw new VigilError('unauthenticated', 'the sign-in challenge is invalid or expired; sign in again');
    }
    return ch;
  }

  /** Checks a passkey assertion for a sign-in challenge (src/identity/webauthn). */
  type ExternalFactor = (tx: Tx, userId: string, challengeId: string) => Promise<boolean>;

  async function completeMfa(
    challenge: string,
    code: string,
    kind: 'totp' | 'recovery' | 'webauthn',
    c: ClientInfo,
    external?: ExternalFactor,
  ): Promise<MfaResult> {
    // Step 1: check the code; a failure must persist its counters, so it commits on its own.
    const outcome = await auditLock(c, () =>
      db.withPlatform(async (tx) => {
        const ch = await takeChallenge(tx, challenge, c);
        const user = (await userStore.byId(tx, ch.user_id))!;
        if (user.access_status !== 'active') return { ok: false as const, user, suspended: true };
        if (kind !== 'webauthn' && (await deps.factorPolicy?.phishingResistantRequired(tx, user.id)))
          return { ok: false as const, user, suspended: false, phishingResistant: true };
        let step: number | null = null;
        let newSecret: Buffer | null = null;
        let usedRecovery = false;
        let usedExternal = false;
        if (kind === 'webauthn') {
          usedExternal = external !== undefined && (await external(tx, user.id, ch.id));
        } else if (kind === 'recovery') {
          const [rc] = await rows<{ id: string }>(
            tx,
            sql`update recovery_codes set used_at = now()
              where id = (select id from recovery_codes where user_id = ${user.id} and used_at is null
                          and code_hash = ${sha256(normalizeRecoveryCode(code)).toString('hex')} limit 1)
              returning id`,
          );
          usedRecovery = rc !== undefined;
        } else if (ch.purpose === 'enrol' && ch.pending_secret_sealed) {
          newSecret = await secrets.open('totp-pending', ch.id, Buffer.from(ch.pending_secret_sealed), tx);
          step = verifyTotp(newSecret.toString(), code, 0);
        } else if (user.totp_secret_sealed) {
          const secret = await secrets.open('totp', user.id, Buffer.from(user.totp_secret_sealed), tx);
          step = verifyTotp(secret.toString(), code, Number(user.totp_last_step));
        }
        if (step === null && !usedRecovery && !usedExternal)
          return { ok: false as const, user, suspended: false };
        await tx.execute(sql`update mfa_challenges set used_at = now() where id = ${ch.id}`);
        if (newSecret) {
          const sealed = await secrets.seal('totp', user.id, newSecret, tx);
          await tx.execute(
            sql`update users set totp_secret_sealed = ${sealed}, mfa_enrolled_at = now() where id = ${user.id}`,
          );
        }
        if (step !== null)
          await tx.execute(sql`update users set totp_last_step = ${step} where id = ${user.id}`);
        return {
          ok: true as const,
          user,
          enrolled: newSecret !== null,
          usedRecovery,
          firstFactor: ch.first_factor,
        };
      }),
    );
    if (!outcome.ok) {
      if (outcome.suspended)
        throw new VigilError('account_suspended', 'this account is suspended; contact your security officer');
      if ('phishingResistant' in outcome) {
        await audit.standalone(
          event(c, outcome.user.id, 'auth.mfa', 'denied', {
            method: kind,
            reason: 'phishing_resistant_required',
          }),
        );
        throw new VigilError(
          'phishing_resistant_required',
          'sign in with a passkey; this code is not accepted for your role',
        );
      }
      if (kind === 'webauthn') {
        await recordFailure(outcome.user.id, c, 'auth.mfa');
        throw new VigilError('webauthn_failed', 'the passkey could not be verified');
      }
      await recordFailure(outcome.user.id, c, 'auth.mfa');
      throw new VigilError('invalid_mfa_code', 'the code is wrong or was already used');
    }
    // Step 2: the session.
    return db.withPlatform(async (tx) => {
      const { user } = outcome;
      const r = await openSession(tx, user, [outcome.firstFactor, kind], c, { method: kind });
      if (outcome.enrolled) return { ...r, recoveryCodes: await issueRecoveryCodes(tx, user.id) };
      return r;
    });
  }

  async function openSession(
    tx: Tx,
    user: UserRow,
    methods: string[],
    c: ClientInfo,
    meta: Record<string, string>,
  ): Promise<MfaResult> {
    await userStore.recordSuccess(tx, user.id);
    const token = randomToken();
    const now = Date.now();
    const kind = methods[0] === 'pwd' ? 'browser' : 'sso';
    const [s] = await rows<{ id: string }>(
      tx,
      sql`insert into sessions (token_hash, user_id, kind, auth_methods, ua_hash, ip, idle_expires_at, absolute_expires_at)
          values (${sha256(token)}, ${user.id}, ${kind}, array[${sql.join(
            methods.map((m) => sql`${m}`),
            sql`, `,
          )}]::text[],
                  ${c.uaHash}, ${c.ip}, ${new Date(now + idleMs)}, ${new Date(now + absoluteMs)})
          returning id`,
    );
    await audit.inTx(tx, {
      ...event(c, user.id, 'auth.mfa', 'success', meta),
      resourceType: 'session',
      resourceId: s!.id,
    });
    return { sessionToken: token, csrfToken: csrfTokenFor(token), user: await publicUser(tx, user) };
  }

  /**
   * After an SSO first factor: a session at once when the IdP asserted an accepted MFA (and, for
   * users under the phishing-resistant policy, a phishing-resistant one); otherwise Vigil's own
   * second factor, exactly as after a password.
   */
  async function afterSso(
    userId: string,
    via: 'oidc' | 'saml',
    idp: { mfa: boolean; phishingResistant: boolean },
    c: ClientInfo,
  ): Promise<{ session: MfaResult } | { challenge: LoginResult }> {
    return db.withPlatform(async (tx) => {
      const user = (await userStore.byId(tx, userId))!;
      if (user.access_status !== 'active') {
        await audit.inTx(tx, event(c, user.id, `auth.${via}`, 'denied', { reason: user.access_status }));
        throw new VigilError('account_suspended', 'this account is suspended; contact your security officer');
      }
      const prRequired = (await deps.factorPolicy?.phishingResistantRequired(tx, user.id)) ?? false;
      if (idp.mfa && (!prRequired || idp.phishingResistant)) {
        const methods = [via, idp.phishingResistant ? 'idp_phr' : 'idp_mfa'];
        return { session: await openSession(tx, user, methods, c, { method: methods[1]! }) };
      }
      return { challenge: await issueChallenge(tx, user, c, via) };
    });
  }

  async function issueRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
    await tx.execute(sql`delete from recovery_codes where user_id = ${userId}`);
    const codes = Array.from({ length: 10 }, recoveryCode);
    for (const code of codes) {
      await tx.execute(
        sql`insert into recovery_codes (user_id, code_hash) values (${userId}, ${sha256(normalizeRecoveryCode(code)).toString('hex')})`,
      );
    }
    return codes;
  }

  /** Resolves a session cookie; throws 401 for anything not live. */
  const sessionCache = new Map<string, { at: number; value: AuthenticatedSession }>();
  const forgetUser = (userId: string) => {
    for (const [k, e] of sessionCache) if (e.value.user.id === userId) sessionCache.delete(k);
  };

  async function authenticate(token: string, uaHash: string): Promise<AuthenticatedSession> {
    const key = sha256(token).toString('base64');
    const now = Date.now();
    const hit = sessionCache.get(key);
    if (hit && now - hit.at < SESSION_CACHE_MS) {
      const s = hit.value.session;
      if (s.ua_hash !== uaHash) throw new VigilError('unauthenticated', 'not signed in');
      if (asDate(s.idle_expires_at)!.getTime() > now && asDate(s.absolute_expires_at)!.getTime() > now)
        return hit.value;
    }
    sessionCache.delete(key);
    const value = await authenticateFromDb(token, uaHash);
    if (sessionCache.size >= SESSION_CACHE_MAX) sessionCache.clear();
    sessionCache.set(key, { at: now, value });
    return value;
  }

  async function authenticateFromDb(token: string, uaHash: string): Promise<AuthenticatedSession> {
    return db.withPlatform(async (tx) => {
      const s = await sessionStore.byTokenHash(tx, sha256(token));
      const now = Date.now();
      if (!s || s.revoked_at) throw new VigilError('unauthenticated', 'not signed in');
      if (asDate(s.idle_expires_at)!.getTime() <= now || asDate(s.absolute_expires_at)!.getTime() <= now) {
        throw new VigilError('session_expired', 'the session has expired; sign in again');
      }
      // A cookie replayed from another browser is refused.
      if (s.ua_hash !== uaHash) throw new VigilError('unauthenticated', 'not signed in');
      if (s.user_status !== 'active')
        throw new VigilError('account_suspended', 'this account is suspended; contact your security officer');
      if (now - asDate(s.last_seen_at)!.getTime() > TOUCH_EVERY_MS) {
        await tx.execute(
          sql`update sessions set last_seen_at = now(), idle_expires_at = ${new Date(now + idleMs)} where id = ${s.id}`,
        );
      }
      const user = (await userStore.byId(tx, s.user_id))!;
      const stepUpAfter = asDate(user.step_up_after);
      const stepUpRequired = stepUpAfter !== null && asDate(s.mfa_at)! < stepUpAfter;
      return { session: s, user: await publicUser(tx, user), stepUpRequired };
    });
  }

  async function revokeSessions(
    where: { id?: string; userId?: string; exceptId?: string },
    reason: string,
    actor: ClientInfo & { userId: string | null },
  ): Promise<string[]> {
    const ids = await db.withPlatform(async (tx) => {
      const owner =
        where.userId ??
        (await rows<{ user_id: string }>(tx, sql`select user_id from sessions where id = ${where.id!}`))[0]
          ?.user_id;
      const revoked = await sessionStore.revoke(tx, where, reason);
      for (const id of revoked) {
        await audit.inTx(tx, {
          ...event(actor, actor.userId, 'session.revoke', 'success', { reason, subjectUser: owner ?? null }),
          resourceType: 'session',
          resourceId: id,
        });
      }
      return { revoked, owner };
    });
    if (ids.owner) forgetUser(ids.owner);
    if (ids.owner && ids.revoked.length) {
      deps.bus?.publish({ type: 'sessions.revoked', userId: ids.owner, sessionIds: ids.revoked });
    }
    return ids.revoked;
  }

  async function setSuspended(
    userId: string,
    suspended: boolean,
    reason: string,
    actor: ClientInfo & { userId: string | null },
  ): Promise<void> {
    await db.withPlatform(async (tx) => {
      const r = await rows<{ id: string }>(
        tx,
        sql`update users set status = ${suspended ? 'suspended' : 'active'}, suspended_reason = ${suspended ? reason : null}
            where id = ${userId} and status <> 'disabled' returning id`,
      );
      if (!r.length) throw new VigilError('not_found', 'user not found');
      await audit.inTx(tx, {
        ...event(actor, actor.userId, suspended ? 'user.suspend' : 'user.unsuspend', 'success'),
        resourceId: userId,
      });
    });
    forgetUser(userId);
    if (suspended) await revokeSessions({ userId }, 'suspended', actor);
  }

  /** Monitoring's response action: the next tenant read needs a fresh TOTP code. */
  async function requireStepUp(userId: string): Promise<void> {
    await db.withPlatform(async (tx) => {
      await tx.execute(sql`update users set step_up_after = now() where id = ${userId}`);
      await audit.inTx(tx, {
        tenantId: null,
        actorType: 'system',
        actorId: null,
        action: 'user.step_up_required',
        resourceType: 'user',
        resourceId: userId,
        outcome: 'success',
      });
    });
    forgetUser(userId);
  }

  /** Confirms a fresh TOTP code for the current session (step-up). */
  async function stepUp(sessionId: string, userId: string, code: string, c: ClientInfo): Promise<void> {
    const ok = await auditLock(c, () =>
      db.withPlatform(async (tx) => {
        await assertNotLocked(tx, userId);
        const user = (await userStore.byId(tx, userId))!;
        if (await deps.factorPolicy?.phishingResistantRequired(tx, user.id))
          return 'phishing_resistant' as const;
        if (!user.totp_secret_sealed) return false;
        const secret = await secrets.open('totp', user.id, Buffer.from(user.totp_secret_sealed), tx);
        const step = verifyTotp(secret.toString(), code, Number(user.totp_last_step));
        if (step === null) return false;
        await tx.execute(sql`update users set totp_last_step = ${step} where id = ${user.id}`);
        await tx.execute(sql`update sessions set mfa_at = now() where id = ${sessionId}`);
        await audit.inTx(tx, {
          ...event(c, user.id, 'auth.step_up', 'success'),
          resourceType: 'session',
          resourceId: sessionId,
        });
        return true;
      }),
    );
    forgetUser(userId);
    if (ok === 'phishing_resistant')
      throw new VigilError(
        'phishing_resistant_required',
        'confirm with a passkey; codes are not accepted for your role',
      );
    if (!ok) {
      await recordFailure(userId, c, 'auth.mfa');
      throw new VigilError('invalid_mfa_code', 'the code is wrong or was already used');
    }
  }

  /** Step-up by a factor checked elsewhere (a passkey), inside the caller's transaction. */
  async function confirmStepUp(tx: Tx, sessionId: string, userId: string, method: string, c: ClientInfo) {
    await tx.execute(sql`update sessions set mfa_at = now() where id = ${sessionId} and user_id = ${userId}`);
    await audit.inTx(tx, {
      ...event(c, userId, 'auth.step_up', 'success', { method }),
      resourceType: 'session',
      resourceId: sessionId,
    });
    forgetUser(userId);
  }

  // Another node revoked sessions (sign-out, suspension, SCIM): this node's cache forgets them.
  deps.bus?.subscribe((e) => {
    if (e.type === 'sessions.revoked') forgetUser(e.userId);
  });

  /**
   * Runs `fn` whenever sessions are revoked on this node or, through the cluster bus, on any
   * other (sign-out, admin revoke, suspension). Use it to drop sockets and invalidate caches.
   */
  function onSessionsRevoked(fn: (r: { userId: string; sessionIds: string[] }) => void): () => void {
    if (!deps.bus) return () => {};
    return deps.bus.subscribe((e) => {
      if (e.type === 'sessions.revoked') fn({ userId: e.userId, sessionIds: e.sessionIds });
    });
  }

  return {
    login,
    afterSso,
    confirmStepUp,
    completeWebauthn: (challenge: string, c: ClientInfo, verify: ExternalFactor) =>
      completeMfa(challenge, '', 'webauthn', c, verify),
    onSessionsRevoked,
    requireStepUp,
    stepUp,
    completeTotp: (challenge: string, code: string, c: ClientInfo) => completeMfa(challenge, code, 'totp', c),
    completeRecovery: (challenge: string, code: string, c: ClientInfo) =>
      completeMfa(challenge, code, 'recovery', c),
    authenticate,
    /** Evicts the user's cached sessions on this node (membership or status changed elsewhere). */
    forgetUser,
    revokeSessions,
    listSessions: (userId: string) => db.withPlatform((tx) => sessionStore.listForUser(tx, userId)),
    suspendUser: (userId: string, reason: string, actor: ClientInfo & { userId: string | null }) =>
      setSuspended(userId, true, reason, actor),
    unsuspendUser: (userId: string, reason: string, actor: ClientInfo & { userId: string | null }) =>
      setSuspended(userId, false, reason, actor),
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
