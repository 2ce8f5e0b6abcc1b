// The monitoring service: evaluates each audit event synchronously, turns findings into
// deduplicated alerts, starts response actions at once, and persists through an async queue so
// the audit path never waits on the database.

import type { Database } from '../platform/db.ts';
import { invalidInput, notFound, VigilError } from '../platform/errors.ts';
import {
  ALERT_STATES,
  AlertBook,
  type AlertDetail,
  type AlertRecord,
  type AlertState,
  type AlertView,
  isActive,
  toAlertView,
} from './alerts.ts';
import { LruMap } from './bounded.ts';
import {
  type ActivityCounts,
  type Clock,
  createDetector,
  type Detector,
  type DetectorOptions,
} from './detector.ts';
import { type NotifyDeps, notifyNewAlert } from './notify.ts';
import { type RuleOverride, resolveRuleConfig } from './rules.ts';
import { isValidSchedule } from './schedule.ts';
import * as store from './store.ts';
import {
  type Finding,
  isRuleId,
  type MonitoredEvent,
  RULE_IDS,
  type RuleConfig,
  type RuleId,
  type Schedule,
} from './types.ts';

export interface ResponseActions {
  /** Suspends the user's membership in `tenantId`, or the account when no tenant is named. */
  suspendUser(userId: string, reason: string, tenantId: string | null): Promise<void>;
  requireStepUp(userId: string): Promise<void>;
}

export interface MonitorConfig extends DetectorOptions {
  /** Longest time a new alert waits before it is written (default 200 ms; must stay under 1 s). */
  flushDelayMs?: number;
  /** Evidence references kept per alert; the count keeps growing beyond it. */
  maxEvidencePerAlert?: number;
  /** Evidence references waiting for the database before new ones are dropped (and counted). */
  maxQueuedEvidence?: number;
}

export interface MonitorDeps {
  db: Database;
  clock?: Clock;
  actions: ResponseActions;
  notify?: NotifyDeps;
  config?: MonitorConfig;
  /** Error sink (logger). Receives errors and a fixed location string, never event contents. */
  onError?: (e: unknown, where: string) => void;
}

export interface RuleConfigView extends RuleConfig {
  ruleId: RuleId;
}

export interface AgentActivitySummary extends ActivityCounts {
  tenantId: string;
  userId: string;
  at: string;
  openAlerts: number;
  acknowledgedAlerts: number;
}

export interface MonitorStats {
  eventsIngested: number;
  findings: number;
  alertsCreated: number;
  queuedAlerts: number;
  queuedEvidence: number;
  droppedEvidence: number;
  persistFailures: number;
  detectorStateSize: number;
}

