// Alerts: the deduplicating book that turns findings into alerts (one open alert per rule and
// subject within the window; later findings append evidence) and the JSON shapes served by the API.
import { randomUUID } from 'node:crypto';
import { LruMap } from './bounded.ts';
import { RULE_TITLES } from './rules.ts';
import type { EventRef, Finding, ResponseAction, RuleId, Severity, SubjectType } from './types.ts';

export const ALERT_STATES = ['open', 'acknowledged', 'resolved', 'false_positive'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export type ActionStatus = 'none' | 'pending' | 'done' | 'failed';
export const isActive = (s: AlertState) => s === 'open' || s === 'acknowledged';

export interface AlertRecord {
  id: string;
  tenantId: string | null;
  ruleId: RuleId;
  severity: Severity;
  action: ResponseAction;
  actionStatus: ActionStatus;
  subjectType: SubjectType;
  subjectId: string;
  state: AlertState;
  observed: number;
  threshold: number;
  windowSeconds: number;
  firstSeenAt: number;
  lastSeenAt: number;
  dedupeUntil: number;
  evidenceCount: number;
  createdAt: number;
  updatedAt: number;
}

/** JSON-ready alert: ids as strings, times as ISO 8601. */
export interface AlertView {
  id: string;
  tenantId: string | null;
  ruleId: RuleId;
  title: string;
  severity: Severity;
  state: AlertState;
  action: ResponseAction;
  actionStatus: ActionStatus;
  subject: { type: SubjectType; id: string };
  observed: number;
  threshold: number;
  windowSeconds: number;
  evidenceCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface AlertComment {
  id: string;
  authorId: string | null;
  stateFrom: AlertState | null;
  stateTo: AlertState | null;
  body: string | null;
  createdAt: string;
}

export interface AlertDetail extends AlertView {
  /** References into the audit log (oldest first, capped); evidenceCount counts all. */
  evidence: EventRef[];
  comments: AlertComment[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function toAlertView(a: AlertRecord): AlertView {
  return {
    id: a.id,
    tenantId: a.tenantId,
    ruleId: a.ruleId,
    title: RULE_TITLES[a.ruleId],
    severity: a.severity,
    state: a.state,
    action: a.action,
    actionStatus: a.actionStatus,
    subject: { type: a.subjectType, id: a.subjectId },
    observed: a.observed,
    threshold: a.threshold,
    windowSeconds: a.windowSeconds,
    evidenceCount: a.evidenceCount,
    firstSeenAt: iso(a.firstSeenAt),
    lastSeenAt: iso(a.lastSeenAt),
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
  };
}

export const dedupeKey = (tenantId: string | null, ruleId: string, subjectType: string, subjectId: string) =>
  `${tenantId ?? '-'}|${ruleId}|${subjectType}|${subjectId}`;

interface Entry {
  alert: AlertRecord;
  evidenceKept: number;
}

export interface Applied {
  alert: AlertRecord;
  created: boolean;
  /** False once the alert holds maxEvidence references; the count still grows. */
  keepEvidence: boolean;
}

export class AlertBook {
  private readonly active: LruMap<Entry>;
  constructor(
    capacity: number,
    private readonly maxEvidence: number,
  ) {
    this.active = new LruMap<Entry>(capacity);
  }

  get size(): number {
    return this.active.size;
  }

  apply(f: Finding, now: number): Applied {
    const key = dedupeKey(f.tenantId, f.ruleId, f.subjectType, f.subjectId);
    const entry = this.active.get(key);
    const windowMs = f.windowSeconds * 1000;
    if (entry && isActive(entry.alert.state) && f.time <= entry.alert.dedupeUntil) {
      const a = entry.alert;
      a.observed = Math.max(a.observed, f.observed);
      a.lastSeenAt = Math.max(a.lastSeenAt, f.time);
      // A pattern that keeps going stays one alert: the window slides with the newest evidence.
      a.dedupeUntil = Math.max(a.dedupeUntil, f.time + windowMs);
      a.evidenceCount++;
      a.updatedAt = now;
      const keep = entry.evidenceKept < this.maxEvidence;
      if (keep) entry.evidenceKept++;
      this.active.set(key, entry);
      return { alert: a, created: false, keepEvidence: keep };
    }
    const alert: AlertRecord = {
      id: randomUUID(),
      tenantId: f.tenantId,
      ruleId: f.ruleId,
      severity: f.severity,
      action: f.action,
      actionStatus: 'none',
      subjectType: f.subjectType,
      subjectId: f.subjectId,
      state: 'open',
      observed: f.observed,
      threshold: f.threshold,
      windowSeconds: f.windowSeconds,
      firstSeenAt: f.time,
      lastSeenAt: f.time,
      dedupeUntil: f.time + windowMs,
      evidenceCount: 1,
      createdAt: now,
      updatedAt: now,
    };
    this.active.set(key, { alert, evidenceKept: 1 });
    return { alert, created: true, keepEvidence: true };
  }

  /** Re-registers an active alert loaded from the database after a restart. */
  restore(alert: AlertRecord): void {
    const key = dedupeKey(alert.tenantId, alert.ruleId, alert.subjectType, alert.subjectId);
    this.active.set(key, { alert, evidenceKept: alert.evidenceCount });
  }

  /** Mirrors a state change made through the API; closed alerts stop absorbing findings. */
  setState(
    alert: Pick<AlertRecord, 'id' | 'tenantId' | 'ruleId' | 'subjectType' | 'subjectId'>,
    state: AlertState,
  ): void {
    const key = dedupeKey(alert.tenantId, alert.ruleId, alert.subjectType, alert.subjectId);
    const entry = this.active.get(key);
    if (!entry || entry.alert.id !== alert.id) return;
    entry.alert.state = state;
    if (!isActive(state)) this.active.delete(key);
  }
}
