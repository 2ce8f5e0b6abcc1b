export type Role = 'agent' | 'supervisor' | 'tenant_admin' | 'security_officer' | 'dpo' | 'platform_admin' | 'qa_reviewer';
export const ROLES: Role[] = [
  'agent',
  'supervisor',
  'tenant_admin',
  'security_officer',
  'dpo',
  'platform_admin',
  'qa_reviewer',
];
export const TENANT_ROLES: Role[] = ROLES.filter((r) => r !== 'platform_admin');

export interface Tenant {
  id: string;
  slug: string;
  name: string;
}
export interface Membership {
  tenant: Tenant | null;
  role: Role;
}
export interface User {
  id: string;
  email: string;
  displayName: string;
  locale?: string | null;
  memberships: Membership[];
}
export interface SessionView {
  id: string;
  current: boolean;
  kind: string;
  createdAt: string;
  lastSeenAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
}
