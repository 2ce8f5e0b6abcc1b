// The pure detector core: evaluate(event) → findings, synchronously, with bounded state.
// No I/O here; the service persists, deduplicates into alerts and runs response actions.
import { AgentBaseline, type BaselineSnapshot } from './baseline.ts';
import { DistinctWindow, LruMap, WindowCounter } from './bounded.ts';
import { ipRange, pseudonym } from './network.ts';
import { DEFAULT_RULES, type RuleOverride, resolveRuleConfig } from './rules.ts';
import { isWithinSchedule } from './schedule.ts';
import type {
  EventRef,
  Finding,
  MetaValue,
  MonitoredEvent,
  RuleConfig,
  RuleId,
  Schedule,
  SubjectType,
} from './types.ts';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface DetectorOptions {
  /** Overrides applied to every tenant that has no setting of its own. */
  defaults?: Partial<Record<RuleId, RuleOverride>>;
  /** Keys tracked per rule before the least recently active is evicted. */
  maxKeysPerRule?: number;
  /** Known devices and networks remembered per user. */
  maxDevicesPerUser?: number;
  /** Key for pseudonymous network ids; keep stable across restarts. */
  hashKey?: string;
}

export interface DeviceRecord {
  userId: string;
  kind: 'ua' | 'ip_range';
  valueHash: string;
  time: number;
}

export interface BaselineRecord extends BaselineSnapshot {
  tenantId: string | null;
  userId: string;
}

export interface ActivityCounts {
  viewsLastHour: number;
  handledConversationsLastHour: number;
  profileViewsLastMinute: number;
  distinctCustomersInWindow: number;
  revealsInWindow: number;
  deniedInWindow: number;
  offShiftAccessInWindow: number;
  activeSessions: number;
  baselineHourlyViews: number;
  baselineHours: number;
}

export interface Detector {
  evaluate(event: MonitoredEvent): Finding[];
  ruleConfig(tenantId: string | null, ruleId: RuleId): RuleConfig;
  setRuleConfig(tenantId: string | null, ruleId: RuleId, override: RuleOverride | null): RuleConfig;
  setSchedule(tenantId: string, userId: string, schedule: Schedule | null): void;
  seedBaseline(tenantId: string | null, userId: string, snapshot: BaselineSnapshot): void;
  seedKnownDevices(userId: string, devices: { kind: 'ua' | 'ip_range'; valueHash: string }[]): void;
  /** Baselines that learned since the last call (for persistence). */
  drainBaselines(): BaselineRecord[];
  /** Devices first seen since the last call (for persistence). */
  drainKnownDevices(): DeviceRecord[];
  activity(tenantId: string, userId: string, at?: number): ActivityCounts;
  /** Entries held for the live stream (keys plus inner set members); configuration excluded. */
  stateSize(): number;
  /** The most stateSize() can reach with the configured caps. */
  stateBound(): number;
}

type CounterRule = Exclude<RuleId, 'view_volume' | 'bulk_read' | 'concurrent_sessions'>;
const COUNTER_RULES: CounterRule[] = [
  'view_burst',
  'out_of_scope',
  'off_shift',
  'new_device',
  'reveal_rate',
  'reveal_unassigned',
  'bulk_export',
  'failed_login_account',
  'failed_login_ip',
  'permission_change_off_window',
  'self_grant',
  'cockpit_tamper',
  'cockpit_blocked_probing',
  'cockpit_mass_viewing',
  'cockpit_foreign_tool',
  'access_policy_denied',
  'verification_locked',
  'verification_failures',
  'payment_declines',
  'malware_detected',
  'file_scanner_down',
  'phishing_reported',
  'sla_breach',
];

const HANDLED_CAP = 256; // more conversations per hour than any person handles
const DISTINCT_CAP = 1000;
const SESSION_CAP = 64;
const PENDING_CAP = 10_000;

