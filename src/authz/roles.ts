// Roles and what each may do: the single place where permissions are defined.
// Least privilege: platform and security roles administer, but never read customers' data.
import { AbilityBuilder, createMongoAbility, type MongoAbility } from '@casl/ability';

export const ROLES = [
  'agent',
  'supervisor',
  'tenant_admin',
  'security_officer',
  'dpo',
  'platform_admin',
  /** Quality reviews only (issue 29): scores pseudonymised conversations; raw access only by audited reveal. */
  'qa_reviewer',
] as const;
export type Role = (typeof ROLES)[number];

/** The roles a tenant grants (every role but platform_admin), as a literal list for schemas. */
export const TENANT_ROLES = [
  'agent',
  'supervisor',
  'tenant_admin',
  'security_officer',
  'dpo',
  'qa_reviewer',
] as const satisfies readonly Role[];

export type Action =
  | 'read'
  | 'create'
  | 'update'
  | 'delete'
  | 'manage'
  | 'reply'
  | 'reveal'
  | 'export'
  | 'erase'
  | 'suspend'
  | 'verify'
  /** Card capture: no role holds it; only the telephony integration's token reaches DTMF capture. */
  | 'capture';
export type Subject =
  | 'Conversation'
  | 'Customer'
  | 'Queue'
  | 'Membership'
  | 'User'
  | 'Session'
  | 'Tenant'
  | 'TenantSettings'
  | 'ApiToken'
  | 'AuditEvent'
  | 'AuditSink'
  | 'Alert'
  | 'SubjectRequest'
  | 'Report'
  | 'Call'
  | 'AccessPolicy'
  | 'Device'
  | 'Training'
  | 'Payment'
  | 'Compliance'
  | 'Consent'
  | 'AccessReview'
  /** Files held back by the malware scanner (issue 26). */
  | 'Quarantine'
  /** Security awareness (issue 27): phishing simulations and their individual results. */
  | 'Campaign'
  /** Mail a member reported as phishing; everyone reports, the security role reads. */
  | 'PhishReport'
  /** Awareness results in aggregate (per team and tenant, never named individuals). */
  | 'AwarenessMeasure'
  /** Training modules with content and a quiz (backed by a gate training). */
  | 'AwarenessModule'
  /** Quality reviews, scorecards, calibration (issue 29); agents' own feedback and disputes. */
  | 'QualityReview'
  | 'QualityFeedback'
  /** The review programme: scorecards, blind-review setting, calibrations, dispute resolution. */
  | 'QualityProgram'
  /** Consented, redacted, k-anonymous conversation exports for bot training. */
  | 'AutomationData'
  /** Privacy governance (issue 28): sub-processors and their notices; DPIAs, DSAR intake. */
  | 'SubProcessor'
  | 'Governance'
  | 'ProcessingAgreement'
  | 'all';

export type AppAbility = MongoAbility<[Action, Subject]>;

const PROFILE_FIELDS = [
  'id',
  'name',
  'emails',
  'phones',
  'language',
  'customerNumber',
  'notes',
  'consents',
  'createdAt',
] as const;
// Front-line roles see date of birth and address masked until caller verification unlocks them.
const FRONTLINE_FIELDS = [...PROFILE_FIELDS, 'dateOfBirth:masked', 'address:masked'] as const;

/** Customer fields per role; fields not listed are not returned at all. */
export const CUSTOMER_FIELDS = {
  agent: FRONTLINE_FIELDS,
  supervisor: FRONTLINE_FIELDS,
  dpo: [...PROFILE_FIELDS, 'dateOfBirth', 'address'],
} as const;

/** What agents and supervisors share: working conversations and customers. */
function grantFrontline(can: AbilityBuilder<AppAbility>['can'], fields: readonly string[]): void {
  can(['read', 'update', 'reply'], 'Conversation');
  can('read', 'Customer', [...fields]);
  can(['create', 'update', 'reveal', 'verify'], 'Customer');
  can(['create', 'read', 'update'], 'Payment');
  can('create', 'Consent');
}

