// OpenID Connect sign-in (authorization code + PKCE, state, nonce) through openid-client.
// The state row binds the callback to the browser that started it (a cookie whose hash is
// stored) and to its user agent; the ID token's issuer, audience, signature, expiry and nonce
// are checked by openid-client before any claim is read.
import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import type { ClientInfo, SecretSealer } from '../../auth/service.ts';
import { randomToken, sha256 } from '../../auth/tokens.ts';
import type { Database } from '../../platform/db.ts';
import { VigilError } from '../../platform/errors.ts';
import { publicOnlyFetch } from '../../platform/public-address.ts';
import type { SsoOutcome, SsoService } from './service.ts';
import { type OidcSettings, type ProviderRow, ssoStore } from './store.ts';

const STATE_TTL_MS = 10 * 60_000;
const DISCOVERY_TTL_MS = 10 * 60_000;
// A provider whose discovery failed is not asked again for this long: /start is unauthenticated,
// and every call would otherwise make Vigil fetch the issuer URL again.
export const DISCOVERY_FAILURE_TTL_MS = 60_000;
const DISCOVERY_TIMEOUT_S = 5;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function createOidcSignIn(deps: {
  db: Database;
  secrets: SecretSealer;
  sso: SsoService;
  /** Issuers (and every URL discovery names) may be loopback/private addresses. */
  allowPrivateIdps?: boolean;
}) {
  const { db, secrets, sso } = deps;
  const discovered = new Map<string, { at: number; config: client.Configuration }>();
  const failed = new Map<string, number>();
  const guardedFetch = deps.allowPrivateIdps ? undefined : publicOnlyFetch('identity provider');
  const unreachable = (cause?: unknown) =>
    new VigilError('sso_idp_error', 'the identity provider could not be reached', { cause });

  async function configFor(p: ProviderRow): Promise<client.Configuration> {
    const hit = discovered.get(p.id);
    if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
    const failedAt = failed.get(p.id);
    if (failedAt !== undefined && Date.now() - failedAt < DISCOVERY_FAILURE_TTL_MS) throw unreachable();
    const s = p.settings as OidcSettings;
    const secret = p.client_secret_sealed
      ? (
          await db.withPlatform((tx) =>
            secrets.open('oidc-client-secret', p.id, Buffer.from(p.client_secret_sealed!), tx),
          )
        ).toString()
      : undefined;
    const issuer = new URL(s.issuer);
    // Plain HTTP only for an IdP on this machine (development, tests); never across a network.
    const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
    try {
      // The guarded fetch stays on the configuration: the JWKS and token endpoints are checked too.
      const config = await client.discovery(
        issuer,
        s.clientId,
        undefined,
        secret ? client.ClientSecretBasic(secret) : client.None(),
        {
          timeout: DISCOVERY_TIMEOUT_S,
          ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
          ...(guardedFetch ? { [client.customFetch]: asCustomFetch(guardedFetch) } : {}),
        },
      );
      discovered.set(p.id, { at: Date.now(), config });
      failed.delete(p.id);
      return config;
    } catch (e) {
      if (failed.size > 10_000) failed.clear();
      failed.set(p.id, Date.now());
      throw unreachable(e);
    }
  }

  /** Starts a sign-in: the IdP URL to send the browser to, and the browser-binding cookie value. */
  async function start(
    slug: string,
    redirectUri: string,
    c: ClientInfo,
  ): Promise<{ url: string; browserToken: string }> {
    const p = await sso.provider(slug, 'oidc');
    const config = await configFor(p);
    const s = p.settings as OidcSettings;
    const state = client.randomState();
    const nonce = client.randomNonce();
    const verifier = client.randomPKCECodeVerifier();
    const browserToken = randomToken();
    const id = randomUUID();
    await db.withPlatform(async (tx) => {
      await ssoStore.insertState(tx, {
        id,
        stateHash: sha256(state),
        providerId: p.id,
        browserHash: sha256(browserToken),
        nonce,
        uaHash: c.uaHash,
        ttlMs: STATE_TTL_MS,
      });
      await ssoStore.setVerifier(tx, id, await secrets.seal('oidc-pkce', id, Buffer.from(verifier), tx));
    });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: (s.scopes ?? ['openid', 'email', 'profile']).join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, browserToken };
  }

  /** The IdP's redirect back: state, code exchange with the PKCE verifier, ID token checks. */
  async function callback(
    slug: string,
    currentUrl: URL,
    browserToken: string | undefined,
    c: ClientInfo,
  ): Promise<SsoOutcome> {
    const p = await sso.provider(slug, 'oidc');
    const state = currentUrl.searchParams.get('state') ?? '';
    const row = await db.withPlatform((tx) => ssoStore.takeState(tx, sha256(state)));
    const bound =
      row &&
      !row.used_at &&
      new Date(row.expires_at) > new Date() &&
      row.provider_id === p.id &&
      row.ua_hash === c.uaHash &&
      browserToken !== undefined &&
      row.browser_hash !== null &&
      sha256(browserToken).equals(Buffer.from(row.browser_hash));
    if (!bound) return sso.refuse(p, 'sso_state_invalid', c, 'oidc');
    if (currentUrl.searchParams.has('error')) return sso.refuse(p, 'sso_idp_error', c, 'oidc');
    const verifier = (
      await db.withPlatform((tx) =>
        secrets.open('oidc-pkce', row.id, Buffer.from(row.code_verifier_sealed!), tx),
      )
    ).toString();
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(await configFor(p), currentUrl, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: row.nonce!,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (e) {
      const code = e instanceof client.AuthorizationResponseError ? 'sso_idp_error' : 'sso_token_invalid';
      return sso.refuse(p, code, c, 'oidc');
    }
    if (!claims) return sso.refuse(p, 'sso_token_invalid', c, 'oidc');
    const s = p.settings as OidcSettings;
    const authnValues =
      s.mfaClaim === 'acr'
        ? typeof claims.acr === 'string'
          ? [claims.acr]
          : []
        : Array.isArray(claims.amr)
          ? claims.amr.filter((v): v is string => typeof v === 'string')
          : [];
    return sso.complete(
      p,
      {
        subject: claims.sub,
        email: typeof claims.email === 'string' ? claims.email : undefined,
        emailVerified: s.requireEmailVerified === false || claims.email_verified === true,
        authnValues,
      },
      { values: s.mfaValues, phishingResistantValues: s.phishingResistantValues },
      c,
    );
  }

  return { start, callback };
}

export type OidcSignIn = ReturnType<typeof createOidcSignIn>;

/** openid-client's fetch hook over Node's fetch (typed apart from whichever lib declares RequestInit). */
function asCustomFetch(f: typeof fetch): client.CustomFetch {
  return (url, options) => f(url, options as unknown as RequestInit);
}
