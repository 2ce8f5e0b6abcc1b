-- Consoles, second half (issue 25): service-level targets per queue and channel with the breaches
-- they detect, invitations of new people by e-mail, the widget's theme, and the delivery states of
-- outbound e-mail as the relay answers them. Counts, ids and settings only; no message content.

-- A queue's answer target per channel ('any' applies to channels without their own target).
create table service_level_targets (
  tenant_id uuid not null references tenants (id) on delete cascade,
  queue_id uuid not null references queues (id) on delete cascade,
  channel text not null check (channel in ('any', 'chat', 'email', 'voice')),
  target_seconds integer not null check (target_seconds between 1 and 604800),
  updated_by uuid references users (id) on delete set null,
  updated_at timestamptz not null default now(),
  primary key (queue_id, channel)
);

-- One row per conversation that waited longer than its target: the breach is raised once.
create table sla_breaches (
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid primary key references conversations (id) on delete cascade,
  queue_id uuid not null references queues (id) on delete cascade,
  channel text not null,
  target_seconds integer not null,
  breached_at timestamptz not null default now()
);
create index sla_breaches_queue_time on sla_breaches (tenant_id, queue_id, breached_at);

do $$
declare t text;
begin
  foreach t in array array['service_level_targets', 'sla_breaches'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;
grant select, insert, update, delete on service_level_targets to vigil_app;
grant select, insert on sla_breaches to vigil_app;

-- A new person invited by a tenant admin. Like memberships a platform table without tenant RLS
-- (the acceptance runs before any sign-in); every statement names its tenant or the token hash.
-- Only the SHA-256 of the single-use token is kept.
create table user_invitations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role text not null check (role in ('agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo')),
  token_hash text not null unique,
  status text not null default 'sent'
    check (status in ('awaiting_approval', 'sent', 'accepted', 'revoked')),
  invited_by uuid references users (id) on delete set null,
  approved_by uuid references users (id) on delete set null,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  created_at timestamptz not null default now(),
  check (approved_by is null or approved_by is distinct from invited_by)
);
create index user_invitations_tenant on user_invitations (tenant_id, created_at desc);
grant select, insert, update on user_invitations to vigil_app;

-- The widget's look per tenant (colours, logo, position, language), validated by the API.
alter table chat_widget_settings add column theme jsonb not null default '{}'::jsonb;

-- E-mail delivery as the relay answers: queued (not tried yet), sent (2xx), deferred (4xx, retried),
-- bounced (5xx, given up).
alter table messages drop constraint messages_delivery_state_check;
alter table messages add constraint messages_delivery_state_check check (delivery_state in
  ('received', 'pending', 'queued', 'sent', 'deferred', 'bounced', 'delivered', 'failed', 'internal'));

-- A missed service level is an alert about a queue (src/monitoring rule sla_breach).
alter table monitoring_alerts drop constraint if exists monitoring_alerts_subject_type_check;
alter table monitoring_alerts add constraint monitoring_alerts_subject_type_check
  check (subject_type in ('user', 'ip_range', 'file', 'scanner', 'phish_report', 'queue'));
