// The identity provider a platform admin (any tenant, or platform-wide) or a tenant admin (their
// own tenant only) configures: OIDC or SAML settings, allowed e-mail domains.
import Type from 'typebox';
import { TenantParams } from '../../platform/http-schemas.ts';

export const ProviderSlug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });
const Domain = Type.String({ pattern: '^[a-z0-9.-]+\\.[a-z]{2,}$', maxLength: 253 });
const Values = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 20 });

export const ProviderBody = Type.Object(
  {
    slug: ProviderSlug,
    tenantSlug: Type.Optional(TenantParams.properties.tenantSlug),
    allowedDomains: Type.Array(Domain, { minItems: 1, maxItems: 50 }),
    oidc: Type.Optional(
      Type.Object(
        {
          issuer: Type.String({ pattern: '^https?://', maxLength: 500 }),
          clientId: Type.String({ minLength: 1, maxLength: 500 }),
          clientSecret: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          scopes: Type.Optional(Values),
          mfaClaim: Type.Union([Type.Literal('amr'), Type.Literal('acr')]),
          mfaValues: Values,
          phishingResistantValues: Values,
          requireEmailVerified: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    saml: Type.Optional(
      Type.Object(
        {
          entryPoint: Type.String({ pattern: '^https?://', maxLength: 500 }),
          idpIssuer: Type.String({ minLength: 1, maxLength: 500 }),
          idpCert: Type.String({ minLength: 100, maxLength: 20_000 }),
          spEntityId: Type.String({ minLength: 1, maxLength: 500 }),
          mfaValues: Values,
          phishingResistantValues: Values,
          allowIdpInitiated: Type.Optional(Type.Boolean()),
          emailAttribute: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
