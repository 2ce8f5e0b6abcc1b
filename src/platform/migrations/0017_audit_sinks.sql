-- Per-tenant SIEM sinks and audit retention (issue 6). A tenant's security officer or admin
-- configures webhook sinks that receive only that tenant's chain; the HMAC secret is sealed
-- under the tenant's data key (never stored in clear). Delivery progress lives in
-- audit_sink_cursors (sink_id 'tenant-sink:<id>'), like the process-wide sinks.
create table audit_tenant_sinks (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null check (name ~ '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$'),
  url text not null check (url ~ '^https?://' and length(url) <= 2048),
  secret_enc bytea not null,
  format text not null check (format in ('ocsf', 'cef', 'json')),
  enabled boolean not null default true,
  failures integer not null default 0,
  last_error text,
  last_delivery_at timestamptz,
  created_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, name)
);

-- Retention of audit events per tenant; no row means the default (365 days).
create table audit_retention_settings (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  days integer not null check (days between 30 and 3650),
  updated_at timestamptz not null default now()
);

do $$
declare t text;
begin
  foreach t in array array['audit_tenant_sinks', 'audit_retention_settings'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert, update, delete on audit_tenant_sinks, audit_retention_settings to vigil_app;
