// HTTP for passkeys: registration (own account), the passkey second factor of sign-in, step-up,
// and a tenant's "phishing-resistant factor required" policy.
import { isIP } from 'node:net';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { AuthService, ClientInfo } from '../../auth/service.ts';
import { setSessionCookie } from '../../auth/session-cookie.ts';
import { ROLES } from '../../authz/roles.ts';
import { type AuditRecorder, userAction } from '../../platform/audit-port.ts';
import type { Config } from '../../platform/config.ts';
import type { Database } from '../../platform/db.ts';
import { VigilError } from '../../platform/errors.ts';
import { errorResponses, Ok, oneOf, TenantParams, typedRoutes, Uuid } from '../../platform/http-schemas.ts';
import { phishingResistantPolicy } from './policy.ts';
import type { RelyingParty, WebauthnService } from './service.ts';

// The browser's credential JSON; @simplewebauthn/server checks its inner structure.
const Credential = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 1024 }),
  rawId: Type.String({ minLength: 1, maxLength: 1024 }),
  type: Type.Literal('public-key'),
  // Only clientDataJSON is named here: the validator coerces types, which would mangle the
  // other members (strings, `transports` arrays, a number); the library checks each of them.
  response: Type.Object({ clientDataJSON: Type.String({ minLength: 1, maxLength: 65536 }) }),
  clientExtensionResults: Type.Optional(Type.Object({})),
  authenticatorAttachment: Type.Optional(Type.String({ maxLength: 40 })),
});
// The library's own types for the two ceremonies: the schema checks the outline, the library the rest.
const Registration = Type.Unsafe<RegistrationResponseJSON>(Credential);
const Assertion = Type.Unsafe<AuthenticationResponseJSON>(Credential);
const Options = Type.Object({ options: Type.Any() });
const TenantRole = oneOf(ROLES.filter((r) => r !== 'platform_admin'));