const DATA_ACCESS = new Set([
  'customer.read',
  'conversation.read',
  'customer.search',
  'customer.export',
  'value.reveal',
  'conversation.reply',
  'cockpit.visit',
]);

interface AgentVolume {
  views: WindowCounter;
  handled: DistinctWindow;
}

interface Ev {
  tenantId: string | null;
  tk: string;
  t: number;
  ref: EventRef;
  actorId: string | null;
  isUser: boolean;
  src: MonitoredEvent;
}

const str = (v: MetaValue | undefined): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

function eventTime(time: MonitoredEvent['time'], clock: Clock): number {
  const t = typeof time === 'number' ? time : time instanceof Date ? time.getTime() : Date.parse(time);
  return Number.isFinite(t) ? t : clock.now();
}

export function createDetector(options: DetectorOptions = {}, clock: Clock = { now: Date.now }): Detector {
  const maxKeys = options.maxKeysPerRule ?? 100_000;
  const maxDevices = options.maxDevicesPerUser ?? 32;
  const hashKey = options.hashKey ?? 'vigil-monitoring-dev-key';

  const base = {} as Record<RuleId, RuleConfig>;
  for (const id of Object.keys(DEFAULT_RULES) as RuleId[])
    base[id] = resolveRuleConfig(id, options.defaults?.[id]);
  const overrides = new Map<string, Map<RuleId, RuleConfig>>();
  const schedules = new Map<string, Schedule>();

  const counters = {} as Record<CounterRule, LruMap<WindowCounter>>;
  for (const id of COUNTER_RULES) counters[id] = new LruMap<WindowCounter>(maxKeys);
  const volume = new LruMap<AgentVolume>(maxKeys);
  const distinct = new LruMap<DistinctWindow>(maxKeys);
  const sessions = new LruMap<DistinctWindow>(maxKeys);
  const devices = new LruMap<Set<string>>(maxKeys);
  const pendingDevices: DeviceRecord[] = [];
  const evictedBaselines: BaselineRecord[] = [];
  const baselines = new LruMap<AgentBaseline>(maxKeys, (_k, b) => {
    if (b.dirty && evictedBaselines.length < PENDING_CAP)
      evictedBaselines.push({ tenantId: b.tenantId, userId: b.userId, ...b.snapshot() });
  });

  const tkOf = (tenantId: string | null) => tenantId ?? '-';
  const cfgFor = (tk: string, id: RuleId): RuleConfig => overrides.get(tk)?.get(id) ?? base[id];

  function finding(
    id: RuleId,
    cfg: RuleConfig,
    ev: Ev,
    subjectType: SubjectType,
    subjectId: string,
    observed: number,
    threshold = cfg.threshold,
  ): Finding {
    return {
      ruleId: id,
      tenantId: ev.tenantId,
      subjectType,
      subjectId,
      severity: cfg.severity,
      action: cfg.action,
      observed,
      threshold,
      windowSeconds: cfg.windowSeconds,
      time: ev.t,
      evidence: ev.ref,
    };
  }

  /** Adds to a windowed counter for (rule, key) and reports a finding once the threshold is reached. */
  function count(
    out: Finding[],
    id: CounterRule,
    ev: Ev,
    key: string,
    subjectType: SubjectType,
    subjectId: string,
    weight = 1,
  ): void {
    const cfg = cfgFor(ev.tk, id);
    if (!cfg.enabled) return;
    const store = counters[id];
    const windowMs = cfg.windowSeconds * 1000;
    let c = store.get(key);
    if (!c || c.windowMs !== windowMs) c = new WindowCounter(windowMs);
    store.set(key, c);
    const n = c.add(ev.t, weight);
    if (n >= cfg.threshold) out.push(finding(id, cfg, ev, subjectType, subjectId, n));
  }

  function baselineOf(tenantId: string | null, userId: string): AgentBaseline {
    const key = `${tkOf(tenantId)}|${userId}`;
    let b = baselines.get(key);
    if (!b) b = new AgentBaseline(tenantId, userId);
    baselines.set(key, b);
    return b;
  }

  function volumeOf(key: string, windowMs: number): AgentVolume {
    let v = volume.get(key);
    if (!v || v.views.windowMs !== windowMs)
      v = { views: new WindowCounter(windowMs), handled: new DistinctWindow(windowMs, HANDLED_CAP) };
    volume.set(key, v);
    return v;
  }

  function onView(out: Finding[], ev: Ev, userKey: string): void {
    const cfg = cfgFor(ev.tk, 'view_volume');
    if (!cfg.enabled) return;
    const v = volumeOf(userKey, cfg.windowSeconds * 1000);
    const views = v.views.add(ev.t);
    const handled = v.handled.count(ev.t);
    const b = baselineOf(ev.tenantId, ev.actorId!);
    b.observe(ev.t, cfg.params);
    const limit = Math.max(
      cfg.threshold,
      (cfg.params.ratioToHandled ?? 4) * Math.max(1, handled) + 1,
      Math.floor(b.limit(cfg.params)) + 1,
    );
    if (views >= limit) {
      b.markFired();
      out.push(finding('view_volume', cfg, ev, 'user', ev.actorId!, views, limit));
    }
  }

  function onHandled(ev: Ev, agentId: string, conversationId: string): void {
    const cfg = cfgFor(ev.tk, 'view_volume');
    volumeOf(`${ev.tk}|${agentId}`, cfg.windowSeconds * 1000).handled.add(conversationId, ev.t);
  }

  function onDistinctCustomer(out: Finding[], ev: Ev, userKey: string, customerId: string): void {
    const cfg = cfgFor(ev.tk, 'bulk_read');
    if (!cfg.enabled) return;
    const windowMs = cfg.windowSeconds * 1000;
    const cap = Math.min(cfg.threshold, DISTINCT_CAP);
    let d = distinct.get(userKey);
    if (!d || d.windowMs !== windowMs || d.cap !== cap) d = new DistinctWindow(windowMs, cap);
    distinct.set(userKey, d);
    const n = d.add(customerId, ev.t);
    if (n >= cap) out.push(finding('bulk_read', cfg, ev, 'user', ev.actorId!, n, cap));
  }

  function onSessionCreate(out: Finding[], ev: Ev, userId: string): void {
    const e = ev.src;
    // New device or network. The first session ever seen for a user only teaches (no history yet).
    const known = devices.get(userId) ?? new Set<string>();
    devices.set(userId, known);
    const range = e.ip ? ipRange(e.ip) : null;
    const marks: [DeviceRecord['kind'], string][] = [];
    if (e.uaHash) marks.push(['ua', e.uaHash]);
    if (range) marks.push(['ip_range', pseudonym(hashKey, range)]);
    let unknown = false;
    const firstEver = known.size === 0;
    for (const [kind, valueHash] of marks) {
      const mark = `${kind}:${valueHash}`;
      if (known.has(mark)) {
        known.delete(mark); // refresh recency
      } else {
        unknown = true;
        if (pendingDevices.length < PENDING_CAP) pendingDevices.push({ userId, kind, valueHash, time: ev.t });
        if (known.size >= maxDevices) known.delete(known.values().next().value!);
      }
      known.add(mark);
    }
    if (unknown && !firstEver) count(out, 'new_device', ev, `${ev.tk}|${userId}`, 'user', userId);

    const cfg = cfgFor(ev.tk, 'concurrent_sessions');
    if (!cfg.enabled || !e.resourceId) return;
    const windowMs = cfg.windowSeconds * 1000;
    let s = sessions.get(userId);
    if (!s || s.windowMs !== windowMs) s = new DistinctWindow(windowMs, SESSION_CAP);
    sessions.set(userId, s);
    const n = s.add(e.resourceId, ev.t);
    if (n >= cfg.threshold) out.push(finding('concurrent_sessions', cfg, ev, 'user', userId, n));
  }

  function onSessionRevoke(ev: Ev): void {
    const e = ev.src;
    const userId = str(e.meta?.userId) ?? (e.resourceType === 'user' ? e.resourceId : null) ?? ev.actorId;
    if (!userId) return;
    if (e.resourceType === 'user') sessions.delete(userId);
    else if (e.resourceId) sessions.get(userId)?.remove(e.resourceId);
  }

  function onFailedAuth(out: Finding[], ev: Ev): void {
    const e = ev.src;
    const account = e.resourceType === 'user' && e.resourceId ? e.resourceId : ev.actorId;
    if (account) count(out, 'failed_login_account', ev, `${ev.tk}|${account}`, 'user', account);
    const range = e.ip ? ipRange(e.ip, true) : null;
    if (range) {
      const id = pseudonym(hashKey, range);
      count(out, 'failed_login_ip', ev, `${ev.tk}|${id}`, 'ip_range', id);
    }
  }

  function onMembershipChange(out: Finding[], ev: Ev, userKey: string, grant: boolean): void {
    const e = ev.src;
    const actor = ev.actorId!;
    const target =
      str(e.meta?.targetUserId) ?? str(e.meta?.userId) ?? (e.resourceType === 'user' ? e.resourceId : null);
    if (grant && target === actor) count(out, 'self_grant', ev, userKey, 'user', actor);
    if (e.outcome !== 'success') return;
    const window = cfgFor(ev.tk, 'permission_change_off_window').params.changeWindow;
    if (window && !isWithinSchedule(window, ev.t))
      count(out, 'permission_change_off_window', ev, userKey, 'user', actor);
  }

  // Keys whose windows have emptied are dropped in small batches, so state tracks the actors
  // active within the windows rather than everyone ever seen (the LRU cap is the hard limit).
  let sinceSweep = 0;
  let latest = 0;
  function sweep(t: number): void {
    const budget = 256;
    for (const id of COUNTER_RULES) counters[id].sweep((c) => c.expiredAt(t), budget);
    volume.sweep((v) => v.views.expiredAt(t) && v.handled.expiredAt(t), budget);
    distinct.sweep((d) => d.expiredAt(t), budget);
    sessions.sweep((s) => s.expiredAt(t), budget);
  }

  function evaluate(e: MonitoredEvent): Finding[] {
    const out: Finding[] = [];
    const tk = tkOf(e.tenantId);
    const ev: Ev = {
      tenantId: e.tenantId,
      tk,
      t: eventTime(e.time, clock),
      ref: { tenantId: e.tenantId, seq: String(e.seq) },
      actorId: e.actorId,
      isUser: e.actorType === 'user' && !!e.actorId,
      src: e,
    };
    if (ev.t > latest) latest = ev.t;
    if (++sinceSweep >= 64) {
      sinceSweep = 0;
      sweep(latest);
    }
    const ok = e.outcome === 'success';
    const actor = e.actorId ?? '';
    const userKey = `${tk}|${actor}`;

    if (ev.isUser && e.tenantId && DATA_ACCESS.has(e.action)) {
      const schedule = schedules.get(userKey);
      if (schedule) {
        const grace = (cfgFor(tk, 'off_shift').params.graceMinutes ?? 0) * 60_000;
        if (!isWithinSchedule(schedule, ev.t, grace)) count(out, 'off_shift', ev, userKey, 'user', actor);
      }
    }

    switch (e.action) {
      case 'customer.read':
        if (!ev.isUser || !ok) break;
        count(out, 'view_burst', ev, userKey, 'user', actor);
        onView(out, ev, userKey);
        if (e.resourceId) onDistinctCustomer(out, ev, userKey, e.resourceId);
        break;
      case 'conversation.read': {
        if (!ev.isUser || !ok) break;
        onView(out, ev, userKey);
        const customer = str(e.meta?.customerId);
        if (customer) onDistinctCustomer(out, ev, userKey, customer);
        break;
      }
      case 'conversation.reply':
        if (ev.isUser && ok && e.resourceId) onHandled(ev, actor, e.resourceId);
        break;
      case 'conversation.assign': {
        const assignee = str(e.meta?.assigneeId) ?? (ev.isUser ? actor : null);
        if (assignee && ok && e.resourceId) onHandled(ev, assignee, e.resourceId);
        break;
      }
      case 'value.reveal':
        if (!ev.isUser || !ok) break;
        count(out, 'reveal_rate', ev, userKey, 'user', actor);
        if (e.meta?.assigned === false) count(out, 'reveal_unassigned', ev, userKey, 'user', actor);
        break;
      case 'customer.export': {
        if (!ev.isUser || !ok) break;
        const n = e.meta?.count;
        const records = typeof n === 'number' && Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
        count(out, 'bulk_export', ev, userKey, 'user', actor, records);
        break;
      }
      case 'authz.denied':
        if (ev.isUser) count(out, 'out_of_scope', ev, userKey, 'user', actor);
        break;
      case 'access.denied':
        if (ev.isUser) count(out, 'access_policy_denied', ev, userKey, 'user', actor);
        break;
      case 'auth.login':
        if (!ok) onFailedAuth(out, ev);
        break;
      case 'auth.mfa':
        if (!ok) onFailedAuth(out, ev);
        // A successful second factor is where the auth service creates the session (the event's
        // resource), for passwords and SSO alike.
        else if (ev.isUser && e.resourceType === 'session') onSessionCreate(out, ev, actor);
        break;
      case 'session.create':
        if (ev.isUser && ok) onSessionCreate(out, ev, actor);
        break;
      case 'session.revoke':
        onSessionRevoke(ev);
        break;
      case 'membership.grant':
      case 'membership.revoke':
        if (ev.isUser) onMembershipChange(out, ev, userKey, e.action === 'membership.grant');
        break;
      // Cockpit (client tools in the browser): the subject of a tamper event is the resource user;
      // a tenant whose tamper response is 'suspend' only (notify: false) gets no alert.
      case 'cockpit.tamper':
        if (e.resourceId && e.meta?.notify !== false)
          count(out, 'cockpit_tamper', ev, `${tk}|${e.resourceId}`, 'user', e.resourceId);
        break;
      case 'cockpit.blocked':
        if (ev.isUser) count(out, 'cockpit_blocked_probing', ev, userKey, 'user', actor);
        break;
      case 'cockpit.visit':
        if (ev.isUser && ok) count(out, 'cockpit_mass_viewing', ev, userKey, 'user', actor);
        break;
      case 'cockpit.foreign_tool':
        if (ev.isUser) count(out, 'cockpit_foreign_tool', ev, userKey, 'user', actor);
        break;
      case 'verification.locked':
        if (ev.isUser) count(out, 'verification_locked', ev, userKey, 'user', actor);
        break;
      case 'verification.attempt':
        if (ev.isUser && e.outcome === 'failure')
          count(out, 'verification_failures', ev, userKey, 'user', actor);
        break;
      // Inbound files: each quarantined file is its own subject; the scanner is one subject.
      case 'file.quarantine':
        if (e.resourceId) count(out, 'malware_detected', ev, `${tk}|${e.resourceId}`, 'file', e.resourceId);
        break;
      // A queue missed its service level: the queue is the subject, never the customer or an agent.
      case 'sla.breach':
        if (e.resourceId) count(out, 'sla_breach', ev, `${tk}|${e.resourceId}`, 'queue', e.resourceId);
        break;
      case 'file.scanner_unavailable':
        count(out, 'file_scanner_down', ev, `${tk}|clamd`, 'scanner', 'clamd');
        break;
      // Each reported real phishing mail is its own subject (src/awareness).
      case 'phish.reported':
        if (e.resourceId && e.meta?.verdict === 'suspicious')
          count(out, 'phishing_reported', ev, `${tk}|${e.resourceId}`, 'phish_report', e.resourceId);
        break;
      case 'payment.capture': {
        if (e.outcome === 'success' || !e.ip) break;
        // The /24 (/48): card testers rotate addresses within their network.
        const range = ipRange(e.ip);
        if (!range) break;
        const id = pseudonym(hashKey, range);
        count(out, 'payment_declines', ev, `${tk}|${id}`, 'ip_range', id);
        break;
      }
    }
    return out;
  }

  return {
    evaluate,
    ruleConfig: (tenantId, ruleId) => cfgFor(tkOf(tenantId), ruleId),
    setRuleConfig(tenantId, ruleId, override) {
      const tk = tkOf(tenantId);
      const cfg = resolveRuleConfig(ruleId, override === null ? options.defaults?.[ruleId] : override);
      const m = overrides.get(tk) ?? new Map<RuleId, RuleConfig>();
      overrides.set(tk, m);
      if (override === null) m.delete(ruleId);
      else m.set(ruleId, cfg);
      return cfg;
    },
    setSchedule(tenantId, userId, schedule) {
      const key = `${tenantId}|${userId}`;
      if (schedule) schedules.set(key, schedule);
      else schedules.delete(key);
    },
    seedBaseline(tenantId, userId, snapshot) {
      baselines.set(`${tkOf(tenantId)}|${userId}`, new AgentBaseline(tenantId, userId, snapshot));
    },
    seedKnownDevices(userId, list) {
      const known = devices.get(userId) ?? new Set<string>();
      for (const d of list) {
        if (known.size >= maxDevices) break;
        known.add(`${d.kind}:${d.valueHash}`);
      }
      devices.set(userId, known);
    },
    drainBaselines() {
      const out = evictedBaselines.splice(0);
      for (const b of baselines.values()) {
        if (!b.dirty) continue;
        b.dirty = false;
        out.push({ tenantId: b.tenantId, userId: b.userId, ...b.snapshot() });
      }
      return out;
    },
    drainKnownDevices: () => pendingDevices.splice(0),
    activity(tenantId, userId, at = clock.now()) {
      const key = `${tenantId}|${userId}`;
      const v = volume.get(key);
      const b = baselines.get(key);
      return {
        viewsLastHour: v ? v.views.total(at) : 0,
        handledConversationsLastHour: v ? v.handled.count(at) : 0,
        profileViewsLastMinute: counters.view_burst.get(key)?.total(at) ?? 0,
        distinctCustomersInWindow: distinct.get(key)?.count(at) ?? 0,
        revealsInWindow: counters.reveal_rate.get(key)?.total(at) ?? 0,
        deniedInWindow: counters.out_of_scope.get(key)?.total(at) ?? 0,
        offShiftAccessInWindow: counters.off_shift.get(key)?.total(at) ?? 0,
        activeSessions: sessions.get(userId)?.count(at) ?? 0,
        baselineHourlyViews: b ? Math.round(b.mean * 10) / 10 : 0,
        baselineHours: b?.samples ?? 0,
      };
    },
    stateSize() {
      let n = volume.size + distinct.size + sessions.size + devices.size + baselines.size;
      n += pendingDevices.length + evictedBaselines.length;
      for (const id of COUNTER_RULES) n += counters[id].size;
      for (const v of volume.values()) n += v.handled.size;
      for (const d of distinct.values()) n += d.size;
      for (const s of sessions.values()) n += s.size;
      for (const d of devices.values()) n += d.size;
      return n;
    },
    stateBound() {
      const keyed = maxKeys * (COUNTER_RULES.length + 5);
      const inner = maxKeys * (HANDLED_CAP + DISTINCT_CAP + SESSION_CAP + maxDevices);
      return keyed + inner + 2 * PENDING_CAP;
    },
  };
}
