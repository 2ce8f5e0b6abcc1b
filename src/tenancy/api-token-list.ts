// The tenant's API tokens as metadata: name, scopes, who created it, when it was last used,
// expiry and revocation. The secret is never shown again (only its hash is stored anyway).
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { tenantContextOf } from '../platform/context.ts';
import { errorResponses, TenantParams } from '../platform/http-schemas.ts';
import type { ApiTokens } from './api-tokens.ts';

const Stamp = Type.Union([Type.String(), Type.Null()]);
const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  expiresAt: Stamp,
  lastUsedAt: Stamp,
  revokedAt: Stamp,
});

export function apiTokenListRoute(app: FastifyInstance, deps: { apiTokens: Pick<ApiTokens, 'list'> }) {
  app.get(
    '/api/v1/tenants/:tenantSlug/api-tokens',
    {
      config: { auth: { tenant: ['manage', 'ApiToken'] } },
      schema: {
        tags: ['admin'],
        params: TenantParams,
        // The response schema is the allow-list: nothing but these fields can leave.
        response: { 200: Type.Object({ tokens: Type.Array(TokenView) }), ...errorResponses },
      },
    },
    async (req) => ({ tokens: await deps.apiTokens.list(tenantContextOf(req)) }),
  );
}
