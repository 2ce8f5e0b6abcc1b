-- Data-subject requests (GDPR Art. 15-18): the requests a DPO handles, restrictions of processing
-- in effect, and erasure tombstones. No personal data here: ids, types, states, times, the method of
-- the identity check and who verified it (never document contents).

create table subject_requests (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  -- No foreign key: the request outlives the erasure it documents (the customer row may go).
  customer_id uuid not null,
  type text not null check (type in ('access', 'rectification', 'erasure', 'restriction')),
  state text not null default 'received' check (state in ('received', 'in_effect', 'completed', 'rejected')),
  received_at timestamptz not null default now(),
  -- Art. 12(3): one month from receipt.
  due_at timestamptz not null,
  identity_method text not null check (identity_method in
    ('account_login', 'email_confirmation', 'id_document_sighted', 'in_person', 'knowledge_based', 'other')),
  identity_verified_by uuid not null,
  identity_verified_at timestamptz not null default now(),
  completed_at timestamptz,
  created_by uuid not null
);
create index subject_requests_tenant on subject_requests (tenant_id, received_at desc, id desc);
create index subject_requests_customer on subject_requests (tenant_id, customer_id);

-- Art. 18: while a row exists, the customer's data is only stored, not processed.
create table customer_restrictions (
  tenant_id uuid not null references tenants (id) on delete cascade,
  customer_id uuid not null references customers (id) on delete cascade,
  request_id uuid not null references subject_requests (id),
  restricted_at timestamptz not null default now(),
  primary key (tenant_id, customer_id)
);

-- Art. 17: what remains of an erased customer (no personal data).
create table customer_erasures (
  tenant_id uuid not null references tenants (id) on delete cascade,
  customer_id uuid not null,
  request_id uuid not null references subject_requests (id),
  erased_at timestamptz not null default now(),
  primary key (tenant_id, customer_id)
);

do $$
declare t text;
begin
  foreach t in array array['subject_requests', 'customer_restrictions', 'customer_erasures'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert, update on subject_requests, customer_erasures to vigil_app;
grant select, insert, delete on customer_restrictions to vigil_app;
