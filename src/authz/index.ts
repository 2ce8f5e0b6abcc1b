// Roles, permissions (CASL) and route rules: what every domain may import from authz. The guard
// itself is wired by the composition root (src/app.ts), not by domains.
export {
  type Action,
  type AppAbility,
  abilityFor,
  CUSTOMER_FIELDS,
  DATA_READING_ROLES,
  isRole,
  ROLES,
  type Role,
  type Subject,
  TENANT_ROLES,
} from './roles.ts';
export { describeRule, type RouteRule } from './route-rules.ts';
