// SAML 2.0 service provider (Web Browser SSO, HTTP-POST binding) through @node-saml/node-saml.
// node-saml checks the XML signature (assertions must be signed), issuer, time window, audience
// and InResponseTo (against requests recorded in the database, so any node can consume them).
// Vigil adds what it leaves out: the SubjectConfirmation Recipient must be this ACS URL, and an
// assertion id is accepted once (kept until the assertion expires), so a replay is refused.
import { type CacheProvider, type Profile, SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { ClientInfo } from '../../auth/service.ts';
import { sha256 } from '../../auth/tokens.ts';
import type { Database } from '../../platform/db.ts';
import type { ErrorCode } from '../../platform/errors.ts';
import type { SsoOutcome, SsoService } from './service.ts';
import { type ProviderRow, type SamlSettings, ssoStore } from './store.ts';

const REQUEST_TTL_MS = 10 * 60_000;
const CLOCK_SKEW_MS = 60_000;

/** node-saml's error texts, mapped once to Vigil's stable codes. */
export function samlErrorCode(message: string): ErrorCode {
  if (/signature/i.test(message)) return 'saml_signature_invalid';
  if (/expired|not yet valid|too old|subject confirmation/i.test(message)) return 'saml_assertion_expired';
  if (/audience/i.test(message)) return 'saml_audience_mismatch';
  if (/InResponseTo/i.test(message)) return 'sso_state_invalid';
  return 'saml_response_invalid';
}

type XmlNode = { $?: Record<string, string>; _?: string } & Record<string, unknown>;
const first = (v: unknown): XmlNode | undefined => (Array.isArray(v) ? (v[0] as XmlNode) : undefined);
const text = (v: XmlNode | string | undefined): string | undefined => (typeof v === 'string' ? v : v?._);

/** The facts Vigil needs from the signed assertion node-saml verified. */
export function assertionFacts(profile: Profile) {
  const a = (profile.getAssertion?.() as { Assertion?: XmlNode } | undefined)?.Assertion;
  const subject = first(a?.Subject);
  const confirmations = (subject?.SubjectConfirmation as XmlNode[] | undefined) ?? [];
  const recipients = confirmations
    .map((c) => first(c.SubjectConfirmationData)?.$?.Recipient)
    .filter((r): r is string => typeof r === 'string');
  const conditions = first(a?.Conditions)?.$;
  const confirmExpiry = confirmations
    .map((c) => first(c.SubjectConfirmationData)?.$?.NotOnOrAfter)
    .find((x) => x !== undefined);
  const classRefs = ((a?.AuthnStatement as XmlNode[] | undefined) ?? [])
    .map((s) => text(first(first(s.AuthnContext)?.AuthnContextClassRef)))
    .filter((r): r is string => typeof r === 'string');
  return {
    id: a?.$?.ID,
    recipients,
    expiresAt: conditions?.NotOnOrAfter ?? confirmExpiry,
    classRefs,
  };
}

export function createSamlSignIn(deps: { db: Database; sso: SsoService }) {
  const { db, sso } = deps;

  /** Outstanding AuthnRequest ids live in sso_states, single use. */
  const requestCache = (providerId: string): CacheProvider => ({
    async saveAsync(key, value) {
      await db.withPlatform((tx) =>
        ssoStore.insertState(tx, {
          id: crypto.randomUUID(),
          stateHash: sha256(`saml:${key}`),
          providerId,
          browserHash: null,
          nonce: null,
          uaHash: null,
          ttlMs: REQUEST_TTL_MS,
        }),
      );
      return { value, createdAt: Date.now() };
    },
    async getAsync(key) {
      const r = await db.withPlatform((tx) => ssoStore.peekState(tx, sha256(`saml:${key}`)));
      const live = r && !r.used_at && r.provider_id === providerId && new Date(r.expires_at) > new Date();
      // node-saml reads the value back as the request's creation time.
      return live ? new Date(r.created_at).toISOString() : null;
    },
    async removeAsync(key) {
      if (key) await db.withPlatform((tx) => ssoStore.deleteState(tx, sha256(`saml:${key}`)));
      return key;
    },
  });

  const samlFor = (p: ProviderRow, acsUrl: string) => {
    const s = p.settings as SamlSettings;
    return new SAML({
      callbackUrl: acsUrl,
      entryPoint: s.entryPoint,
      issuer: s.spEntityId,
      audience: s.spEntityId,
      idpCert: s.idpCert,
      idpIssuer: s.idpIssuer,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: CLOCK_SKEW_MS,
      validateInResponseTo: s.allowIdpInitiated
        ? ValidateInResponseTo.ifPresent
        : ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: REQUEST_TTL_MS,
      cacheProvider: requestCache(p.id),
      disableRequestedAuthnContext: true,
    });
  };

  async function start(slug: string, acsUrl: string): Promise<string> {
    const p = await sso.provider(slug, 'saml');
    return samlFor(p, acsUrl).getAuthorizeUrlAsync('', undefined, {});
  }

  async function metadata(slug: string, acsUrl: string): Promise<string> {
    const p = await sso.provider(slug, 'saml');
    return samlFor(p, acsUrl).generateServiceProviderMetadata(null, null);
  }

  async function consume(
    slug: string,
    samlResponse: string,
    acsUrl: string,
    c: ClientInfo,
  ): Promise<SsoOutcome> {
    const p = await sso.provider(slug, 'saml');
    const s = p.settings as SamlSettings;
    let profile: Profile | null;
    try {
      ({ profile } = await samlFor(p, acsUrl).validatePostResponseAsync({ SAMLResponse: samlResponse }));
    } catch (e) {
      return sso.refuse(p, samlErrorCode((e as Error).message ?? ''), c, 'saml');
    }
    if (!profile) return sso.refuse(p, 'saml_response_invalid', c, 'saml');
    const facts = assertionFacts(profile);
    if (!facts.id || !facts.expiresAt) return sso.refuse(p, 'saml_response_invalid', c, 'saml');
    if (!facts.recipients.length || facts.recipients.some((r) => r !== acsUrl))
      return sso.refuse(p, 'saml_recipient_mismatch', c, 'saml');
    const fresh = await db.withPlatform((tx) =>
      ssoStore.rememberAssertion(tx, p.id, facts.id!, new Date(Date.parse(facts.expiresAt!) + CLOCK_SKEW_MS)),
    );
    if (!fresh) return sso.refuse(p, 'saml_replayed', c, 'saml');
    const emailValue = s.emailAttribute ? profile[s.emailAttribute] : (profile.email ?? profile.nameID);
    return sso.complete(
      p,
      {
        subject: profile.nameID,
        email: typeof emailValue === 'string' && emailValue.includes('@') ? emailValue : undefined,
        // The IdP vouches for the address it asserts; the domain allow-list still applies.
        emailVerified: true,
        authnValues: facts.classRefs,
      },
      { values: s.mfaValues, phishingResistantValues: s.phishingResistantValues },
      c,
    );
  }

  return { start, consume, metadata };
}

export type SamlSignIn = ReturnType<typeof createSamlSignIn>;