function grant(role: Role, can: AbilityBuilder<AppAbility>['can']): void {
  switch (role) {
    case 'agent':
      grantFrontline(can, CUSTOMER_FIELDS.agent);
      can('read', 'Queue');
      can('create', 'Call');
      can('read', 'Training');
      can('create', 'PhishReport');
      can(['read', 'update'], 'QualityFeedback');
      return;
    case 'supervisor':
      grantFrontline(can, CUSTOMER_FIELDS.supervisor);
      can(['read', 'update'], 'Queue');
      can('read', 'Report');
      can('read', 'Session');
      can('read', 'Training');
      can(['read', 'update'], 'Device');
      can('create', 'PhishReport');
      can('read', 'AwarenessMeasure');
      can(['read', 'create', 'update', 'reveal'], 'QualityReview');
      can(['read', 'create', 'update'], 'QualityProgram');
      return;
    case 'qa_reviewer':
      // Samples and scores conversations in the pseudonymised view; no Conversation or Customer
      // permission, so every inbox, customer and translation route is closed to this role.
      can(['read', 'create', 'update', 'reveal'], 'QualityReview');
      return;
    case 'tenant_admin':
      can('manage', ['Queue', 'Membership', 'TenantSettings', 'ApiToken']);
      can('manage', 'AuditSink');
      can('read', ['User', 'Session']);
      can('manage', ['AccessPolicy', 'Device', 'Training']);
      can('manage', 'AccessReview');
      can('manage', 'AwarenessModule');
      can('create', 'PhishReport');
      can(['read', 'update'], ['SubProcessor', 'ProcessingAgreement']);
      can('read', 'Governance');
      return;
    case 'security_officer':
      can(['read', 'update'], 'Alert');
      can('read', ['AuditEvent', 'Session', 'User', 'Membership', 'Report']);
      can('manage', 'AuditSink');
      can('suspend', 'User');
      can('delete', 'Session');
      can('read', ['AccessPolicy', 'Device', 'Training']);
      can('read', 'Compliance');
      can('manage', 'AccessReview');
      can(['read', 'update', 'delete'], 'Quarantine');
      can('manage', ['Campaign', 'PhishReport', 'AwarenessMeasure', 'AwarenessModule']);
      // Reads DPIAs; closes change-triggered review items (update), never writes a DPIA (manage).
      can(['read', 'update'], 'Governance');
      return;
    case 'dpo':
      can('manage', 'SubjectRequest');
      can('read', 'Customer', [...CUSTOMER_FIELDS.dpo]);
      can(['export', 'erase', 'update'], 'Customer');
      can('export', 'AutomationData');
      can('read', ['AuditEvent', 'Report', 'Membership']);
      can('read', 'Training');
      can('manage', ['Compliance', 'Consent', 'AccessReview']);
      can('create', 'PhishReport');
      can(['read', 'update'], ['SubProcessor', 'ProcessingAgreement']);
      can('manage', 'Governance');
      return;
    case 'platform_admin':
      can('manage', ['Tenant', 'User', 'Membership']);
      can('read', ['Session', 'Alert']);
      can('delete', 'Session');
      can('suspend', 'User');
      can('manage', 'SubProcessor');
      return;
  }
}

export function abilityFor(roles: readonly Role[]): AppAbility {
  const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  for (const r of roles) grant(r, can);
  return build();
}

/**
 * Roles that read personal data: customers' (agent, supervisor, dpo) or staff's (security_officer:
 * audit trail, sessions, users). Granting one needs a second tenant admin's approval (four-eyes,
 * src/tenancy/role-grants.ts); tenant_admin administers and reads no personal data.
 */
export const DATA_READING_ROLES: readonly Role[] = [
  'agent',
  'supervisor',
  'dpo',
  'security_officer',
  // Pseudonymised by default, but a reveal shows the real conversation.
  'qa_reviewer',
];

export const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);
