-- Foundation: the application role, tenants, identity, sessions, memberships, queues.
-- Platform tables (tenants, users, memberships, sessions) carry no tenant RLS; tenant-owned
-- tables always have tenant_id, ENABLE + FORCE row level security and the tenant_isolation policy.

do $$ begin
  if not exists (select from pg_roles where rolname = 'vigil_app') then
    create role vigil_app nologin nosuperuser nobypassrls noinherit;
  end if;
end $$;

-- The tenant of the current transaction, or NULL. Set by the application with
-- set_config('app.tenant_id', ..., true) at the start of every transaction.
create or replace function vigil_current_tenant() returns uuid
  language sql stable parallel safe as
$$ select nullif(nullif(current_setting('app.tenant_id', true), ''), '00000000-0000-0000-0000-000000000000')::uuid $$;

create table tenants (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text not null check (length(name) between 1 and 200),
  status text not null default 'active' check (status in ('active', 'suspended', 'offboarded')),
  default_region text not null default 'DE',
  created_at timestamptz not null default now()
);

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  display_name text not null,
  password_hash text not null,
  status text not null default 'active' check (status in ('active', 'suspended', 'disabled')),
  suspended_reason text,
  locale text not null default 'en' check (locale in ('en', 'de')),
  totp_secret_sealed bytea,
  totp_last_step bigint not null default 0,
  mfa_enrolled_at timestamptz,
  failed_logins integer not null default 0,
  lockouts integer not null default 0,
  locked_until timestamptz,
  last_login_at timestamptz,
  created_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

create table recovery_codes (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  code_hash text not null,
  used_at timestamptz
);
create index recovery_codes_user on recovery_codes (user_id);

create table memberships (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  -- NULL tenant: a platform-wide role (platform_admin, platform security officer).
  tenant_id uuid references tenants (id) on delete cascade,
  role text not null check (role in ('agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo', 'platform_admin')),
  created_at timestamptz not null default now()
);
create unique index memberships_unique on memberships (user_id, coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), role);

create table mfa_challenges (
  id uuid primary key default gen_random_uuid(),
  challenge_hash bytea not null unique,
  user_id uuid not null references users (id) on delete cascade,
  purpose text not null default 'login' check (purpose in ('login', 'enrol', 'step_up')),
  -- During first-login enrolment: the proposed TOTP secret, sealed, until a code confirms it.
  pending_secret_sealed bytea,
  attempts integer not null default 0,
  expires_at timestamptz not null,
  used_at timestamptz,
  ua_hash text not null,
  created_at timestamptz not null default now()
);

create table sessions (
  id uuid primary key default gen_random_uuid(),
  token_hash bytea not null unique,
  user_id uuid not null references users (id) on delete cascade,
  kind text not null default 'browser' check (kind in ('browser', 'extension', 'sso')),
  auth_methods text[] not null,
  ua_hash text not null,
  ip text,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  mfa_at timestamptz not null default now(),
  idle_expires_at timestamptz not null,
  absolute_expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text
);
create index sessions_user on sessions (user_id) where revoked_at is null;

create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null,
  token_hash bytea not null unique,
  scopes text[] not null,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);

-- Tenant-owned: queues and their members.
create table queues (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 120),
  created_at timestamptz not null default now(),
  unique (tenant_id, name)
);

create table queue_members (
  tenant_id uuid not null references tenants (id) on delete cascade,
  queue_id uuid not null references queues (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  primary key (queue_id, user_id)
);

do $$
declare t text;
begin
  foreach t in array array['queues', 'queue_members'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant usage on schema public to vigil_app;
grant select, insert, update on tenants to vigil_app;
grant select, insert, update on users, memberships, mfa_challenges, sessions, api_tokens to vigil_app;
grant select, insert, update, delete on recovery_codes to vigil_app;
grant delete on memberships, mfa_challenges to vigil_app;
grant select, insert, update, delete on queues, queue_members to vigil_app;