export interface Monitor {
  /** Evaluates one audit event; never throws and never waits. Returns the findings. */
  ingest(event: MonitoredEvent): Finding[];
  listAlerts(
    tenantId: string | null,
    filters?: store.AlertFilters,
  ): Promise<{ items: AlertView[]; nextCursor: string | null }>;
  getAlert(tenantId: string | null, alertId: string): Promise<AlertDetail>;
  updateAlert(
    tenantId: string | null,
    alertId: string,
    change: { state?: AlertState; comment?: string },
    actor: { userId: string },
  ): Promise<AlertDetail>;
  agentActivitySummary(tenantId: string, userId: string): Promise<AgentActivitySummary>;
  getRuleConfigs(tenantId: string): RuleConfigView[];
  /** null restores the default. */
  setRuleConfig(
    tenantId: string,
    ruleId: string,
    override: RuleOverride | null,
    actorId?: string,
  ): Promise<RuleConfigView>;
  /** null removes the schedule (the user is then never flagged as off shift). */
  setShifts(tenantId: string, userId: string, schedule: Schedule | null): Promise<void>;
  /** Waits until queued alerts, evidence, actions and notifications are done. */
  flush(): Promise<void>;
  stats(): MonitorStats;
  close(): Promise<void>;
  readonly detector: Detector;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRANSITIONS: Record<AlertState, AlertState[]> = {
  open: ['acknowledged', 'resolved', 'false_positive'],
  acknowledged: ['open', 'resolved', 'false_positive'],
  resolved: [],
  false_positive: [],
};

export async function createMonitor(deps: MonitorDeps): Promise<Monitor> {
  const { db, actions } = deps;
  const clock = deps.clock ?? { now: Date.now };
  const cfg = deps.config ?? {};
  const onError = deps.onError ?? (() => {});
  const flushDelay = Math.min(cfg.flushDelayMs ?? 200, 900);
  const maxQueuedEvidence = cfg.maxQueuedEvidence ?? 100_000;
  const detector = createDetector(cfg, clock);
  const book = new AlertBook(cfg.maxKeysPerRule ?? 100_000, cfg.maxEvidencePerAlert ?? 500);
  // One suspension or step-up per user per window, even when several rules fire together.
  const acted = new LruMap<number>(100_000);

  const dirty = new Map<string, AlertRecord>();
  const created = new Set<string>();
  let evidence: { tenantId: string | null; alertId: string; seq: string }[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let closed = false;
  const stats = { eventsIngested: 0, findings: 0, alertsCreated: 0, droppedEvidence: 0, persistFailures: 0 };

  const track = (p: Promise<unknown>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  function schedule(delay = flushDelay): void {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void runFlush().catch(() => {});
    }, delay);
    timer.unref?.();
  }

  function respond(alert: AlertRecord): void {
    if (alert.action === 'alert' || alert.subjectType !== 'user') return;
    const key = `${alert.action}|${alert.subjectId}`;
    const until = acted.get(key);
    if (until !== undefined && until > alert.lastSeenAt) {
      alert.actionStatus = 'done'; // already applied by an earlier alert in this window
      return;
    }
    acted.set(key, alert.lastSeenAt + alert.windowSeconds * 1000);
    alert.actionStatus = 'pending';
    const reason = `monitoring:${alert.ruleId}:${alert.id}`;
    const run =
      alert.action === 'suspend'
        ? actions.suspendUser(alert.subjectId, reason, alert.tenantId)
        : actions.requireStepUp(alert.subjectId);
    track(
      Promise.resolve(run)
        .then(
          () => {
            alert.actionStatus = 'done';
          },
          (e: unknown) => {
            alert.actionStatus = 'failed';
            acted.delete(key); // let the next finding try again
            onError(e, `monitoring.action.${alert.action}`);
          },
        )
        .finally(() => {
          dirty.set(alert.id, alert);
          schedule();
        }),
    );
  }

  function ingest(event: MonitoredEvent): Finding[] {
    try {
      stats.eventsIngested++;
      const findings = detector.evaluate(event);
      if (findings.length === 0) return findings;
      const now = clock.now();
      for (const f of findings) {
        stats.findings++;
        const { alert, created: isNew, keepEvidence } = book.apply(f, now);
        dirty.set(alert.id, alert);
        if (isNew) {
          stats.alertsCreated++;
          created.add(alert.id);
          respond(alert);
        }
        if (keepEvidence) {
          if (evidence.length < maxQueuedEvidence)
            evidence.push({ tenantId: alert.tenantId, alertId: alert.id, seq: f.evidence.seq });
          else stats.droppedEvidence++;
        }
      }
      schedule();
      return findings;
    } catch (e) {
      onError(e, 'monitoring.ingest');
      return [];
    }
  }

  async function persistOnce(): Promise<void> {
    const alerts = [...dirty.values()];
    dirty.clear();
    const refs = evidence;
    evidence = [];
    const fresh = alerts.filter((a) => created.has(a.id));
    for (const a of fresh) created.delete(a.id);
    const byTenant = new Map<
      string | null,
      { alerts: AlertRecord[]; refs: { alertId: string; seq: string }[] }
    >();
    const group = (t: string | null) => {
      const g = byTenant.get(t) ?? { alerts: [], refs: [] };
      byTenant.set(t, g);
      return g;
    };
    for (const a of alerts) group(a.tenantId).alerts.push({ ...a });
    for (const r of refs) group(r.tenantId).refs.push(r);
    for (const [tenantId, g] of byTenant) {
      try {
        await store.inScope(db, tenantId, async (tx) => {
          await store.upsertAlerts(tx, tenantId, g.alerts);
          await store.insertEvidence(tx, tenantId, g.refs);
        });
      } catch (e) {
        // Keep the work for the next attempt; alerts newer in memory win over the failed copy.
        stats.persistFailures++;
        for (const a of g.alerts) {
          const live = alerts.find((x) => x.id === a.id);
          if (live && !dirty.has(a.id)) dirty.set(a.id, live);
          if (fresh.some((x) => x.id === a.id)) created.add(a.id);
        }
        for (const r of g.refs) {
          if (evidence.length < maxQueuedEvidence) evidence.push({ tenantId, ...r });
          else stats.droppedEvidence++;
        }
        onError(e, 'monitoring.persist');
        continue;
      }
      for (const a of fresh)
        if (a.tenantId === tenantId)
          track(notifyNewAlert(deps.notify ?? {}, toAlertView(a), clock.now(), onError));
    }
    await persistLearning();
    if (dirty.size > 0 || evidence.length > 0) schedule(Math.max(flushDelay, 1000));
  }

  // Baselines and devices are best effort: a failure is reported and never blocks alerts.
  async function persistLearning(): Promise<void> {
    const baselines = detector.drainBaselines().filter((b) => b.tenantId !== null);
    const byTenant = new Map<string, typeof baselines>();
    for (const b of baselines) {
      const list = byTenant.get(b.tenantId!) ?? [];
      list.push(b);
      byTenant.set(b.tenantId!, list);
    }
    for (const [tenantId, list] of byTenant) {
      await db
        .withTenant(tenantId, (tx) => store.upsertBaselines(tx, tenantId, list))
        .catch((e) => onError(e, 'monitoring.baselines'));
    }
    const devices = detector.drainKnownDevices();
    if (devices.length > 0)
      await db
        .withPlatform((tx) => store.upsertDevices(tx, devices))
        .catch((e) => onError(e, 'monitoring.devices'));
  }

  function runFlush(): Promise<void> {
    if (!flushing) {
      flushing = persistOnce().finally(() => {
        flushing = undefined;
      });
    }
    return flushing;
  }

  async function flush(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      await Promise.allSettled([...inFlight]);
      if (flushing) await flushing.catch(() => {});
      await runFlush();
      if (dirty.size === 0 && evidence.length === 0 && inFlight.size === 0) return;
    }
  }

