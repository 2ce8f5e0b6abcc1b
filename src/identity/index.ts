// Workforce identity beside src/auth: single sign-on (OIDC, SAML), passkeys and the
// phishing-resistant factor policy. One registration call from the composition root.
import type { FastifyInstance } from 'fastify';
import type { AuthService, SecretSealer } from '../auth/service.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/db.ts';
import type { TenancyService } from '../tenancy/index.ts';
import { createOidcSignIn } from './sso/oidc.ts';
import { ssoRoutes } from './sso/routes.ts';
import { createSamlSignIn } from './sso/saml.ts';
import { createSsoService } from './sso/service.ts';
import { phishingResistantPolicy } from './webauthn/policy.ts';
import { webauthnRoutes } from './webauthn/routes.ts';
import { createWebauthnService } from './webauthn/service.ts';

export { phishingResistantPolicy };

/** Passed to createAuthService: TOTP no longer completes sign-in for users under the policy. */
export const factorPolicy = { phishingResistantRequired: phishingResistantPolicy.requiredFor };

export function registerIdentity(
  app: FastifyInstance,
  deps: {
    config: Config;
    db: Database;
    audit: AuditRecorder;
    secrets: SecretSealer;
    auth: AuthService;
    tenancy: Pick<TenancyService, 'tenantBySlug'>;
  },
) {
  const { db, audit, secrets, auth, config, tenancy } = deps;
  const sso = createSsoService({ db, audit, secrets, auth });
  ssoRoutes(app, {
    sso,
    oidc: createOidcSignIn({ db, secrets, sso, allowPrivateIdps: !!config.ssoAllowPrivateIdps }),
    saml: createSamlSignIn({ db, sso }),
    audit,
    config,
    tenancy,
  });
  const webauthn = createWebauthnService({ db, audit, auth, config });
  webauthnRoutes(app, { webauthn, auth, config, db, audit });
  return { sso, webauthn };
}
