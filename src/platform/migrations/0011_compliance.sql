-- Compliance toolkit (issue 8): retention policies and their runs, legal holds, consent records,
-- the breach register, records of processing (Art. 30), access review campaigns, tenant
-- offboarding certificates. No personal values: ids, categories, counts, times, and texts the DPO
-- writes about processing (never about a person).

create table retention_policies (
  tenant_id uuid not null references tenants (id) on delete cascade,
  category text not null check (category in
    ('chat', 'email', 'transcripts', 'recordings', 'customer_profiles', 'audit_events')),
  days integer not null check (days between 1 and 36500),
  enabled boolean not null default true,
  updated_by uuid,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, category)
);

-- Suspends retention deletion of a customer (with everything of theirs) or one conversation.
create table legal_holds (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  scope text not null check (scope in ('customer', 'conversation')),
  target_id uuid not null,
  -- A case reference chosen by the DPO (e.g. a file number), never a person's data.
  reference text not null check (reference ~ '^[A-Za-z0-9._/ -]{1,80}$'),
  created_by uuid not null,
  created_at timestamptz not null default now(),
  released_by uuid,
  released_at timestamptz
);
create index legal_holds_active on legal_holds (tenant_id, scope, target_id) where released_at is null;

-- One row per scheduler run: the clock it runs at, where it is, what it deleted (counts only).
-- A run that stopped half-way is resumed with the same as_of and cursor.
create table retention_runs (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  as_of timestamptz not null,
  state text not null default 'running' check (state in ('running', 'completed')),
  category_index integer not null default 0,
  cursor uuid,
  counts jsonb not null default '{}'::jsonb,
  held jsonb not null default '{}'::jsonb,
  batches integer not null default 0,
  trigger text not null default 'schedule' check (trigger in ('schedule', 'manual')),
  started_at timestamptz not null default now(),
  completed_at timestamptz
);
create unique index retention_runs_one_running on retention_runs (tenant_id) where state = 'running';
create index retention_runs_recent on retention_runs (tenant_id, started_at desc);

-- Retention erases customers without a subject request: the tombstone records why.
alter table customer_erasures alter column request_id drop not null;
alter table customer_erasures add column reason text not null default 'request'
  check (reason in ('request', 'retention', 'offboarding'));

create table consent_records (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  customer_id uuid not null references customers (id) on delete cascade,
  purpose text not null check (purpose in ('marketing', 'processing', 'recording', 'analytics')),
  call_id uuid references calls (id) on delete cascade,
  granted boolean not null,
  source text not null check (source in ('web_form', 'agent', 'ivr', 'email', 'import', 'api')),
  text_version text not null check (text_version ~ '^[A-Za-z0-9._-]{1,40}$'),
  recorded_at timestamptz not null default now(),
  recorded_by uuid,
  withdrawn_at timestamptz,
  withdrawn_by uuid
);
create index consent_records_customer on consent_records (tenant_id, customer_id, purpose, recorded_at desc);

create table breaches (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  title text not null check (length(title) between 3 and 200),
  detected_at timestamptz not null,
  aware_at timestamptz not null,
  nature text not null default '' check (length(nature) <= 4000),
  data_categories text[] not null default '{}',
  subject_categories text[] not null default '{}',
  approx_subjects integer check (approx_subjects is null or approx_subjects >= 0),
  approx_records integer check (approx_records is null or approx_records >= 0),
  consequences text not null default '' check (length(consequences) <= 4000),
  measures text not null default '' check (length(measures) <= 4000),
  dpo_contact text not null default '' check (length(dpo_contact) <= 300),
  risk text not null default 'unassessed' check (risk in ('unassessed', 'unlikely', 'risk', 'high_risk')),
  status text not null default 'open' check (status in ('open', 'assessed', 'notified', 'closed')),
  authority_notified_at timestamptz,
  subjects_notified_at timestamptz,
  delay_reason text not null default '' check (length(delay_reason) <= 2000),
  alert_ids uuid[] not null default '{}',
  -- [{kind, ref, note, at, by}]: references to evidence, not copies of personal data.
  evidence jsonb not null default '[]'::jsonb,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index breaches_tenant on breaches (tenant_id, detected_at desc);

-- Art. 30: the edited record per tenant (absent: generated from configuration).
create table processing_records (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  document jsonb not null,
  version integer not null default 1,
  updated_by uuid,
  updated_at timestamptz not null default now()
);

create table access_review_campaigns (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  unused_days integer not null check (unused_days between 1 and 3650),
  state text not null default 'open' check (state in ('open', 'closed')),
  due_at timestamptz not null,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  closed_at timestamptz,
  closed_by uuid
);

create table access_review_items (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  campaign_id uuid not null references access_review_campaigns (id) on delete cascade,
  membership_id uuid not null,
  user_id uuid not null,
  role text not null,
  queues integer not null default 0,
  last_used_at timestamptz,
  proposal text not null check (proposal in ('keep', 'revoke')),
  decision text check (decision is null or decision in ('keep', 'revoke')),
  decided_by uuid,
  decided_at timestamptz
);
create index access_review_items_campaign on access_review_items (campaign_id);

do $$
declare t text;
begin
  foreach t in array array['retention_policies', 'legal_holds', 'retention_runs', 'consent_records', 'breaches',
    'processing_records', 'access_review_campaigns', 'access_review_items'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert, update, delete on retention_policies to vigil_app;
grant select, insert, update on legal_holds, retention_runs, consent_records, breaches, processing_records,
  access_review_campaigns, access_review_items to vigil_app;
