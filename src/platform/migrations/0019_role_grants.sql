-- Issue 20 (penetration test, findings 1 and 2): a tenant acts on its own memberships, never on the
-- account; role grants that read personal data need a second person; an account that already
-- exists is added to a tenant only by the person's acceptance. Like memberships these are platform
-- tables without tenant RLS (the guard and the sign-in read them before any tenant is chosen);
-- every statement on them names its tenant.

-- A suspended membership: the account keeps its other tenants and its platform role.
create table membership_suspensions (
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  reason text not null check (length(reason) between 1 and 500),
  suspended_by uuid references users (id) on delete set null,
  suspended_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);

-- Four-eyes: a grant of a data-reading role waits for another tenant admin.
create table role_grant_requests (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role text not null check (role in ('agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo')),
  requested_by uuid references users (id) on delete set null,
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
  decided_by uuid references users (id) on delete set null,
  decided_at timestamptz,
  created_at timestamptz not null default now(),
  check (requested_by is null or requested_by <> user_id),
  check (decided_by is null or (decided_by <> user_id and decided_by is distinct from requested_by))
);
create unique index role_grant_requests_open on role_grant_requests (tenant_id, user_id, role)
  where status = 'pending';

-- An existing account provisioned into a tenant (SCIM): no role until the person accepts.
create table membership_invitations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  scim_user_id uuid references scim_users (id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'accepted', 'declined')),
  created_at timestamptz not null default now(),
  decided_at timestamptz
);
create unique index membership_invitations_open on membership_invitations (tenant_id, user_id)
  where status = 'pending';

grant select, insert, update, delete on membership_suspensions to vigil_app;
grant select, insert, update on role_grant_requests, membership_invitations to vigil_app;
