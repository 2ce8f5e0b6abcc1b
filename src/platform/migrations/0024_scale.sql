-- Costs that follow the work, not the tenant's history (issue 33).

-- 1. Subject export / access history: all events about a set of resources (a customer and its
-- conversations) in one query. The old index leads with resource_type, which the export does not
-- know per id, so each query scanned the chain. The event rows are untouched (hash chain).
create index audit_events_resource_seq on audit_events (chain, resource_id, seq) where resource_id is not null;

-- 2. Inbox and customer lists: every documented filter has an index in the list's sort order
-- (keyset pagination on last_message_at desc, id desc), so a selective filter's first page is a
-- seek plus `limit` rows, whatever the tenant's size. The agent's scope (own queues or own
-- assignments) is read per queue (queue index) and per assignee (assignee index).
create index conversations_status_list on conversations (tenant_id, status, last_message_at desc, id desc);
create index conversations_channel_list on conversations (tenant_id, channel, last_message_at desc, id desc);
create index conversations_queue_list on conversations (tenant_id, queue_id, last_message_at desc, id desc);
create index conversations_assignee_list on conversations (tenant_id, assignee_id, last_message_at desc, id desc);
create index conversations_customer_list on conversations (customer_id, last_message_at desc, id desc);
drop index conversations_customer;
-- The customer list shows unmerged records only.
create index customers_live_created on customers (tenant_id, created_at desc, id desc) where merged_into is null;
drop index customers_tenant_created;

-- Every message moves last_message_at, a key of the list indexes, so these updates cannot be HOT;
-- free space per page keeps the new row version on the same page (no extra heap page per update)
-- and aggressive per-table autovacuum/analyze keeps dead index entries and statistics in check
-- (docs/scaling.md lists what Vigil expects). PGlite accepts and ignores the autovacuum settings.
alter table conversations set (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02,
  autovacuum_analyze_scale_factor = 0.01, autovacuum_vacuum_cost_limit = 1000);
alter table messages set (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);
alter table audit_events set (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);

-- 3. Customer matching that cannot duplicate: the customer an incoming contact with this
-- identifier (blind index of the normalised e-mail or phone) resolves to. The primary key makes
-- concurrent first contacts of one sender meet: one inserts, the others wait for its commit and
-- then read its customer. The foreign key is checked at commit, so the key can be claimed before
-- the customer row is written in the same transaction. Erasure deletes the row with the
-- identifiers; a merge moves it to the surviving record.
create table customer_contact_keys (
  tenant_id uuid not null references tenants (id) on delete cascade,
  kind text not null check (kind in ('email', 'phone', 'customer_number')),
  blind bytea not null,
  customer_id uuid not null references customers (id) on delete cascade deferrable initially deferred,
  created_at timestamptz not null default now(),
  primary key (tenant_id, kind, blind)
);
create index customer_contact_keys_customer on customer_contact_keys (customer_id);

-- Existing identifiers resolve to their oldest live record (duplicates stay until
-- `vigil customers dedupe` merges them). The owner reads across tenants for this one backfill.
alter table customers no force row level security;
alter table customer_identifiers no force row level security;
insert into customer_contact_keys (tenant_id, kind, blind, customer_id)
  select distinct on (i.tenant_id, i.kind, i.blind) i.tenant_id, i.kind, i.blind, i.customer_id
  from customer_identifiers i join customers c on c.id = i.customer_id
  where c.erased_at is null and c.merged_into is null
  order by i.tenant_id, i.kind, i.blind, c.created_at, c.id;
alter table customers force row level security;
alter table customer_identifiers force row level security;

alter table customer_contact_keys enable row level security;
alter table customer_contact_keys force row level security;
create policy tenant_isolation on customer_contact_keys using (tenant_id = vigil_current_tenant())
  with check (tenant_id = vigil_current_tenant());
grant select, insert, update, delete on customer_contact_keys to vigil_app;

-- 4. Widget rate limits per tenant (null: the platform configuration applies).
create table tenant_rate_limits (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  widget_per_ip_per_minute integer check (widget_per_ip_per_minute between 1 and 1000000),
  widget_per_visitor_per_minute integer check (widget_per_visitor_per_minute between 1 and 1000000),
  widget_anonymous_per_ip_per_minute integer check (widget_anonymous_per_ip_per_minute between 1 and 1000000),
  updated_at timestamptz not null default now()
);
alter table tenant_rate_limits enable row level security;
alter table tenant_rate_limits force row level security;
create policy tenant_isolation on tenant_rate_limits using (tenant_id = vigil_current_tenant())
  with check (tenant_id = vigil_current_tenant());
grant select, insert, update, delete on tenant_rate_limits to vigil_app;
