-- Alert notification channels per tenant (issue 21): e-mail over the outbound SMTP relay and
-- HMAC-signed webhooks, each for alerts at or above its minimum severity. The target (recipients
-- or URL) and the webhook secret are sealed under the tenant's data key. Every alert a channel
-- takes becomes a delivery row, retried with backoff until delivered or out of attempts.
create table alert_channels (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  kind text not null check (kind in ('email', 'webhook')),
  min_severity text not null check (min_severity in ('low', 'medium', 'high', 'critical')),
  target_enc bytea not null,
  secret_enc bytea,
  created_by text,
  created_at timestamptz not null default now()
);

create table alert_deliveries (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  channel_id uuid not null references alert_channels (id) on delete cascade,
  alert_id uuid not null,
  -- What the alert says, ids, counts and fixed rule titles only (no personal data).
  alert jsonb not null,
  state text not null default 'pending' check (state in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  unique (channel_id, alert_id)
);
create index alert_deliveries_due on alert_deliveries (next_attempt_at) where state = 'pending';

do $$
declare t text;
begin
  foreach t in array array['alert_channels', 'alert_deliveries'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert, update, delete on alert_channels, alert_deliveries to vigil_app;

-- Rectification as an action (issue 21): the before/after evidence of the change the DPO applied
-- through the request, sealed under the customer's subject key like the customer data itself (so
-- an erasure shreds it with them).
alter table subject_requests add column rectification_enc bytea;

-- One-time codes (issue 21): a code replaced by a newer one is marked, so the caller's answer with
-- the old code is told "superseded" instead of counting as a failed attempt.
alter table verification_codes add column superseded_at timestamptz;
