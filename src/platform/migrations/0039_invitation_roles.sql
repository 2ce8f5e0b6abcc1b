-- Invitations (0037) and the QA reviewer role (0035) were written side by side: an invitation may
-- name every tenant role, qa_reviewer included (it waits for a second admin like the other
-- data-reading roles).
alter table user_invitations drop constraint if exists user_invitations_role_check;
alter table user_invitations add constraint user_invitations_role_check
  check (role in ('agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo', 'qa_reviewer'));
