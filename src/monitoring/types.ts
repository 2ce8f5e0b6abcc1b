// Input and output shapes of the monitoring engine. The input mirrors the audit event so the audit
// stream can be connected without this module depending on src/audit.

export type ActorType = 'user' | 'service' | 'system' | 'visitor';
export type Outcome = 'success' | 'failure' | 'denied';
export type MetaValue = string | number | boolean | null;

export interface MonitoredEvent {
  /** null: a platform event (logins before a tenant is chosen, platform administration). */
  tenantId: string | null;
  seq: number | bigint | string;
  time: Date | string | number;
  actorType: ActorType;
  actorId: string | null;
  /** e.g. 'customer.read', 'value.reveal', 'authz.denied', 'auth.login', 'membership.grant'. */
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: Outcome;
  reason?: string | null;
  ip?: string | null;
  uaHash?: string | null;
  requestId?: string | null;
  /** Ids and counts only, e.g. { assigned: false }, { count: 1200 }, { targetUserId }. */
  meta?: Record<string, MetaValue> | null;
}

/** A pointer into the audit log. Alerts carry these, never the personal data itself. */
export interface EventRef {
  tenantId: string | null;
  seq: string;
}

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const RESPONSE_ACTIONS = ['alert', 'step-up', 'suspend'] as const;
export type ResponseAction = (typeof RESPONSE_ACTIONS)[number];

export const RULE_IDS = [
  'view_volume',
  'view_burst',
  'out_of_scope',
  'off_shift',
  'new_device',
  'concurrent_sessions',
  'reveal_rate',
  'reveal_unassigned',
  'bulk_export',
  'bulk_read',
  'failed_login_account',
  'failed_login_ip',
  'permission_change_off_window',
  'self_grant',
  // Vigil Cockpit (src/cockpit): client tools used through the browser extension.
  'cockpit_tamper',
  'cockpit_blocked_probing',
  'cockpit_mass_viewing',
  'cockpit_foreign_tool',
  'access_policy_denied',
  'verification_locked',
  'verification_failures',
  'payment_declines',
  // Inbound files (src/malware): a quarantined file, the scanner unreachable.
  'malware_detected',
  'file_scanner_down',
  // Security awareness (src/awareness): an agent reported a real (not simulated) phishing mail.
  'phishing_reported',
  // Service levels (src/conversations/service-levels.ts): a queue's conversation waited past its target.
  'sla_breach',
] as const;
export type RuleId = (typeof RULE_IDS)[number];
export const isRuleId = (s: string): s is RuleId => (RULE_IDS as readonly string[]).includes(s);

/** Weekly schedule in a local time zone; a slot whose end <= start runs past midnight. */
export interface ShiftSlot {
  /** ISO weekdays (1 = Monday … 7 = Sunday) on which the slot starts. */
  days: number[];
  /** Local wall-clock 'HH:MM'. */
  start: string;
  end: string;
}
export interface Schedule {
  /** IANA zone, e.g. 'Europe/Berlin'. */
  timeZone: string;
  slots: ShiftSlot[];
}

export interface RuleParams {
  /** view_volume: views per handled conversation before the workload check trips. */
  ratioToHandled?: number;
  /** view_volume: multiple of the learned hourly baseline. */
  baselineFactor?: number;
  /** view_volume: hourly views assumed for agents without enough history. */
  defaultHourlyViews?: number;
  /** view_volume: active hours of history before the learned baseline is trusted. */
  minBaselineHours?: number;
  /** view_volume: EWMA span in active hours (~3 weeks of 40 h). */
  baselineSpanHours?: number;
  /** off_shift: tolerance before and after a shift. */
  graceMinutes?: number;
  /** permission_change_off_window: when membership changes are expected. */
  changeWindow?: Schedule | null;
}

export interface RuleConfig {
  enabled: boolean;
  /** The rule fires when the observed value reaches this. */
  threshold: number;
  windowSeconds: number;
  severity: Severity;
  action: ResponseAction;
  params: RuleParams;
}

export type SubjectType = 'user' | 'ip_range' | 'file' | 'scanner' | 'phish_report' | 'queue';

/** One rule match on one event. The alert book turns findings into deduplicated alerts. */
export interface Finding {
  ruleId: RuleId;
  tenantId: string | null;
  subjectType: SubjectType;
  /** A user id, or a keyed hash of an IP range (never the address). */
  subjectId: string;
  severity: Severity;
  action: ResponseAction;
  observed: number;
  threshold: number;
  windowSeconds: number;
  /** Event time in epoch ms. */
  time: number;
  evidence: EventRef;
}
