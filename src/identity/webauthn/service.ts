// Passkeys (WebAuthn) through @simplewebauthn/server: registration for a signed-in user, the
// second factor of sign-in (after a password or an SSO login without IdP MFA), and step-up.
// User verification is required every time; each server challenge is single use, bound to the
// sign-in challenge or session it was issued for, and expires after five minutes.
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { sql } from 'drizzle-orm';
import type { AuthService, ClientInfo, MfaResult } from '../../auth/service.ts';
import { userStore } from '../../auth/store.ts';
import { sha256 } from '../../auth/tokens.ts';
import type { AuditRecorder } from '../../platform/audit-port.ts';
import type { Config } from '../../platform/config.ts';
import { type Database, rows, type Tx } from '../../platform/db.ts';
import { VigilError } from '../../platform/errors.ts';

const CEREMONY_TTL_MS = 5 * 60_000;

/** The relying party: Vigil's origin as the browser sees it, and its host name as RP id. */
export interface RelyingParty {
  origin: string;
  rpId: string;
}

interface CredentialRow {
  id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: string | number;
  transports: string[];
  device_type: string;
  backed_up: boolean;
  created_at: Date | string;
  last_used_at: Date | string | null;
}

const failed = () => new VigilError('webauthn_failed', 'the passkey could not be verified');
const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');

