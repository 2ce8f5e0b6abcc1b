-- Vigil Cockpit (issue 13): the per-tenant catalogue of client tools, tenant settings, per-tenant
-- activity summaries (tenant-scoped, RLS), and the platform-level pairing codes and paired
-- devices of the browser extension. A device's token is bound to the Vigil session that paired
-- it: revoking or expiring that session ends the token. Only hashes of codes and tokens are kept.

create table cockpit_tools (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  origins text[] not null check (cardinality(origins) between 1 and 10),
  allowed_paths text[] not null default '{}',
  forbidden_paths text[] not null default '{}',
  roles text[] not null default '{agent,supervisor}',
  queues uuid[] not null default '{}',
  -- null: any hour; otherwise { timeZone, slots: [{ days, start, end }] } like shift schedules.
  allowed_hours jsonb,
  download_policy text not null default 'record' check (download_policy in ('block', 'allow', 'record')),
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index cockpit_tools_tenant on cockpit_tools (tenant_id);

create table cockpit_settings (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  require_active boolean not null default false,
  updated_at timestamptz not null default now()
);

create table cockpit_activity (
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  tool_id uuid not null references cockpit_tools (id) on delete cascade,
  visits integer not null default 0,
  blocked integer not null default 0,
  downloads integer not null default 0,
  last_at timestamptz not null default now(),
  primary key (tenant_id, user_id, tool_id)
);

do $$
declare t text;
begin
  foreach t in array array['cockpit_tools', 'cockpit_settings', 'cockpit_activity'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

create table cockpit_pairing_codes (
  code_hash bytea primary key,
  user_id uuid not null references users (id) on delete cascade,
  session_id uuid not null references sessions (id) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz
);

create table cockpit_devices (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  session_id uuid not null references sessions (id) on delete cascade,
  -- The extension's non-extractable ECDSA P-256 public key (JWK): renewals must be signed by it.
  public_key jsonb not null,
  token_hash bytea not null unique,
  token_expires_at timestamptz not null,
  uninstall_hash bytea not null,
  status text not null default 'active' check (status in ('active', 'signed_out', 'ended', 'tampered')),
  extension_version text not null default '' check (length(extension_version) <= 32),
  last_seen_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  ended_at timestamptz,
  ended_reason text check (length(ended_reason) <= 64)
);
create index cockpit_devices_user on cockpit_devices (user_id, status);
create index cockpit_devices_session on cockpit_devices (session_id);

grant select, insert, update, delete on cockpit_tools, cockpit_settings, cockpit_activity to vigil_app;
grant select, insert, update, delete on cockpit_pairing_codes to vigil_app;
grant select, insert, update on cockpit_devices to vigil_app;
