// SQL for the monitoring tables. Tenant alerts live in RLS-scoped tables; platform alerts
// (tenant NULL) in same-shaped tables visible only to platform transactions.
import { type SQL, sql } from 'drizzle-orm';
import { type Database, rows, type Tx } from '../platform/db.ts';
import type { AlertComment, AlertRecord, AlertState } from './alerts.ts';
import type { BaselineRecord, DeviceRecord } from './detector.ts';
import type { RuleOverride } from './rules.ts';
import type { EventRef, RuleId, Schedule } from './types.ts';

interface Tables {
  alerts: SQL;
  evidence: SQL;
  comments: SQL;
}
const TENANT: Tables = {
  alerts: sql.raw('monitoring_alerts'),
  evidence: sql.raw('monitoring_alert_evidence'),
  comments: sql.raw('monitoring_alert_comments'),
};
const PLATFORM: Tables = {
  alerts: sql.raw('monitoring_platform_alerts'),
  evidence: sql.raw('monitoring_platform_alert_evidence'),
  comments: sql.raw('monitoring_platform_alert_comments'),
};
const tablesFor = (tenantId: string | null) => (tenantId ? TENANT : PLATFORM);

/** A transaction in the alert's scope: the tenant's RLS scope, or the platform scope. */
export const inScope = <T>(db: Database, tenantId: string | null, fn: (tx: Tx) => Promise<T>) =>
  tenantId ? db.withTenant(tenantId, fn) : db.withPlatform(fn);

const ts = (ms: number) => sql`${new Date(ms).toISOString()}::timestamptz`;
const ms = (v: unknown) => new Date(v as string | Date).getTime();

const ALERT_COLUMNS =
  sql.raw(`id::text as id, tenant_id::text as tenant_id, rule_id, severity, action, action_status,
  subject_type, subject_id, state, observed, threshold, window_seconds, first_seen_at, last_seen_at, dedupe_until,
  evidence_count, created_at, updated_at`);

interface AlertRow {
  id: string;
  tenant_id: string | null;
  rule_id: string;
  severity: string;
  action: string;
  action_status: string;
  subject_type: string;
  subject_id: string;
  state: string;
  observed: number;
  threshold: number;
  window_seconds: number;
  first_seen_at: unknown;
  last_seen_at: unknown;
  dedupe_until: unknown;
  evidence_count: number;
  created_at: unknown;
  updated_at: unknown;
}

const toRecord = (r: AlertRow): AlertRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  ruleId: r.rule_id as RuleId,
  severity: r.severity as AlertRecord['severity'],
  action: r.action as AlertRecord['action'],
  actionStatus: r.action_status as AlertRecord['actionStatus'],
  subjectType: r.subject_type as AlertRecord['subjectType'],
  subjectId: r.subject_id,
  state: r.state as AlertState,
  observed: Number(r.observed),
  threshold: Number(r.threshold),
  windowSeconds: Number(r.window_seconds),
  firstSeenAt: ms(r.first_seen_at),
  lastSeenAt: ms(r.last_seen_at),
  dedupeUntil: ms(r.dedupe_until),
  evidenceCount: Number(r.evidence_count),
  createdAt: ms(r.created_at),
  updatedAt: ms(r.updated_at),
});

/** Inserts new alerts and refreshes counters of known ones; state is only changed by setAlertState. */
export async function upsertAlerts(tx: Tx, tenantId: string | null, alerts: AlertRecord[]): Promise<void> {
  if (alerts.length === 0) return;
  const t = tablesFor(tenantId);
  const values = alerts.map(
    (
      a,
    ) => sql`(${a.id}::uuid, ${a.tenantId}::uuid, ${a.ruleId}, ${a.severity}, ${a.action}, ${a.actionStatus},
      ${a.subjectType}, ${a.subjectId}, ${a.state}, ${a.observed}, ${a.threshold}, ${a.windowSeconds},
      ${ts(a.firstSeenAt)}, ${ts(a.lastSeenAt)}, ${ts(a.dedupeUntil)}, ${a.evidenceCount}, ${ts(a.createdAt)}, ${ts(a.updatedAt)})`,
  );
  await tx.execute(sql`insert into ${t.alerts} (id, tenant_id, rule_id, severity, action, action_status, subject_type,
      subject_id, state, observed, threshold, window_seconds, first_seen_at, last_seen_at, dedupe_until, evidence_count,
      created_at, updated_at)
    values ${sql.join(values, sql`, `)}
    on conflict (id) do update set action_status = excluded.action_status,
      observed = greatest(${t.alerts}.observed, excluded.observed),
      last_seen_at = greatest(${t.alerts}.last_seen_at, excluded.last_seen_at),
      dedupe_until = greatest(${t.alerts}.dedupe_until, excluded.dedupe_until),
      evidence_count = greatest(${t.alerts}.evidence_count, excluded.evidence_count),
      updated_at = excluded.updated_at`);
}