export function webauthnRoutes(
  server: FastifyInstance,
  deps: {
    webauthn: WebauthnService;
    auth: AuthService;
    config: Pick<Config, 'publicUrl' | 'secureCookies' | 'sessionAbsoluteHours' | 'loginMaxPerIpPerMinute'>;
    db: Database;
    audit: AuditRecorder;
  },
) {
  const app = typedRoutes(server);
  const { webauthn, config, db, audit } = deps;
  const client = (req: FastifyRequest): ClientInfo => ({
    ip: req.ctx.ip,
    uaHash: req.ctx.uaHash,
    requestId: req.ctx.requestId,
  });
  const rp = (req: FastifyRequest): RelyingParty => {
    const origin = config.publicUrl ?? `${req.protocol}://${req.host}`;
    const rpId = new URL(origin).hostname;
    // A relying party id must be a domain: browsers refuse passkeys for an IP address.
    if (isIP(rpId.replace(/^\[|\]$/g, '')))
      throw new VigilError(
        'conflict',
        'passkeys need a domain name, not an IP address: set VIGIL_PUBLIC_URL to the address users open (or use http://localhost)',
      );
    return { origin, rpId };
  };
  const loginLimit = { max: config.loginMaxPerIpPerMinute, timeWindow: '1 minute' };
  const me = (req: FastifyRequest) => ({ userId: req.ctx.actor.id!, sessionId: req.ctx.actor.sessionId! });

  app.post(
    '/api/v1/me/passkeys/options',
    {
      config: { auth: { user: true } },
      schema: { tags: ['passkeys'], response: { 200: Options, ...errorResponses } },
    },
    async (req) => ({
      options: await webauthn.registrationOptions(me(req).userId, me(req).sessionId, rp(req)),
    }),
  );
  app.post(
    '/api/v1/me/passkeys',
    {
      config: { auth: { user: true } },
      schema: {
        tags: ['passkeys'],
        body: Type.Object({ credential: Registration }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { credential } = req.body;
      const r = await webauthn.register(me(req).userId, me(req).sessionId, credential, rp(req), client(req));
      return reply.status(201).send(r);
    },
  );
  app.get(
    '/api/v1/me/passkeys',
    {
      config: { auth: { user: true } },
      schema: {
        tags: ['passkeys'],
        response: {
          200: Type.Object({
            passkeys: Type.Array(
              Type.Object({
                id: Type.String(),
                deviceType: Type.String(),
                backedUp: Type.Boolean(),
                createdAt: Type.String(),
                lastUsedAt: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({ passkeys: await webauthn.list(me(req).userId) }),
  );
  app.delete(
    '/api/v1/me/passkeys/:passkeyId',
    {
      config: { auth: { user: true } },
      schema: {
        tags: ['passkeys'],
        params: Type.Object({ passkeyId: Uuid }, { additionalProperties: false }),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (req) => {
      await webauthn.remove(me(req).userId, req.params.passkeyId, client(req));
      return { ok: true };
    },
  );

  const Challenge = Type.String({ minLength: 10, maxLength: 200 });
  app.post(
    '/api/v1/auth/mfa/webauthn/options',
    {
      config: {
        auth: { public: 'passkey challenge for the second factor of sign-in' },
        rateLimit: loginLimit,
      },
      schema: {
        tags: ['auth'],
        body: Type.Object({ challenge: Challenge }, { additionalProperties: false }),
        response: { 200: Options, ...errorResponses },
      },
    },
    async (req) => ({
      options: await webauthn.loginOptions(req.body.challenge, client(req), rp(req)),
    }),
  );
  app.post(
    '/api/v1/auth/mfa/webauthn',
    {
      config: { auth: { public: 'second factor of sign-in by passkey' }, rateLimit: loginLimit },
      schema: {
        tags: ['auth'],
        body: Type.Object({ challenge: Challenge, credential: Assertion }, { additionalProperties: false }),
        response: {
          200: Type.Object({ csrfToken: Type.String(), user: Type.Any() }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { challenge, credential } = req.body;
      const r = await webauthn.login(challenge, credential, client(req), rp(req));
      setSessionCookie(reply, r.sessionToken, config);
      return { csrfToken: r.csrfToken, user: r.user };
    },
  );
  app.post(
    '/api/v1/auth/step-up/webauthn/options',
    {
      config: { auth: { user: true }, rateLimit: loginLimit },
      schema: { tags: ['auth'], response: { 200: Options, ...errorResponses } },
    },
    async (req) => ({ options: await webauthn.stepUpOptions(me(req).userId, me(req).sessionId, rp(req)) }),
  );
  app.post(
    '/api/v1/auth/step-up/webauthn',
    {
      config: { auth: { user: true }, rateLimit: loginLimit },
      schema: {
        tags: ['auth'],
        body: Type.Object({ credential: Assertion }, { additionalProperties: false }),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (req) => {
      const { credential } = req.body;
      await webauthn.stepUp(me(req).userId, me(req).sessionId, credential, client(req), rp(req));
      return { ok: true };
    },
  );

  const Policy = Type.Object(
    { allRoles: Type.Boolean(), roles: Type.Array(TenantRole, { maxItems: 5, uniqueItems: true }) },
    { additionalProperties: false },
  );
  app.get(
    '/api/v1/tenants/:tenantSlug/identity/phishing-resistant',
    {
      config: { auth: { tenant: ['manage', 'TenantSettings'] } },
      schema: { tags: ['passkeys'], params: TenantParams, response: { 200: Policy, ...errorResponses } },
    },
    async (req) => {
      const roles = await db.withPlatform((tx) => phishingResistantPolicy.rolesFor(tx, req.ctx.tenant!.id));
      return {
        allRoles: roles.includes(null),
        roles: roles.filter((r): r is (typeof ROLES)[number] => r !== null),
      };
    },
  );
  app.put(
    '/api/v1/tenants/:tenantSlug/identity/phishing-resistant',
    {
      config: { auth: { tenant: ['manage', 'TenantSettings'] } },
      schema: {
        tags: ['passkeys'],
        params: TenantParams,
        body: Policy,
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (req) => {
      const b = req.body;
      // The tenant's transaction: its audit chain is written under its RLS context.
      await db.withTenant(req.ctx.tenant!.id, async (tx) => {
        await phishingResistantPolicy.set(tx, req.ctx.tenant!.id, b.roles, b.allRoles);
        await audit.inTx(
          tx,
          userAction(req.ctx, 'identity.phishing_resistant_policy.update', 'tenant', req.ctx.tenant!.id, {
            allRoles: b.allRoles,
            roles: b.roles.join(','),
          }),
        );
      });
      return { ok: true };
    },
  );
}