export function createWebauthnService(deps: {
  db: Database;
  audit: AuditRecorder;
  auth: Pick<AuthService, 'completeWebauthn' | 'confirmStepUp'>;
  config: Pick<Config, 'publicUrl'>;
}) {
  const { db, audit, auth } = deps;

  const credentials = (tx: Tx, userId: string) =>
    rows<CredentialRow>(
      tx,
      sql`select * from webauthn_credentials where user_id = ${userId} order by created_at`,
    );

  async function saveChallenge(
    tx: Tx,
    challenge: string,
    userId: string,
    purpose: 'register' | 'login' | 'step_up',
    ref: { mfaChallengeId?: string; sessionId?: string },
  ) {
    await tx.execute(sql`delete from webauthn_challenges where expires_at < now()`);
    await tx.execute(
      sql`insert into webauthn_challenges (challenge, user_id, purpose, mfa_challenge_id, session_id, expires_at)
          values (${challenge}, ${userId}, ${purpose}, ${ref.mfaChallengeId ?? null}, ${ref.sessionId ?? null},
                  ${new Date(Date.now() + CEREMONY_TTL_MS)})`,
    );
  }

  /** Consumes the newest live ceremony challenge of this kind; undefined when there is none. */
  async function takeChallenge(
    tx: Tx,
    userId: string,
    purpose: 'register' | 'login' | 'step_up',
    ref: { mfaChallengeId?: string; sessionId?: string },
  ): Promise<string | undefined> {
    const refCond = ref.mfaChallengeId
      ? sql`mfa_challenge_id = ${ref.mfaChallengeId}`
      : sql`session_id = ${ref.sessionId!}`;
    const [r] = await rows<{ challenge: string }>(
      tx,
      sql`update webauthn_challenges set used_at = now()
          where id = (select id from webauthn_challenges
                      where user_id = ${userId} and purpose = ${purpose} and ${refCond}
                        and used_at is null and expires_at > now()
                      order by expires_at desc limit 1)
          returning challenge`,
    );
    return r?.challenge;
  }

  /** Verifies an assertion against the user's stored credential and advances its counter. */
  async function verifyAssertion(
    tx: Tx,
    userId: string,
    expectedChallenge: string | undefined,
    response: AuthenticationResponseJSON,
    rp: RelyingParty,
  ): Promise<string | null> {
    if (!expectedChallenge) return null;
    const [cred] = await rows<CredentialRow>(
      tx,
      sql`select * from webauthn_credentials where user_id = ${userId} and credential_id = ${response.id}`,
    );
    if (!cred) return null;
    try {
      const r = await verifyAuthenticationResponse({
        response,
        expectedChallenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.rpId,
        requireUserVerification: true,
        credential: {
          id: cred.credential_id,
          publicKey: new Uint8Array(cred.public_key),
          counter: Number(cred.counter),
          transports: cred.transports as AuthenticatorTransport[],
        },
      });
      if (!r.verified) return null;
      await tx.execute(
        sql`update webauthn_credentials set counter = ${r.authenticationInfo.newCounter}, last_used_at = now()
            where id = ${cred.id}`,
      );
      return cred.id;
    } catch {
      // Wrong origin, RP id, signature or a cloned authenticator's counter: one answer.
      return null;
    }
  }

  async function registrationOptions(userId: string, sessionId: string, rp: RelyingParty) {
    return db.withPlatform(async (tx) => {
      const user = (await userStore.byId(tx, userId))!;
      const existing = await credentials(tx, userId);
      const options = await generateRegistrationOptions({
        rpName: 'Vigil',
        rpID: rp.rpId,
        userName: user.email,
        userDisplayName: user.display_name,
        userID: uuidBytes(user.id),
        attestationType: 'none',
        excludeCredentials: existing.map((c) => ({
          id: c.credential_id,
          transports: c.transports as AuthenticatorTransport[],
        })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      });
      await saveChallenge(tx, options.challenge, userId, 'register', { sessionId });
      return options;
    });
  }

  async function register(
    userId: string,
    sessionId: string,
    response: RegistrationResponseJSON,
    rp: RelyingParty,
    c: ClientInfo,
  ): Promise<{ id: string }> {
    const id = await db.withPlatform(async (tx) => {
      const expectedChallenge = await takeChallenge(tx, userId, 'register', { sessionId });
      if (!expectedChallenge) return null;
      let info: Extract<
        Awaited<ReturnType<typeof verifyRegistrationResponse>>,
        { verified: true }
      >['registrationInfo'];
      try {
        const r = await verifyRegistrationResponse({
          response,
          expectedChallenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.rpId,
          requireUserVerification: true,
        });
        if (!r.verified) return null;
        info = r.registrationInfo;
      } catch {
        return null;
      }
      const [row] = await rows<{ id: string }>(
        tx,
        sql`insert into webauthn_credentials (user_id, credential_id, public_key, counter, transports, device_type, backed_up)
            values (${userId}, ${info.credential.id}, ${Buffer.from(info.credential.publicKey)}, ${info.credential.counter},
                    array[${sql.join(
                      (Array.isArray(info.credential.transports) ? info.credential.transports : []).map(
                        (t) => sql`${t}`,
                      ),
                      sql`, `,
                    )}]::text[], ${info.credentialDeviceType}, ${info.credentialBackedUp})
            on conflict (credential_id) do nothing returning id`,
      );
      if (!row) return null;
      await audit.inTx(tx, {
        tenantId: null,
        actorType: 'user',
        actorId: userId,
        action: 'passkey.register',
        resourceType: 'passkey',
        resourceId: row.id,
        outcome: 'success',
        ip: c.ip,
        uaHash: c.uaHash,
        ...(c.requestId ? { requestId: c.requestId } : {}),
      });
      return row.id;
    });
    if (!id) throw failed();
    return { id };
  }

  /** Options for the sign-in step: the user's credentials, bound to the sign-in challenge. */
  async function loginOptions(signInChallenge: string, c: ClientInfo, rp: RelyingParty) {
    return db.withPlatform(async (tx) => {
      const [ch] = await rows<{ id: string; user_id: string }>(
        tx,
        sql`select id, user_id from mfa_challenges where challenge_hash = ${sha256(signInChallenge)}
            and used_at is null and expires_at > now() and ua_hash = ${c.uaHash}`,
      );
      if (!ch)
        throw new VigilError('unauthenticated', 'the sign-in challenge is invalid or expired; sign in again');
      const creds = await credentials(tx, ch.user_id);
      if (!creds.length) throw new VigilError('webauthn_failed', 'no passkey is registered for this account');
      const options = await generateAuthenticationOptions({
        rpID: rp.rpId,
        userVerification: 'required',
        allowCredentials: creds.map((x) => ({
          id: x.credential_id,
          transports: x.transports as AuthenticatorTransport[],
        })),
      });
      await saveChallenge(tx, options.challenge, ch.user_id, 'login', { mfaChallengeId: ch.id });
      return options;
    });
  }

  function login(
    signInChallenge: string,
    response: AuthenticationResponseJSON,
    c: ClientInfo,
    rp: RelyingParty,
  ): Promise<MfaResult> {
    return auth.completeWebauthn(signInChallenge, c, async (tx, userId, challengeId) => {
      const expected = await takeChallenge(tx, userId, 'login', { mfaChallengeId: challengeId });
      return (await verifyAssertion(tx, userId, expected, response, rp)) !== null;
    });
  }

  async function stepUpOptions(userId: string, sessionId: string, rp: RelyingParty) {
    return db.withPlatform(async (tx) => {
      const creds = await credentials(tx, userId);
      if (!creds.length) throw new VigilError('webauthn_failed', 'no passkey is registered for this account');
      const options = await generateAuthenticationOptions({
        rpID: rp.rpId,
        userVerification: 'required',
        allowCredentials: creds.map((x) => ({
          id: x.credential_id,
          transports: x.transports as AuthenticatorTransport[],
        })),
      });
      await saveChallenge(tx, options.challenge, userId, 'step_up', { sessionId });
      return options;
    });
  }

  async function stepUp(
    userId: string,
    sessionId: string,
    response: AuthenticationResponseJSON,
    c: ClientInfo,
    rp: RelyingParty,
  ): Promise<void> {
    const ok = await db.withPlatform(async (tx) => {
      const expected = await takeChallenge(tx, userId, 'step_up', { sessionId });
      if ((await verifyAssertion(tx, userId, expected, response, rp)) === null) return false;
      await auth.confirmStepUp(tx, sessionId, userId, 'webauthn', c);
      return true;
    });
    if (!ok) throw failed();
  }

  async function list(userId: string) {
    const rs = await db.withPlatform((tx) => credentials(tx, userId));
    return rs.map((r) => ({
      id: r.id,
      deviceType: r.device_type,
      backedUp: r.backed_up,
      createdAt: new Date(r.created_at).toISOString(),
      lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
    }));
  }

  async function remove(userId: string, id: string, c: ClientInfo): Promise<void> {
    await db.withPlatform(async (tx) => {
      const r = await rows(
        tx,
        sql`delete from webauthn_credentials where id = ${id} and user_id = ${userId} returning id`,
      );
      if (!r.length) throw new VigilError('not_found', 'passkey not found');
      await audit.inTx(tx, {
        tenantId: null,
        actorType: 'user',
        actorId: userId,
        action: 'passkey.delete',
        resourceType: 'passkey',
        resourceId: id,
        outcome: 'success',
        ip: c.ip,
        uaHash: c.uaHash,
        ...(c.requestId ? { requestId: c.requestId } : {}),
      });
    });
  }

  return { registrationOptions, register, loginOptions, login, stepUpOptions, stepUp, list, remove };
}

export type WebauthnService = ReturnType<typeof createWebauthnService>;
