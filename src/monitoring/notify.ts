// Notifications for new alerts: HMAC-signed webhooks, e-mail through an injected sender, and an
// OCSF Detection Finding handed to the SIEM exporter. Payloads carry ids and counts only.
import { webhookSignatureHeaders } from '../platform/webhook-signature.ts';
import { ALERT_TEXT, type AlertLocale } from './alert-text.ts';
import type { AlertView } from './alerts.ts';
import type { Severity } from './types.ts';

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number }>;

export interface NotifyDeps {
  /** Webhooks for a tenant (null: platform alerts). */
  webhooks?: (tenantId: string | null) => WebhookTarget[];
  fetch?: FetchLike;
  sendMail?: (msg: MailMessage) => Promise<void>;
  /** Security-officer addresses for a tenant; configuration, never taken from events. */
  mailRecipients?: (tenantId: string | null) => string[];
  /** Alerts below this severity are not e-mailed (default 'medium'). */
  mailMinSeverity?: Severity;
  /** SIEM hook: receives the alert and its OCSF Detection Finding. */
  onAlert?: (alert: AlertView, finding: OcsfDetectionFinding) => void | Promise<void>;
  /** Base URL of the console for links in e-mails. */
  consoleUrl?: string;
}

export { SIGNATURE_HEADER, signWebhook, verifyWebhook } from '../platform/webhook-signature.ts';

const OCSF_SEVERITY: Record<Severity, number> = { low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export interface OcsfDetectionFinding {
  class_uid: 2004;
  class_name: 'Detection Finding';
  category_uid: 2;
  activity_id: 1;
  type_uid: 200401;
  severity_id: number;
  severity: string;
  status_id: 1;
  time: number;
  metadata: { version: string; product: { name: string; vendor_name: string }; tenant_uid?: string };
  finding_info: {
    uid: string;
    title: string;
    types: string[];
    created_time: number;
    first_seen_time: number;
    last_seen_time: number;
  };
  actor?: { user: { uid: string } };
  unmapped: Record<string, string | number>;
}

export function toOcsfDetectionFinding(a: AlertView): OcsfDetectionFinding {
  const created = Date.parse(a.createdAt);
  return {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    activity_id: 1,
    type_uid: 200401,
    severity_id: OCSF_SEVERITY[a.severity],
    severity: a.severity.charAt(0).toUpperCase() + a.severity.slice(1),
    status_id: 1,
    time: created,
    metadata: {
      version: '1.3.0',
      product: { name: 'Vigil', vendor_name: 'Vigil' },
      ...(a.tenantId ? { tenant_uid: a.tenantId } : {}),
    },
    finding_info: {
      uid: a.id,
      title: a.title,
      types: [`vigil.monitoring.${a.ruleId}`],
      created_time: created,
      first_seen_time: Date.parse(a.firstSeenAt),
      last_seen_time: Date.parse(a.lastSeenAt),
    },
    ...(a.subject.type === 'user' ? { actor: { user: { uid: a.subject.id } } } : {}),
    unmapped: {
      rule_id: a.ruleId,
      observed: a.observed,
      threshold: a.threshold,
      window_seconds: a.windowSeconds,
      response_action: a.action,
      subject_type: a.subject.type,
      ...(a.subject.type === 'ip_range' ? { network_pseudonym: a.subject.id } : {}),
    },
  };
}

export const atOrAbove = (severity: Severity, min: Severity) => SEVERITY_RANK[severity] >= SEVERITY_RANK[min];

/** One signed POST of the alert; throws unless the receiver answers 2xx. */
export async function postAlertWebhook(
  send: FetchLike,
  hook: WebhookTarget,
  alert: AlertView,
  nowMs: number,
): Promise<void> {
  const body = JSON.stringify({ type: 'monitoring.alert.created', alert });
  const r = await send(hook.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...webhookSignatureHeaders(hook.secret, body, nowMs) },
    body,
    signal: AbortSignal.timeout(5000),
  });
  if (!r.ok) throw new Error(`webhook status ${r.status}`);
}

/** The alert e-mail: ids, counts and the rule's fixed title only, in the recipients' language. */
export function alertMail(
  alert: AlertView,
  to: string[],
  consoleUrl?: string,
  locale: AlertLocale = 'en',
): MailMessage {
  const t = ALERT_TEXT[locale];
  const link = consoleUrl ? `\n${consoleUrl.replace(/\/$/, '')}/alerts/${alert.id}` : '';
  const severity = t.severity[alert.severity];
  return {
    to,
    subject: `[Vigil ${severity}] ${t.titles[alert.ruleId] ?? alert.title}`,
    text: `${t.alert} ${alert.id}\n${t.rule}${t.colon}${alert.ruleId}\n${t.severityLabel}${t.colon}${severity}\n${t.observed(alert.observed, alert.threshold, alert.windowSeconds)}\n${t.response}${t.colon}${alert.action}${link}\n`,
  };
}

/** Sends every notification for a new alert; failures are reported, never thrown. */
export async function notifyNewAlert(
  deps: NotifyDeps,
  alert: AlertView,
  nowMs: number,
  onError: (e: unknown, where: string) => void,
): Promise<void> {
  const jobs: Promise<unknown>[] = [];
  if (deps.onAlert) {
    const ocsf = toOcsfDetectionFinding(alert);
    jobs.push(Promise.resolve().then(() => deps.onAlert!(alert, ocsf)));
  }
  const hooks = deps.webhooks?.(alert.tenantId) ?? [];
  const send = deps.fetch ?? (globalThis.fetch as unknown as FetchLike);
  for (const hook of hooks) jobs.push(postAlertWebhook(send, hook, alert, nowMs));
  const to = deps.mailRecipients?.(alert.tenantId) ?? [];
  if (deps.sendMail && to.length > 0 && atOrAbove(alert.severity, deps.mailMinSeverity ?? 'medium'))
    jobs.push(deps.sendMail(alertMail(alert, to, deps.consoleUrl)));
  const results = await Promise.allSettled(jobs);
  for (const r of results) if (r.status === 'rejected') onError(r.reason, 'notify');
}