export async function insertEvidence(
  tx: Tx,
  tenantId: string | null,
  items: { alertId: string; seq: string }[],
) {
  if (items.length === 0) return;
  const t = tablesFor(tenantId);
  for (let i = 0; i < items.length; i += 1000) {
    const values = items
      .slice(i, i + 1000)
      .map((e) => sql`(${tenantId}::uuid, ${e.alertId}::uuid, ${e.seq}::bigint)`);
    await tx.execute(sql`insert into ${t.evidence} (tenant_id, alert_id, event_seq) values ${sql.join(values, sql`, `)}
      on conflict do nothing`);
  }
}

export interface AlertFilters {
  state?: AlertState;
  severity?: AlertRecord['severity'];
  ruleId?: RuleId;
  subjectId?: string;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  limit?: number;
}

export async function selectAlerts(
  tx: Tx,
  tenantId: string | null,
  f: AlertFilters,
): Promise<{ items: AlertRecord[]; nextCursor: string | null }> {
  const t = tablesFor(tenantId);
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  const where: SQL[] = [sql`true`];
  if (f.state) where.push(sql`state = ${f.state}`);
  if (f.severity) where.push(sql`severity = ${f.severity}`);
  if (f.ruleId) where.push(sql`rule_id = ${f.ruleId}`);
  if (f.subjectId) where.push(sql`subject_id = ${f.subjectId}`);
  if (f.cursor) {
    const [at, id] = Buffer.from(f.cursor, 'base64url').toString().split('|');
    if (at && id && /^[0-9a-f-]{36}$/.test(id) && Number.isFinite(Date.parse(at)))
      where.push(sql`(created_at, id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  const r = await rows<AlertRow>(
    tx,
    sql`select ${ALERT_COLUMNS} from ${t.alerts} where ${sql.join(where, sql` and `)}
      order by created_at desc, id desc limit ${limit + 1}`,
  );
  const items = r.slice(0, limit).map(toRecord);
  const last = items[items.length - 1];
  const nextCursor =
    r.length > limit && last
      ? Buffer.from(`${new Date(last.createdAt).toISOString()}|${last.id}`).toString('base64url')
      : null;
  return { items, nextCursor };
}

export async function selectAlert(tx: Tx, tenantId: string | null, id: string, forUpdate = false) {
  const t = tablesFor(tenantId);
  const r = await rows<AlertRow>(
    tx,
    sql`select ${ALERT_COLUMNS} from ${t.alerts} where id = ${id}::uuid ${forUpdate ? sql`for update` : sql``}`,
  );
  return r[0] ? toRecord(r[0]) : null;
}

export async function selectEvidence(
  tx: Tx,
  tenantId: string | null,
  alertId: string,
  limit = 500,
): Promise<EventRef[]> {
  const t = tablesFor(tenantId);
  const r = await rows<{ seq: string }>(
    tx,
    sql`select event_seq::text as seq from ${t.evidence} where alert_id = ${alertId}::uuid order by event_seq limit ${limit}`,
  );
  return r.map((x) => ({ tenantId, seq: x.seq }));
}

export async function selectComments(
  tx: Tx,
  tenantId: string | null,
  alertId: string,
): Promise<AlertComment[]> {
  const t = tablesFor(tenantId);
  const r = await rows<{
    id: string;
    author_id: string | null;
    state_from: string | null;
    state_to: string | null;
    body: string | null;
    created_at: unknown;
  }>(
    tx,
    sql`select id::text as id, author_id::text as author_id, state_from, state_to, body, created_at
      from ${t.comments} where alert_id = ${alertId}::uuid order by created_at, seq`,
  );
  return r.map((c) => ({
    id: c.id,
    authorId: c.author_id,
    stateFrom: c.state_from as AlertState | null,
    stateTo: c.state_to as AlertState | null,
    body: c.body,
    createdAt: new Date(c.created_at as string).toISOString(),
  }));
}

export async function setAlertState(
  tx: Tx,
  tenantId: string | null,
  id: string,
  state: AlertState,
  at: number,
) {
  const t = tablesFor(tenantId);
  await tx.execute(
    sql`update ${t.alerts} set state = ${state}, updated_at = ${ts(at)} where id = ${id}::uuid`,
  );
}

export async function insertComment(
  tx: Tx,
  tenantId: string | null,
  c: {
    alertId: string;
    authorId: string;
    stateFrom: AlertState | null;
    stateTo: AlertState | null;
    body: string | null;
    at: number;
  },
) {
  const t = tablesFor(tenantId);
  await tx.execute(sql`insert into ${t.comments} (tenant_id, alert_id, author_id, state_from, state_to, body, created_at)
    values (${tenantId}::uuid, ${c.alertId}::uuid, ${c.authorId}::uuid, ${c.stateFrom}, ${c.stateTo}, ${c.body}, ${ts(c.at)})`);
}

export async function countOpenAlertsFor(tx: Tx, tenantId: string, subjectId: string) {
  const r = await rows<{ state: string; n: number }>(
    tx,
    sql`select state, count(*)::int as n from monitoring_alerts where tenant_id = ${tenantId}::uuid and subject_id = ${subjectId}
      and state in ('open', 'acknowledged') group by state`,
  );
  return Object.fromEntries(r.map((x) => [x.state, Number(x.n)])) as Partial<Record<AlertState, number>>;
}

// Findings carry event time, which may trail the wall clock; the book decides by event time.
const MAX_WINDOW_MS = 7 * 86_400_000;

export async function selectActiveAlerts(
  tx: Tx,
  tenantId: string | null,
  now: number,
  limit = 10_000,
): Promise<AlertRecord[]> {
  const t = tablesFor(tenantId);
  const r = await rows<AlertRow>(
    tx,
    sql`select ${ALERT_COLUMNS} from ${t.alerts} where state in ('open', 'acknowledged')
      and dedupe_until > ${ts(now - MAX_WINDOW_MS)} order by dedupe_until desc limit ${limit}`,
  );
  return r.map(toRecord);
}

// Configuration, shifts, baselines and devices.

export async function upsertRuleConfig(
  tx: Tx,
  tenantId: string,
  ruleId: RuleId,
  o: RuleOverride,
  by: string | null,
) {
  await tx.execute(sql`insert into monitoring_rule_configs (tenant_id, rule_id, config, updated_by)
    values (${tenantId}::uuid, ${ruleId}, ${JSON.stringify(o)}::jsonb, ${by}::uuid)
    on conflict (tenant_id, rule_id) do update set config = excluded.config, updated_by = excluded.updated_by, updated_at = now()`);
}

export async function deleteRuleConfig(tx: Tx, tenantId: string, ruleId: RuleId) {
  await tx.execute(
    sql`delete from monitoring_rule_configs where tenant_id = ${tenantId}::uuid and rule_id = ${ruleId}`,
  );
}

export const selectRuleConfigs = (tx: Tx) =>
  rows<{ rule_id: string; config: unknown }>(tx, sql`select rule_id, config from monitoring_rule_configs`);

export async function upsertShift(tx: Tx, tenantId: string, userId: string, s: Schedule) {
  await tx.execute(sql`insert into monitoring_shifts (tenant_id, user_id, time_zone, slots)
    values (${tenantId}::uuid, ${userId}::uuid, ${s.timeZone}, ${JSON.stringify(s.slots)}::jsonb)
    on conflict (tenant_id, user_id) do update set time_zone = excluded.time_zone, slots = excluded.slots, updated_at = now()`);
}

export async function deleteShift(tx: Tx, tenantId: string, userId: string) {
  await tx.execute(
    sql`delete from monitoring_shifts where tenant_id = ${tenantId}::uuid and user_id = ${userId}::uuid`,
  );
}

export const selectShifts = (tx: Tx) =>
  rows<{ user_id: string; time_zone: string; slots: unknown }>(
    tx,
    sql`select user_id::text as user_id, time_zone, slots from monitoring_shifts`,
  );

export async function upsertBaselines(tx: Tx, tenantId: string, list: BaselineRecord[]) {
  for (const b of list) {
    await tx.execute(sql`insert into monitoring_agent_baselines (tenant_id, user_id, hourly_mean, hourly_var, samples)
      values (${tenantId}::uuid, ${b.userId}::uuid, ${b.hourlyMean}, ${Math.max(0, b.hourlyVar)}, ${b.samples})
      on conflict (tenant_id, user_id) do update set hourly_mean = excluded.hourly_mean,
        hourly_var = excluded.hourly_var, samples = excluded.samples, updated_at = now()`);
  }
}

export const selectBaselines = (tx: Tx) =>
  rows<{ user_id: string; hourly_mean: number; hourly_var: number; samples: number }>(
    tx,
    sql`select user_id::text as user_id, hourly_mean, hourly_var, samples from monitoring_agent_baselines`,
  );

export async function upsertDevices(tx: Tx, list: DeviceRecord[]) {
  for (const d of list) {
    await tx.execute(sql`insert into monitoring_known_devices (user_id, kind, value_hash, first_seen_at, last_seen_at)
      values (${d.userId}::uuid, ${d.kind}, ${d.valueHash}, ${ts(d.time)}, ${ts(d.time)})
      on conflict (user_id, kind, value_hash) do update set last_seen_at = excluded.last_seen_at`);
  }
}

export const selectDevices = (tx: Tx) =>
  rows<{ user_id: string; kind: 'ua' | 'ip_range'; value_hash: string }>(
    tx,
    sql`select user_id::text as user_id, kind, value_hash from monitoring_known_devices order by last_seen_at desc`,
  );

export const selectTenantIds = (tx: Tx) => rows<{ id: string }>(tx, sql`select id::text as id from tenants`);
