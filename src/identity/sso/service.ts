// What OIDC and SAML sign-ins share: provider set-up, the link from an external subject to a
// Vigil user (allow-listed e-mail domain, tenant membership), the MFA decision, and one audit
// event per sign-in or refusal (ids and stable codes only, never the e-mail address).
import { randomUUID } from 'node:crypto';
import type { AuthService, ClientInfo, LoginResult, MfaResult, SecretSealer } from '../../auth/service.ts';
import { userStore } from '../../auth/store.ts';
import type { AuditRecorder } from '../../platform/audit-port.ts';
import type { Database } from '../../platform/db.ts';
import { type ErrorCode, VigilError } from '../../platform/errors.ts';
import { type OidcSettings, type ProviderRow, type SamlSettings, ssoStore } from './store.ts';

export interface ExternalIdentity {
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  /** Values the IdP asserted about how the user authenticated (amr, acr, AuthnContextClassRef). */
  authnValues: string[];
}

export type SsoOutcome = { session: MfaResult } | { challenge: LoginResult };

export interface NewProvider {
  slug: string;
  tenantId: string | null;
  allowedDomains: string[];
  oidc?: OidcSettings & { clientSecret?: string };
  saml?: SamlSettings;
}

export const domainOf = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

export function createSsoService(deps: {
  db: Database;
  audit: AuditRecorder;
  secrets: SecretSealer;
  auth: Pick<AuthService, 'afterSso'>;
}) {
  const { db, audit, secrets, auth } = deps;

  async function createProvider(p: NewProvider): Promise<{ id: string }> {
    const id = randomUUID();
    const kind = p.oidc ? 'oidc' : 'saml';
    const settings = p.oidc ? { ...p.oidc, clientSecret: undefined } : p.saml;
    if (!settings || (p.oidc && p.saml))
      throw new VigilError('invalid_input', 'configure exactly one of oidc, saml');
    const exists = await db.withPlatform((tx) => ssoStore.providerBySlug(tx, p.slug));
    if (exists) throw new VigilError('conflict', 'a provider with this slug exists');
    await db.withPlatform(async (tx) => {
      await ssoStore.insertProvider(tx, {
        id,
        slug: p.slug,
        tenant_id: p.tenantId,
        kind,
        settings: JSON.parse(JSON.stringify(settings)),
        allowed_domains: p.allowedDomains.map((d) => d.toLowerCase()),
      });
      if (p.oidc?.clientSecret)
        await ssoStore.setClientSecret(
          tx,
          id,
          await secrets.seal('oidc-client-secret', id, Buffer.from(p.oidc.clientSecret), tx),
        );
    });
    return { id };
  }

  async function provider(slug: string, kind: ProviderRow['kind']): Promise<ProviderRow> {
    const p = await db.withPlatform((tx) => ssoStore.providerBySlug(tx, slug));
    if (!p || !p.enabled || p.kind !== kind)
      throw new VigilError('sso_provider_unknown', 'no such sign-in provider');
    return p;
  }

  async function refuse(
    p: Pick<ProviderRow, 'id'> | null,
    code: ErrorCode,
    c: ClientInfo,
    via: 'oidc' | 'saml',
    userId: string | null = null,
  ): Promise<never> {
    await audit.standalone({
      tenantId: null,
      actorType: 'user',
      actorId: userId,
      action: `auth.${via}`,
      resourceType: 'identity_provider',
      resourceId: p?.id ?? null,
      outcome: 'denied',
      ...(c.ip ? { ip: c.ip } : {}),
      ...(c.uaHash ? { uaHash: c.uaHash } : {}),
      ...(c.requestId ? { requestId: c.requestId } : {}),
      meta: { reason: code },
    });
    throw new VigilError(code, SSO_MESSAGES[code] ?? 'single sign-on was refused');
  }

  /**
   * Maps a verified external identity to a Vigil user and continues sign-in: a session when the
   * IdP asserted accepted MFA, otherwise Vigil's own second-factor challenge.
   */
  async function complete(
    p: ProviderRow,
    id: ExternalIdentity,
    mfa: { values: string[]; phishingResistantValues: string[] },
    c: ClientInfo,
  ): Promise<SsoOutcome> {
    const via = p.kind;
    if (!id.email) return refuse(p, 'sso_token_invalid', c, via);
    if (!p.allowed_domains.includes(domainOf(id.email))) return refuse(p, 'sso_domain_not_allowed', c, via);
    if (!id.emailVerified) return refuse(p, 'sso_email_unverified', c, via);
    const linked = await db.withPlatform(async (tx) => {
      const existing = await ssoStore.linkedUser(tx, p.id, id.subject);
      let userId = existing;
      let linkId: string | null = null;
      if (!userId) {
        // First sign-in through this IdP: link to the account with the same (verified) address.
        // Accounts are created by administrators or SCIM, never by a sign-in.
        userId = (await userStore.byEmail(tx, id.email!))?.id;
        if (!userId) return { code: 'sso_no_account' as const, userId: null };
        if (p.tenant_id && !(await ssoStore.belongsOnlyTo(tx, userId, p.tenant_id)))
          return { code: 'sso_no_account' as const, userId };
        linkId = await ssoStore.link(tx, p.id, id.subject, userId);
      } else if (p.tenant_id && !(await ssoStore.belongsOnlyTo(tx, userId, p.tenant_id))) {
        return { code: 'sso_no_account' as const, userId };
      }
      await audit.inTx(tx, {
        tenantId: null,
        actorType: 'user',
        actorId: userId,
        action: `auth.${via}`,
        resourceType: 'identity_provider',
        resourceId: p.id,
        outcome: 'success',
        ...(c.ip ? { ip: c.ip } : {}),
        ...(c.uaHash ? { uaHash: c.uaHash } : {}),
        ...(c.requestId ? { requestId: c.requestId } : {}),
        meta: { linkId, newLink: linkId !== null },
      });
      return { code: null, userId };
    });
    if (linked.code) return refuse(p, linked.code, c, via, linked.userId);
    const asserted = new Set(id.authnValues);
    return auth.afterSso(
      linked.userId!,
      via,
      {
        mfa:
          mfa.values.some((v) => asserted.has(v)) || mfa.phishingResistantValues.some((v) => asserted.has(v)),
        phishingResistant: mfa.phishingResistantValues.some((v) => asserted.has(v)),
      },
      c,
    );
  }

  return { createProvider, provider, complete, refuse };
}

export type SsoService = ReturnType<typeof createSsoService>;

const SSO_MESSAGES: Partial<Record<ErrorCode, string>> = {
  sso_state_invalid: 'the sign-in attempt is unknown, expired or from another browser; start again',
  sso_token_invalid: 'the identity provider answer could not be verified',
  sso_idp_error: 'the identity provider refused the sign-in',
  sso_domain_not_allowed: 'this e-mail domain may not sign in through this provider',
  sso_email_unverified: 'the identity provider has not verified the e-mail address',
  sso_no_account: 'there is no Vigil account for this identity; ask your administrator',
  saml_signature_invalid: 'the SAML response is not signed by the configured identity provider',
  saml_assertion_expired: 'the SAML assertion is expired or not yet valid',
  saml_audience_mismatch: 'the SAML assertion is meant for another service',
  saml_recipient_mismatch: 'the SAML assertion is meant for another address',
  saml_replayed: 'this SAML assertion was already used',
  saml_response_invalid: 'the SAML response is malformed or unexpected',
};
