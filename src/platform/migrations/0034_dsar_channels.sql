-- DSAR intake, second part (issue 28): requests by e-mail to the tenant's privacy mailbox, a
-- one-time code by SMS to the phone on file, a lockout after too many wrong codes, objections
-- (Art. 21, handled as an Art. 18(1)(d) restriction in the DPO's register) and status mails to
-- the requester. The phone is stored encrypted like the address; no new table, RLS unchanged.
alter table dsar_intakes drop constraint if exists dsar_intakes_type_check;
alter table dsar_intakes add constraint dsar_intakes_type_check
  check (type in ('access', 'rectification', 'erasure', 'restriction', 'objection'));
alter table dsar_intakes add column source text not null default 'form' check (source in ('form', 'mail'));
alter table dsar_intakes add column verify_channel text not null default 'email'
  check (verify_channel in ('email', 'sms'));
alter table dsar_intakes add column phone_enc bytea;
alter table dsar_intakes add column locale text not null default 'en' check (locale in ('de', 'en', 'fr'));
-- Codes sent for this intake (a resend does not reset the lockout) and wrong codes in total.
alter table dsar_intakes add column code_sends integer not null default 0;
alter table dsar_intakes add column code_failures integer not null default 0;
-- The last state the requester was told about by e-mail (the leased reminder job).
alter table dsar_intakes add column notified_state text check (length(notified_state) <= 40);

-- A phone code proves control of the number on file, as a mail code does for the address.
alter table subject_requests drop constraint if exists subject_requests_identity_method_check;
alter table subject_requests add constraint subject_requests_identity_method_check
  check (identity_method in ('account_login', 'email_confirmation', 'sms_confirmation',
    'id_document_sighted', 'in_person', 'knowledge_based', 'other'));
