-- Caller verification (issue 9): a knowledge-based verification policy per tenant and the
-- verification state of each conversation. No answer and no stored value is ever kept here:
-- only which factors passed, how many attempts failed, and until when the fields are unlocked.

create table verification_policies (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  factors text[] not null default '{date_of_birth,postcode,customer_number}'
    check (factors <@ array['date_of_birth', 'postcode', 'customer_number']::text[] and cardinality(factors) >= 1),
  required integer not null default 2 check (required between 1 and 3),
  max_attempts integer not null default 3 check (max_attempts between 1 and 10),
  validity_minutes integer not null default 30 check (validity_minutes between 1 and 480),
  unlocks text[] not null default '{dateOfBirth,address}'
    check (unlocks <@ array['dateOfBirth', 'address']::text[]),
  updated_at timestamptz not null default now()
);

create table conversation_verifications (
  conversation_id uuid primary key references conversations (id) on delete cascade,
  tenant_id uuid not null references tenants (id) on delete cascade,
  -- The customer the conversation belonged to when verification started (a merge resets it).
  customer_id uuid not null,
  passed_factors text[] not null default '{}',
  failed_attempts integer not null default 0 check (failed_attempts >= 0),
  verified_at timestamptz,
  verified_by uuid,
  expires_at timestamptz,
  unlocks text[] not null default '{}',
  updated_at timestamptz not null default now()
);
create index conversation_verifications_tenant on conversation_verifications (tenant_id);

do $$
declare t text;
begin
  foreach t in array array['verification_policies', 'conversation_verifications'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert, update, delete on verification_policies, conversation_verifications to vigil_app;
