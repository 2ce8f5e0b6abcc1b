// Data access for single sign-on: providers, identity links, sign-in state, SAML replay ids.
// Platform tables (see 0014_identity_sso.sql), used inside transactions the services open.
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../../platform/db.ts';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  scopes?: string[];
  /** Which ID-token claim says that the IdP did MFA: `amr` (any listed value) or `acr`. */
  mfaClaim: 'amr' | 'acr';
  mfaValues: string[];
  /** Values of the same claim that also count as phishing-resistant (e.g. `phr`, `hwk`). */
  phishingResistantValues: string[];
  /** Refuse ID tokens without `email_verified: true` (default true). */
  requireEmailVerified?: boolean;
}

export interface SamlSettings {
  /** The IdP's single sign-on URL (HTTP-Redirect binding). */
  entryPoint: string;
  /** The IdP's entity id: the assertion's Issuer must equal it. */
  idpIssuer: string;
  /** PEM certificate(s) the IdP signs assertions with. */
  idpCert: string | string[];
  /** Vigil's entity id at this IdP: the required Audience. */
  spEntityId: string;
  /** AuthnContextClassRef values that mean MFA, and those that mean phishing-resistant MFA. */
  mfaValues: string[];
  phishingResistantValues: string[];
  /** Accept unsolicited (IdP-initiated) responses; off by default (login CSRF). */
  allowIdpInitiated?: boolean;
  /** Attribute holding the e-mail address when NameID is not one. */
  emailAttribute?: string;
}

export interface ProviderRow {
  id: string;
  slug: string;
  tenant_id: string | null;
  kind: 'oidc' | 'saml';
  settings: OidcSettings | SamlSettings;
  client_secret_sealed: Uint8Array | null;
  allowed_domains: string[];
  enabled: boolean;
}

export interface StateRow {
  id: string;
  provider_id: string;
  browser_hash: Uint8Array | null;
  nonce: string | null;
  code_verifier_sealed: Uint8Array | null;
  ua_hash: string | null;
  expires_at: Date | string;
  used_at: Date | string | null;
  created_at: Date | string;
}

const parseSettings = (r: ProviderRow): ProviderRow => ({
  ...r,
  settings: typeof r.settings === 'string' ? JSON.parse(r.settings) : r.settings,
});

export const ssoStore = {
  async providerBySlug(tx: Tx, slug: string): Promise<ProviderRow | undefined> {
    const [r] = await rows<ProviderRow>(tx, sql`select * from identity_providers where slug = ${slug}`);
    return r ? parseSettings(r) : undefined;
  },
  async insertProvider(
    tx: Tx,
    p: Omit<ProviderRow, 'id' | 'enabled' | 'client_secret_sealed'> & { id: string },
  ): Promise<void> {
    await tx.execute(
      sql`insert into identity_providers (id, slug, tenant_id, kind, settings, allowed_domains)
          values (${p.id}, ${p.slug}, ${p.tenant_id}, ${p.kind}, ${JSON.stringify(p.settings)}::jsonb,
                  array[${sql.join(
                    p.allowed_domains.map((d) => sql`${d}`),
                    sql`, `,
                  )}]::text[])`,
    );
  },
  async setClientSecret(tx: Tx, id: string, sealed: Buffer): Promise<void> {
    await tx.execute(sql`update identity_providers set client_secret_sealed = ${sealed} where id = ${id}`);
  },
  async linkedUser(tx: Tx, providerId: string, subject: string): Promise<string | undefined> {
    const [r] = await rows<{ user_id: string }>(
      tx,
      sql`update identity_links set last_login_at = now() where provider_id = ${providerId} and subject = ${subject}
          returning user_id`,
    );
    return r?.user_id;
  },
  async link(tx: Tx, providerId: string, subject: string, userId: string): Promise<string> {
    const [r] = await rows<{ id: string }>(
      tx,
      sql`insert into identity_links (provider_id, subject, user_id, last_login_at)
          values (${providerId}, ${subject}, ${userId}, now()) returning id`,
    );
    return r!.id;
  },
  /**
   * A tenant's own IdP signs in only accounts that have roles in that tenant and nowhere else (no
   * platform role, no other tenant): whoever runs the IdP must not reach beyond their tenant.
   */
  async belongsOnlyTo(tx: Tx, userId: string, tenantId: string): Promise<boolean> {
    const [r] = await rows<{ here: boolean; elsewhere: boolean }>(
      tx,
      sql`select bool_or(tenant_id = ${tenantId}) as here,
            bool_or(tenant_id is null or tenant_id <> ${tenantId}) as elsewhere
          from memberships where user_id = ${userId}`,
    );
    return !!r?.here && !r.elsewhere;
  },
  async insertState(
    tx: Tx,
    s: {
      id: string;
      stateHash: Buffer;
      providerId: string;
      browserHash: Buffer | null;
      nonce: string | null;
      uaHash: string | null;
      ttlMs: number;
    },
  ): Promise<void> {
    await tx.execute(
      sql`insert into sso_states (id, state_hash, provider_id, browser_hash, nonce, ua_hash, expires_at)
          values (${s.id}, ${s.stateHash}, ${s.providerId}, ${s.browserHash}, ${s.nonce}, ${s.uaHash},
                  ${new Date(Date.now() + s.ttlMs)})`,
    );
    // Expired rows are of no use to anyone; clearing them here keeps the table small.
    await tx.execute(sql`delete from sso_states where expires_at < now() - interval '1 hour'`);
  },
  async setVerifier(tx: Tx, id: string, sealed: Buffer): Promise<void> {
    await tx.execute(sql`update sso_states set code_verifier_sealed = ${sealed} where id = ${id}`);
  },
  /** Marks the state used and returns it as it was: a second use finds used_at set. */
  async takeState(tx: Tx, stateHash: Buffer): Promise<StateRow | undefined> {
    const [r] = await rows<StateRow>(
      tx,
      sql`select * from sso_states where state_hash = ${stateHash} for update`,
    );
    if (r && !r.used_at) await tx.execute(sql`update sso_states set used_at = now() where id = ${r.id}`);
    return r;
  },
  async peekState(tx: Tx, stateHash: Buffer): Promise<StateRow | undefined> {
    const [r] = await rows<StateRow>(tx, sql`select * from sso_states where state_hash = ${stateHash}`);
    return r;
  },
  async deleteState(tx: Tx, stateHash: Buffer): Promise<void> {
    await tx.execute(sql`delete from sso_states where state_hash = ${stateHash}`);
  },
  /** Records a SAML assertion id; false when it was already seen (a replay). */
  async rememberAssertion(
    tx: Tx,
    providerId: string,
    assertionId: string,
    expiresAt: Date,
  ): Promise<boolean> {
    await tx.execute(sql`delete from saml_assertions_seen where expires_at < now()`);
    const r = await rows(
      tx,
      sql`insert into saml_assertions_seen (provider_id, assertion_id, expires_at)
          values (${providerId}, ${assertionId}, ${expiresAt})
          on conflict do nothing returning assertion_id`,
    );
    return r.length === 1;
  },
};
