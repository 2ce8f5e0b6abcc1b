// HTTP for single sign-on. The browser leaves for the IdP from /start and comes back to the
// OIDC callback or the SAML assertion consumer service; both end in a redirect into the console:
// to `/` with a session, to `/#sso-challenge=…` when Vigil's own second factor is needed, or to
// `/#sso-error=<code>` (stable codes from src/platform/errors.ts) when the sign-in is refused.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { ClientInfo, MfaResult } from '../../auth/service.ts';
import { setSessionCookie } from '../../auth/session-cookie.ts';
import { type AuditRecorder, userAction } from '../../platform/audit-port.ts';
import type { Config } from '../../platform/config.ts';
import { isVigilError, VigilError } from '../../platform/errors.ts';
import { errorResponses, TenantParams, typedRoutes } from '../../platform/http-schemas.ts';
import { assertPublicAddress } from '../../platform/public-address.ts';
import type { TenancyService } from '../../tenancy/index.ts';
import type { OidcSignIn } from './oidc.ts';
import { ProviderBody } from './provider-schema.ts';
import type { SamlSignIn } from './saml.ts';
import type { SsoOutcome, SsoService } from './service.ts';

export const SSO_BROWSER_COOKIE = 'vigil_sso';
const ProviderParams = Type.Object(
  { provider: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }) },
  { additionalProperties: false },
);

