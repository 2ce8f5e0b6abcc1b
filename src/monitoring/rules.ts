// Default rule settings and validation of per-tenant overrides. Defaults are tuned so ordinary
// work stays quiet (an agent handling 30 conversations an hour and opening each customer once);
// tenants tighten or relax them with setRuleConfig.
import { invalidInput } from '../platform/errors.ts';
import { isValidSchedule } from './schedule.ts';
import {
  RESPONSE_ACTIONS,
  type ResponseAction,
  RULE_IDS,
  type RuleConfig,
  type RuleId,
  type RuleParams,
  SEVERITIES,
  type Severity,
} from './types.ts';

const rule = (
  threshold: number,
  windowSeconds: number,
  severity: Severity,
  action: ResponseAction = 'alert',
  params: RuleParams = {},
): RuleConfig => ({ enabled: true, threshold, windowSeconds, severity, action, params });

export const DEFAULT_RULES: Readonly<Record<RuleId, RuleConfig>> = {
  view_volume: rule(60, 3600, 'medium', 'alert', {
    ratioToHandled: 4,
    baselineFactor: 3,
    defaultHourlyViews: 40,
    minBaselineHours: 10,
    baselineSpanHours: 120,
  }),
  // Scripted scraping with a stolen session is stopped by a fresh MFA without suspending a human.
  view_burst: rule(50, 60, 'high', 'step-up'),
  out_of_scope: rule(3, 900, 'medium'),
  off_shift: rule(1, 3600, 'medium', 'alert', { graceMinutes: 15 }),
  new_device: rule(1, 86_400, 'low'),
  concurrent_sessions: rule(4, 12 * 3600, 'medium'),
  reveal_rate: rule(20, 600, 'high'),
  reveal_unassigned: rule(1, 3600, 'high'),
  bulk_export: rule(1000, 3600, 'high'),
  bulk_read: rule(100, 600, 'high'),
  failed_login_account: rule(10, 900, 'medium'),
  failed_login_ip: rule(30, 300, 'medium'),
  permission_change_off_window: rule(1, 3600, 'medium', 'alert', { changeWindow: null }),
  self_grant: rule(1, 3600, 'critical'),
  cockpit_tamper: rule(1, 3600, 'high'),
  cockpit_blocked_probing: rule(5, 600, 'medium'),
  cockpit_mass_viewing: rule(300, 3600, 'medium'),
  cockpit_foreign_tool: rule(1, 3600, 'high'),
  // Refusals by the tenant's network, device or training policy (src/identity/access-policy).
  access_policy_denied: rule(3, 900, 'medium'),
  // Caller verification (issue 9): a locked conversation is someone guessing a customer's answers.
  verification_locked: rule(1, 3600, 'medium'),
  verification_failures: rule(8, 900, 'medium'),
  // Card testing on the hosted payment page: many declines from one network.
  payment_declines: rule(5, 600, 'high'),
  malware_detected: rule(1, 3600, 'high'),
  file_scanner_down: rule(1, 3600, 'medium'),
  phishing_reported: rule(1, 3600, 'high'),
  // One open alert per queue and hour however many conversations miss the target (the book dedupes).
  sla_breach: rule(1, 3600, 'medium'),
};

/** Fixed, data-free titles for notifications and the UI. */
export const RULE_TITLES: Readonly<Record<RuleId, string>> = {
  view_volume: 'Record views far above handled workload',
  view_burst: 'Burst of customer profile views',
  out_of_scope: 'Repeated access attempts outside assigned queues or tenant',
  off_shift: 'Data access outside the scheduled shift',
  new_device: 'Session from a new device or network',
  concurrent_sessions: 'Many concurrent sessions',
  reveal_rate: 'High rate of revealed masked values',
  reveal_unassigned: 'Masked value revealed outside an assigned conversation',
  bulk_export: 'Large export volume',
  bulk_read: 'Many distinct customers read in a short time',
  failed_login_account: 'Burst of failed logins or MFA codes for an account',
  failed_login_ip: 'Burst of failed logins or MFA codes from one network',
  permission_change_off_window: 'Permission change outside the change window',
  self_grant: 'User granted a role to themselves',
  cockpit_tamper: 'Cockpit extension removed, disabled or silent during a live session',
  cockpit_blocked_probing: 'Repeated blocked paths in client tools',
  cockpit_mass_viewing: 'Very many client tool pages viewed',
  cockpit_foreign_tool: 'Client tool of a tenant the agent does not work for',
  access_policy_denied: 'Repeated requests refused by network, device or training policy',
  verification_locked: 'Caller verification locked after repeated failed answers',
  verification_failures: 'Many failed caller verification attempts by one user',
  payment_declines: 'Many declined card payments from one network',
  malware_detected: 'Inbound file quarantined (malware or disguised content)',
  file_scanner_down: 'Malware scanner unreachable: inbound files wait unscanned',
  phishing_reported: 'Suspicious mail reported by staff (kept encrypted for the security role)',
  sla_breach: 'Service-level target missed: a conversation waited longer than its queue allows',
};