  async function loadDetail(tenantId: string | null, id: string): Promise<AlertDetail> {
    if (!UUID.test(id)) throw notFound('alert');
    return store.inScope(db, tenantId, async (tx) => {
      const a = await store.selectAlert(tx, tenantId, id);
      if (!a) throw notFound('alert');
      return {
        ...toAlertView(a),
        evidence: await store.selectEvidence(tx, tenantId, id),
        comments: await store.selectComments(tx, tenantId, id),
      };
    });
  }

  // Start-up: configuration, baselines, known devices and still-active alerts (so a restart does
  // not open duplicates for a pattern that is already being handled).
  const now = clock.now();
  const tenants = await db.withPlatform(async (tx) => {
    for (const d of await store.selectDevices(tx))
      detector.seedKnownDevices(d.user_id, [{ kind: d.kind, valueHash: d.value_hash }]);
    for (const a of await store.selectActiveAlerts(tx, null, now)) book.restore(a);
    return store.selectTenantIds(tx);
  });
  for (const { id: tenantId } of tenants) {
    await db.withTenant(tenantId, async (tx) => {
      for (const r of await store.selectRuleConfigs(tx)) {
        if (!isRuleId(r.rule_id)) continue;
        try {
          detector.setRuleConfig(tenantId, r.rule_id, r.config as RuleOverride);
        } catch (e) {
          onError(e, 'monitoring.load.rule'); // a stored override that no longer validates keeps the default
        }
      }
      for (const s of await store.selectShifts(tx)) {
        const schedule = { timeZone: s.time_zone, slots: s.slots };
        if (isValidSchedule(schedule)) detector.setSchedule(tenantId, s.user_id, schedule);
      }
      for (const b of await store.selectBaselines(tx))
        detector.seedBaseline(tenantId, b.user_id, {
          hourlyMean: Number(b.hourly_mean),
          hourlyVar: Number(b.hourly_var),
          samples: Number(b.samples),
        });
      for (const a of await store.selectActiveAlerts(tx, tenantId, now)) book.restore(a);
    });
  }

  const ruleView = (tenantId: string, ruleId: RuleId): RuleConfigView => ({
    ruleId,
    ...detector.ruleConfig(tenantId, ruleId),
  });

