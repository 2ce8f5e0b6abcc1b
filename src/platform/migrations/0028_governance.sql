-- Privacy governance (issue 28): the platform's sub-processor register with per-tenant
-- assignment and change notices (objection window, the client's decision), DPIAs per tenant and
-- processing activity (versioned, linked to live controls), and the public DSAR intake.

-- Platform-level: the operator's sub-processors. No personal data (companies, not people).
create table sub_processors (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  service text not null check (length(service) between 1 and 500),
  data_categories text[] not null default '{}',
  countries text[] not null default '{}',
  transfer_mechanism text not null check (transfer_mechanism in ('none', 'adequacy', 'scc', 'bcr')),
  contract_start date,
  contract_end date,
  last_audit_at date,
  audit_evidence_sha256 text check (audit_evidence_sha256 ~ '^[0-9a-f]{64}$'),
  status text not null default 'active' check (status in ('active', 'retired')),
  version integer not null default 1,
  updated_at timestamptz not null default now(),
  created_at timestamptz not null default now()
);

-- Per tenant: which sub-processors touch this client's data, at which accepted version. A
-- platform table like memberships (the operator assigns; no personal data), read per tenant.
-- state: pending (notice open), active, blocked (the client objected).
create table tenant_sub_processors (
  tenant_id uuid not null references tenants (id) on delete cascade,
  sub_processor_id uuid not null references sub_processors (id),
  state text not null check (state in ('pending', 'active', 'blocked')),
  accepted_version integer,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, sub_processor_id)
);

-- One notice per tenant and change: the objection window and the client's decision.
create table sub_processor_notices (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  sub_processor_id uuid not null references sub_processors (id),
  version integer not null,
  kind text not null check (kind in ('added', 'changed')),
  summary jsonb not null,
  objection_deadline timestamptz not null,
  decision text not null default 'pending' check (decision in ('pending', 'accepted', 'objected', 'lapsed')),
  decided_by uuid,
  decided_at timestamptz,
  reason text check (length(reason) <= 1000),
  mailed integer not null default 0,
  created_at timestamptz not null default now()
);
create index sub_processor_notices_tenant on sub_processor_notices (tenant_id, created_at desc);

-- DPIA (Art. 35) per tenant and processing activity; each edit is a new version.
create table dpias (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  activity_id text not null check (activity_id ~ '^[a-z0-9-]{1,40}$'),
  current_version integer not null default 1,
  review_due_at timestamptz,
  review_reason text check (review_reason ~ '^[a-z0-9_:.-]{1,100}$'),
  created_at timestamptz not null default now(),
  unique (tenant_id, activity_id)
);
create table dpia_versions (
  tenant_id uuid not null references tenants (id) on delete cascade,
  dpia_id uuid not null references dpias (id) on delete cascade,
  version integer not null,
  content jsonb not null,
  -- The linked controls' state when this version was written / signed (key -> fingerprint).
  control_snapshot jsonb not null,
  dpo_opinion text check (length(dpo_opinion) <= 5000),
  signed_by uuid,
  signed_at timestamptz,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  primary key (dpia_id, version)
);

-- Public DSAR intake. The address is kept encrypted (tenant key) and as a blind index only to
-- find the customer; the one-time code and the requester's status token are HMACs.
create table dsar_intakes (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  type text not null check (type in ('access', 'rectification', 'erasure', 'restriction')),
  email_enc bytea not null,
  details_enc bytea,
  customer_id uuid,
  status_token_hash bytea not null unique,
  code_hash bytea,
  code_expires_at timestamptz,
  code_attempts integer not null default 0,
  state text not null default 'unverified'
    check (state in ('unverified', 'verified', 'fulfilled', 'rejected', 'expired')),
  received_at timestamptz not null default now(),
  due_at timestamptz not null,
  extended_reason text check (length(extended_reason) <= 1000),
  subject_request_id uuid,
  download_token_hash bytea unique,
  download_expires_at timestamptz,
  downloaded_at timestamptz,
  -- When the DPOs were reminded that the deadline approaches (once per request).
  reminded_at timestamptz,
  created_at timestamptz not null default now()
);
create index dsar_intakes_tenant on dsar_intakes (tenant_id, received_at desc);

-- Change-triggered review items for the DPO / security officer: a new sub-processor, a role
-- grant, a changed PII policy or Cockpit tool. `diff` holds ids, kinds and counts, never values.
create table governance_reviews (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  kind text not null check (kind in ('sub_processor', 'role_grant', 'pii_policy', 'cockpit_tool')),
  ref text check (length(ref) <= 200),
  diff jsonb not null default '{}',
  state text not null default 'open' check (state in ('open', 'closed')),
  decision text check (decision in ('accepted', 'remediation')),
  reason text check (length(reason) <= 1000),
  decided_by uuid,
  decided_at timestamptz,
  created_at timestamptz not null default now()
);
create index governance_reviews_open on governance_reviews (tenant_id, created_at) where state = 'open';

-- Data-processing agreements (Art. 28): each distinct generated text is a version; acceptances
-- record who accepted which version when.
create table dpa_versions (
  tenant_id uuid not null references tenants (id) on delete cascade,
  version integer not null,
  content jsonb not null,
  content_sha256 text not null check (content_sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now(),
  primary key (tenant_id, version)
);
create table dpa_acceptances (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  version integer not null,
  accepted_by uuid not null,
  accepted_at timestamptz not null default now(),
  foreign key (tenant_id, version) references dpa_versions (tenant_id, version)
);

do $$
declare t text;
begin
  foreach t in array array['sub_processor_notices', 'dpias', 'dpia_versions', 'dsar_intakes',
      'governance_reviews', 'dpa_versions', 'dpa_acceptances'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert, update on sub_processors, tenant_sub_processors, sub_processor_notices,
  dpias, dpia_versions, dsar_intakes, governance_reviews, dpa_versions, dpa_acceptances to vigil_app;