const MAX_WINDOW_SECONDS = 7 * 86_400;
const isPosInt = (v: unknown, max: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max;
const isPosNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 1e6;

function validParams(p: unknown): RuleParams {
  if (p === undefined) return {};
  if (typeof p !== 'object' || p === null || Array.isArray(p))
    throw invalidInput('rule params must be an object');
  const out: RuleParams = {};
  for (const [k, v] of Object.entries(p)) {
    if (k === 'changeWindow') {
      if (v !== null && !isValidSchedule(v)) throw invalidInput('invalid change window');
      out.changeWindow = v as RuleParams['changeWindow'];
    } else if (
      [
        'ratioToHandled',
        'baselineFactor',
        'defaultHourlyViews',
        'minBaselineHours',
        'baselineSpanHours',
      ].includes(k)
    ) {
      if (!isPosNum(v))
        throw invalidInput('invalid rule parameter', [{ path: k, message: 'positive number' }]);
      (out as Record<string, number>)[k] = v as number;
    } else if (k === 'graceMinutes') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 240)
        throw invalidInput('invalid rule parameter', [{ path: k, message: '0..240' }]);
      out.graceMinutes = v;
    } else {
      throw invalidInput('unknown rule parameter', [{ path: k, message: 'unknown' }]);
    }
  }
  return out;
}

/** Merges a partial override over the defaults; throws invalid_input on anything malformed. */
export function resolveRuleConfig(ruleId: string, override: unknown): RuleConfig {
  if (!(RULE_IDS as readonly string[]).includes(ruleId)) throw invalidInput('unknown rule');
  const base = DEFAULT_RULES[ruleId as RuleId];
  if (override === undefined || override === null) return base;
  if (typeof override !== 'object' || Array.isArray(override))
    throw invalidInput('rule config must be an object');
  const o = override as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['enabled', 'threshold', 'windowSeconds', 'severity', 'action', 'params'].includes(k))
      throw invalidInput('unknown rule setting', [{ path: k, message: 'unknown' }]);
  }
  if (o.enabled !== undefined && typeof o.enabled !== 'boolean')
    throw invalidInput('enabled must be boolean');
  if (o.threshold !== undefined && !isPosInt(o.threshold, 1_000_000)) throw invalidInput('invalid threshold');
  if (o.windowSeconds !== undefined && !isPosInt(o.windowSeconds, MAX_WINDOW_SECONDS))
    throw invalidInput('invalid window');
  if (o.severity !== undefined && !(SEVERITIES as readonly unknown[]).includes(o.severity))
    throw invalidInput('invalid severity');
  if (o.action !== undefined && !(RESPONSE_ACTIONS as readonly unknown[]).includes(o.action))
    throw invalidInput('invalid action');
  return {
    enabled: (o.enabled as boolean | undefined) ?? base.enabled,
    threshold: (o.threshold as number | undefined) ?? base.threshold,
    windowSeconds: (o.windowSeconds as number | undefined) ?? base.windowSeconds,
    severity: (o.severity as Severity | undefined) ?? base.severity,
    action: (o.action as ResponseAction | undefined) ?? base.action,
    params: { ...base.params, ...validParams(o.params) },
  };
}

/** The part of a config that differs from the defaults (what gets persisted). */
export type RuleOverride = Partial<Omit<RuleConfig, 'params'>> & { params?: RuleParams };
