-- Workforce access (issue 14): SCIM provisioning, network and device policy, training gates.
-- Platform tables (looked up before a tenant is known, or owned by a user across tenants):
-- scim_tokens, user_devices, session_devices. Everything else is tenant-owned with FORCE RLS.

create table scim_tokens (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 120),
  token_hash bytea not null unique,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index scim_tokens_tenant on scim_tokens (tenant_id);

-- Which role a provisioned user gets by default and which IdP group grants which role.
create table scim_config (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  default_role text check (default_role in ('agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo')),
  group_roles jsonb not null default '[]',
  updated_at timestamptz not null default now()
);

-- A user as this tenant's IdP sees it. owns_user: the account was created by this tenant's
-- provisioning, so this tenant's IdP is authoritative for it (disable, password, e-mail).
create table scim_users (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  owns_user boolean not null,
  external_id text check (length(external_id) <= 256),
  user_name text not null check (length(user_name) between 1 and 254),
  given_name text check (length(given_name) <= 120),
  family_name text check (length(family_name) <= 120),
  display_name text check (length(display_name) <= 240),
  email text check (length(email) <= 254),
  active boolean not null default true,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, user_id)
);
create unique index scim_users_name on scim_users (tenant_id, lower(user_name));

create table scim_groups (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  display_name text not null check (length(display_name) between 1 and 256),
  external_id text check (length(external_id) <= 256),
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index scim_groups_name on scim_groups (tenant_id, lower(display_name));

create table scim_group_members (
  tenant_id uuid not null references tenants (id) on delete cascade,
  group_id uuid not null references scim_groups (id) on delete cascade,
  scim_user_id uuid not null references scim_users (id) on delete cascade,
  primary key (group_id, scim_user_id)
);
create index scim_group_members_user on scim_group_members (scim_user_id);

-- Network and device policy per tenant and role ('*' = every role of the tenant).
create table access_policies (
  tenant_id uuid not null references tenants (id) on delete cascade,
  role text not null check (role in ('*', 'agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo')),
  -- NULL: no network restriction; otherwise CIDRs (IPv4 and IPv6), normalised.
  ip_allow text[],
  device_approval boolean not null default false,
  updated_by uuid,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, role)
);

-- A browser or machine a user signs in from: a random device key held in an httpOnly cookie.
create table user_devices (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  token_hash bytea not null unique,
  ua_hash text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  revoked_at timestamptz
);
create index user_devices_user on user_devices (user_id);

-- The device a session is bound to (bound once; another device key on that session is refused).
create table session_devices (
  session_id uuid primary key references sessions (id) on delete cascade,
  device_id uuid not null references user_devices (id) on delete cascade,
  bound_at timestamptz not null default now()
);

create table device_approvals (
  tenant_id uuid not null references tenants (id) on delete cascade,
  device_id uuid not null references user_devices (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
  requested_at timestamptz not null default now(),
  decided_by uuid,
  decided_at timestamptz,
  primary key (tenant_id, device_id)
);

-- Trainings and policy attestations a tenant requires.
create table trainings (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  kind text not null default 'training' check (kind in ('training', 'policy')),
  title text not null check (length(title) between 1 and 200),
  version integer not null default 1 check (version >= 1),
  validity_months integer not null check (validity_months between 1 and 120),
  required_roles text[] not null default '{agent}'
    check (required_roles <@ array['agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo']::text[]),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index trainings_tenant on trainings (tenant_id);

create table training_completions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  training_id uuid not null references trainings (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  version integer not null,
  completed_at timestamptz not null,
  expires_at timestamptz not null,
  recorded_by uuid,
  created_at timestamptz not null default now()
);
create index training_completions_user on training_completions (tenant_id, user_id, training_id);

do $$
declare t text;
begin
  foreach t in array array['scim_config', 'scim_users', 'scim_groups', 'scim_group_members',
                           'access_policies', 'device_approvals', 'trainings', 'training_completions'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert, update on scim_tokens, user_devices to vigil_app;
grant select, insert, update, delete on session_devices to vigil_app;
grant select, insert, update, delete on scim_config, scim_users, scim_groups, scim_group_members,
  access_policies, device_approvals, trainings, training_completions to vigil_app;
