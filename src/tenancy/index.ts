// The tenancy domain's surface: tenants, memberships and the tenant's service API tokens.
export {
  type ApiTokens,
  type ApiTokenView,
  authenticateApiToken,
  createApiTokens,
  issueApiToken,
  type NewApiToken,
  revokeApiTokens,
  TOKEN_SCOPES,
  type TokenScope,
} from './api-tokens.ts';
export type { TenancyService } from './service.ts';