export function ssoRoutes(
  server: FastifyInstance,
  deps: {
    sso: SsoService;
    oidc: OidcSignIn;
    saml: SamlSignIn;
    audit: AuditRecorder;
    config: Pick<
      Config,
      | 'secureCookies'
      | 'sessionAbsoluteHours'
      | 'publicUrl'
      | 'loginMaxPerIpPerMinute'
      | 'ssoAllowPrivateIdps'
    >;
    tenancy: Pick<TenancyService, 'tenantBySlug'>;
  },
) {
  const app = typedRoutes(server);
  const { sso, oidc, saml, config } = deps;
  const client = (req: FastifyRequest): ClientInfo => ({
    ip: req.ctx.ip,
    uaHash: req.ctx.uaHash,
    requestId: req.ctx.requestId,
  });
  const baseUrl = (req: FastifyRequest) => config.publicUrl ?? `${req.protocol}://${req.host}`;

  const finish = (reply: FastifyReply, outcome: SsoOutcome) => {
    if ('session' in outcome) {
      setSession(reply, outcome.session);
      return reply.redirect('/', 303);
    }
    const ch = outcome.challenge;
    return reply.redirect(`/#sso-challenge=${encodeURIComponent(ch.challenge)}&mfa=${ch.mfa}`, 303);
  };
  const fail = (reply: FastifyReply, e: unknown) => {
    if (!isVigilError(e) || e.status >= 500) throw e;
    return reply.redirect(`/#sso-error=${e.code}`, 303);
  };
  const setSession = (reply: FastifyReply, s: MfaResult) => setSessionCookie(reply, s.sessionToken, config);

  app.get(
    '/api/v1/auth/oidc/:provider/start',
    {
      // Unauthenticated and it may make Vigil fetch the IdP's discovery document: limited per address.
      config: {
        auth: { public: 'starts single sign-on at an identity provider' },
        rateLimit: { max: config.loginMaxPerIpPerMinute, timeWindow: '1 minute' },
      },
      schema: { tags: ['sso'], params: ProviderParams },
    },
    async (req, reply) => {
      const { provider } = req.params;
      const redirectUri = `${baseUrl(req)}/api/v1/auth/oidc/${provider}/callback`;
      const { url, browserToken } = await oidc.start(provider, redirectUri, client(req));
      // Lax, not Strict: the IdP's redirect back is a cross-site top-level navigation.
      reply.setCookie(SSO_BROWSER_COOKIE, browserToken, {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.secureCookies,
        path: '/api/v1/auth/oidc',
        maxAge: 600,
      });
      return reply.redirect(url, 302);
    },
  );

  app.get(
    '/api/v1/auth/oidc/:provider/callback',
    {
      config: { auth: { public: 'identity provider redirect back (state, PKCE and nonce checked)' } },
      schema: {
        tags: ['sso'],
        params: ProviderParams,
        querystring: Type.Object({
          state: Type.Optional(Type.String({ maxLength: 512 })),
          code: Type.Optional(Type.String({ maxLength: 4096 })),
          error: Type.Optional(Type.String({ maxLength: 200 })),
        }),
      },
    },
    async (req, reply) => {
      const { provider } = req.params;
      const current = new URL(req.url, `${baseUrl(req)}/`);
      reply.clearCookie(SSO_BROWSER_COOKIE, { path: '/api/v1/auth/oidc' });
      try {
        return finish(
          reply,
          await oidc.callback(provider, current, req.cookies[SSO_BROWSER_COOKIE], client(req)),
        );
      } catch (e) {
        return fail(reply, e);
      }
    },
  );

  app.get(
    '/api/v1/auth/saml/:provider/start',
    {
      config: { auth: { public: 'starts single sign-on at a SAML identity provider' } },
      schema: { tags: ['sso'], params: ProviderParams },
    },
    async (req, reply) => {
      const { provider } = req.params;
      return reply.redirect(await saml.start(provider, acsUrl(req, provider)), 302);
    },
  );
  const acsUrl = (req: FastifyRequest, provider: string) =>
    `${baseUrl(req)}/api/v1/auth/saml/${provider}/acs`;

  // The IdP posts a form; the parser is registered only inside this scope.
  app.register(async (plain) => {
    const scope = typedRoutes(plain);
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 512 * 1024 },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    scope.post(
      '/api/v1/auth/saml/:provider/acs',
      {
        config: { auth: { public: 'SAML assertion consumer service (signature, audience, replay checked)' } },
        schema: {
          tags: ['sso'],
          params: ProviderParams,
          body: Type.Object({
            SAMLResponse: Type.String({ minLength: 1, maxLength: 400_000 }),
            RelayState: Type.Optional(Type.String({ maxLength: 200 })),
          }),
        },
      },
      async (req, reply) => {
        const { provider } = req.params;
        const { SAMLResponse } = req.body;
        try {
          return finish(
            reply,
            await saml.consume(provider, SAMLResponse, acsUrl(req, provider), client(req)),
          );
        } catch (e) {
          return fail(reply, e);
        }
      },
    );
  });

  app.get(
    '/api/v1/auth/saml/:provider/metadata',
    {
      config: { auth: { public: 'SAML service provider metadata for the IdP administrator' } },
      schema: { tags: ['sso'], params: ProviderParams },
    },
    async (req, reply) => {
      const { provider } = req.params;
      reply.type('application/samlmetadata+xml');
      return saml.metadata(provider, acsUrl(req, provider));
    },
  );

  app.post(
    '/api/v1/admin/identity-providers',
    {
      config: { auth: { platform: ['create', 'Tenant'] } },
      schema: {
        tags: ['sso'],
        body: ProviderBody,
        response: { 201: Type.Object({ id: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.oidc && !config.ssoAllowPrivateIdps)
        await assertPublicAddress(b.oidc.issuer, 'identity provider');
      let tenantId: string | null = null;
      if (b.tenantSlug) {
        const t = await deps.tenancy.tenantBySlug(b.tenantSlug);
        if (!t) throw new VigilError('not_found', 'tenant not found');
        tenantId = t.id;
      }
      const { id } = await sso.createProvider({
        slug: b.slug,
        tenantId,
        allowedDomains: b.allowedDomains,
        ...(b.oidc ? { oidc: b.oidc } : {}),
        ...(b.saml ? { saml: b.saml } : {}),
      });
      await deps.audit.standalone(userAction(req.ctx, 'identity_provider.create', 'identity_provider', id));
      return reply.status(201).send({ id });
    },
  );

  // A tenant admin's own identity provider: scoped to their tenant (it signs in only accounts
  // that belong to that tenant alone), never platform-wide, never another tenant's.
  app.post(
    '/api/v1/tenants/:tenantSlug/identity-providers',
    {
      config: { auth: { tenant: ['manage', 'TenantSettings'] } },
      schema: {
        tags: ['sso'],
        params: TenantParams,
        body: Type.Omit(ProviderBody, ['tenantSlug'], { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const { id } = await sso.createProvider({
        slug: b.slug,
        tenantId: req.ctx.tenant!.id,
        allowedDomains: b.allowedDomains,
        ...(b.oidc ? { oidc: b.oidc } : {}),
        ...(b.saml ? { saml: b.saml } : {}),
      });
      await deps.audit.standalone(userAction(req.ctx, 'identity_provider.create', 'identity_provider', id));
      return reply.status(201).send({ id });
    },
  );
}
