-- Encryption at rest (src/crypto): wrapped keys only. The key-encryption key (KEK) and the
-- erasure-ledger signing key never enter the database. A destroyed key keeps its row as a
-- tombstone with wrapped_key = NULL, so "erased" can be told apart from "never existed".

-- Per-tenant data keys (DEKs), versioned; exactly one active version per tenant.
create table tenant_keys (
  tenant_id uuid not null references tenants (id) on delete cascade,
  version integer not null check (version > 0),
  wrapped_key bytea,
  kek_id text not null,
  kek_version integer not null,
  state text not null default 'active' check (state in ('active', 'retired', 'destroyed')),
  created_at timestamptz not null default now(),
  retired_at timestamptz,
  destroyed_at timestamptz,
  primary key (tenant_id, version),
  check ((state = 'destroyed') = (wrapped_key is null)),
  check ((state = 'destroyed') = (destroyed_at is not null))
);
create unique index tenant_keys_one_active on tenant_keys (tenant_id) where state = 'active';

-- Blind-index keys: a separate random key per tenant, wrapped by the KEK, never the DEK, so
-- rotating the DEK does not invalidate every index and the index key alone decrypts nothing.
create table tenant_index_keys (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  wrapped_key bytea,
  kek_id text not null,
  kek_version integer not null,
  created_at timestamptz not null default now(),
  destroyed_at timestamptz,
  check ((wrapped_key is null) = (destroyed_at is not null))
);

-- One key per data subject (end customer), wrapped by the tenant DEK of dek_version.
create table subject_keys (
  tenant_id uuid not null references tenants (id) on delete cascade,
  subject_id uuid not null,
  wrapped_key bytea,
  dek_version integer not null,
  created_at timestamptz not null default now(),
  destroyed_at timestamptz,
  primary key (tenant_id, subject_id),
  check ((wrapped_key is null) = (destroyed_at is not null))
);

-- Tenant-less platform data key (e.g. users' TOTP secrets), wrapped by the KEK.
create table platform_keys (
  version integer primary key check (version > 0),
  wrapped_key bytea not null,
  kek_id text not null,
  kek_version integer not null,
  state text not null default 'active' check (state in ('active', 'retired')),
  created_at timestamptz not null default now()
);
create unique index platform_keys_one_active on platform_keys (state) where state = 'active';

-- Resumable re-encryption after a tenant DEK rotation; progress commits with each batch.
create table key_rotation_jobs (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  target_version integer not null,
  state text not null default 'running' check (state in ('running', 'completed')),
  done_columns text[] not null default '{}',
  current_column text,
  cursor text,
  subjects_rewrapped bigint not null default 0,
  rows_scanned bigint not null default 0,
  rows_reencrypted bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz
);
create unique index key_rotation_jobs_one_running on key_rotation_jobs (tenant_id) where state = 'running';

-- A destroyed key must stay destroyed: no update may put key material back into a tombstone.
create function vigil_keys_stay_destroyed() returns trigger language plpgsql as $$
begin
  if old.destroyed_at is not null and new.wrapped_key is not null then
    raise exception 'a destroyed key cannot be restored' using errcode = '55000';
  end if;
  return new;
end $$;

do $$
declare t text;
begin
  foreach t in array array['tenant_keys', 'tenant_index_keys', 'subject_keys'] loop
    execute format('create trigger keys_stay_destroyed before update on %I for each row execute function vigil_keys_stay_destroyed()', t);
  end loop;
  foreach t in array array['tenant_keys', 'tenant_index_keys', 'subject_keys', 'key_rotation_jobs'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

-- No DELETE: keys are destroyed by overwriting wrapped_key, which leaves an auditable tombstone.
grant select, insert, update on tenant_keys, tenant_index_keys, subject_keys, key_rotation_jobs to vigil_app;
grant select, insert, update on platform_keys to vigil_app;