  return {
    detector,
    ingest,
    flush,
    async listAlerts(tenantId, filters = {}) {
      if (filters.state && !(ALERT_STATES as readonly string[]).includes(filters.state))
        throw invalidInput('invalid state');
      if (filters.ruleId && !isRuleId(filters.ruleId)) throw invalidInput('unknown rule');
      const page = await store.inScope(db, tenantId, (tx) => store.selectAlerts(tx, tenantId, filters));
      return { items: page.items.map(toAlertView), nextCursor: page.nextCursor };
    },
    getAlert: (tenantId, alertId) => loadDetail(tenantId, alertId),
    async updateAlert(tenantId, alertId, change, actor) {
      if (!UUID.test(alertId)) throw notFound('alert');
      if (!UUID.test(actor.userId)) throw invalidInput('invalid actor');
      const body = change.comment?.trim() || null;
      if (body && body.length > 2000) throw invalidInput('comment too long');
      if (change.state && !(ALERT_STATES as readonly string[]).includes(change.state))
        throw invalidInput('invalid state');
      if (!change.state && !body) throw invalidInput('nothing to change');
      await flush(); // the alert may still be in the write queue
      const updated = await store.inScope(db, tenantId, async (tx) => {
        const a = await store.selectAlert(tx, tenantId, alertId, true);
        if (!a) throw notFound('alert');
        // Nobody triages an alert about themselves.
        if (a.subjectType === 'user' && a.subjectId === actor.userId)
          throw new VigilError('forbidden', 'cannot handle an alert about yourself');
        const to = change.state && change.state !== a.state ? change.state : null;
        if (to && !TRANSITIONS[a.state].includes(to))
          throw new VigilError('conflict', 'alert state change not allowed');
        const at = clock.now();
        if (to) await store.setAlertState(tx, tenantId, alertId, to, at);
        await store.insertComment(tx, tenantId, {
          alertId,
          authorId: actor.userId,
          stateFrom: to ? a.state : null,
          stateTo: to,
          body,
          at,
        });
        return { ...a, state: to ?? a.state };
      });
      book.setState(updated, updated.state);
      if (!isActive(updated.state)) dirty.delete(updated.id);
      return loadDetail(tenantId, alertId);
    },
    async agentActivitySummary(tenantId, userId) {
      if (!UUID.test(userId)) throw invalidInput('invalid user');
      const at = clock.now();
      const counts = await db.withTenant(tenantId, (tx) => store.countOpenAlertsFor(tx, tenantId, userId));
      return {
        tenantId,
        userId,
        at: new Date(at).toISOString(),
        ...detector.activity(tenantId, userId, at),
        openAlerts: counts.open ?? 0,
        acknowledgedAlerts: counts.acknowledged ?? 0,
      };
    },
    getRuleConfigs: (tenantId) => RULE_IDS.map((id) => ruleView(tenantId, id)),
    async setRuleConfig(tenantId, ruleId, override, actorId) {
      if (!isRuleId(ruleId)) throw invalidInput('unknown rule');
      if (override !== null) resolveRuleConfig(ruleId, override); // validate before writing
      await db.withTenant(tenantId, (tx) =>
        override === null
          ? store.deleteRuleConfig(tx, tenantId, ruleId)
          : store.upsertRuleConfig(tx, tenantId, ruleId, override, actorId ?? null),
      );
      detector.setRuleConfig(tenantId, ruleId, override);
      return ruleView(tenantId, ruleId);
    },
    async setShifts(tenantId, userId, schedule) {
      if (!UUID.test(userId)) throw invalidInput('invalid user');
      if (schedule !== null && !isValidSchedule(schedule)) throw invalidInput('invalid shift schedule');
      await db.withTenant(tenantId, (tx) =>
        schedule === null
          ? store.deleteShift(tx, tenantId, userId)
          : store.upsertShift(tx, tenantId, userId, schedule),
      );
      detector.setSchedule(tenantId, userId, schedule);
    },
    stats: () => ({
      ...stats,
      queuedAlerts: dirty.size,
      queuedEvidence: evidence.length,
      detectorStateSize: detector.stateSize(),
    }),
    async close() {
      await flush();
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
