-- Retention of the DSAR intake's personal data (issue 28): once an intake is closed, the
-- requester's address, phone and free text are purged after a configurable period (an erasure
-- at once, a never-verified intake seven days after its code expired). The row stays as the
-- accountability record: type, dates, state, channel, outcome and the subject request id.
-- No new table: RLS of dsar_intakes (0028) is unchanged.
alter table dsar_intakes alter column email_enc drop not null;
-- When the register closed the request, as the retention job first saw it (or when the export's
-- download expired), and how: completed, rejected, or expired (never verified).
alter table dsar_intakes add column closed_at timestamptz;
alter table dsar_intakes add column closed_outcome text
  check (closed_outcome in ('completed', 'rejected', 'expired'));
-- When the personal fields were purged; from then on the intake holds no contact and no text.
alter table dsar_intakes add column purged_at timestamptz;
alter table dsar_intakes add constraint dsar_intakes_purged_empty
  check (purged_at is null or (email_enc is null and phone_enc is null and details_enc is null));
create index dsar_intakes_retention on dsar_intakes (tenant_id, closed_at) where purged_at is null;
