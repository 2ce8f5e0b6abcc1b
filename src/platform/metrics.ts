// Prometheus metrics. Labels are closed sets chosen here (route patterns, methods, status codes,
// audit action names, channels, severities) and never carry ids, names, addresses or text:
// whatever a label could hold is either known in advance or folded into 'other'.
// Gauges that need the database are read at scrape time, as the owner, as plain counts.
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEvent } from '../audit/types.ts';
import type { ClusterBus } from './cluster/index.ts';
import { type Database, rows } from './db.ts';

const CHANNELS = new Set(['chat', 'email', 'voice']);
const SEVERITIES = new Set(['low', 'medium', 'high', 'critical']);
const ACTION = /^[a-z][a-z_]{0,30}(\.[a-z_]{1,40}){0,3}$/;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export interface Metrics {
  registry: Registry;
  /** Counts an audit event (ingest, alerts, every action by name and outcome). */
  observeAudit(e: Pick<AuditEvent, 'action' | 'outcome' | 'meta'>): void;
  observeHttp(route: string, method: string, status: number, seconds: number): void;
  contentType: string;
  text(): Promise<string>;
}

export function createMetrics(deps: { db: Pick<Database, 'withOwner'>; bus?: ClusterBus }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
  const reg = [registry];

  const httpRequests = new Counter({
    name: 'vigil_http_requests_total',
    help: 'HTTP requests by route pattern, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: reg,
  });
  const httpDuration = new Histogram({
    name: 'vigil_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern and method',
    labelNames: ['route', 'method'] as const,
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: reg,
  });
  const auditEvents = new Counter({
    name: 'vigil_audit_events_total',
    help: 'Audit events written, by action and outcome',
    labelNames: ['action', 'outcome'] as const,
    registers: reg,
  });
  const ingested = new Counter({
    name: 'vigil_ingest_messages_total',
    help: 'Messages through the ingest pipeline, by channel and direction',
    labelNames: ['channel', 'direction'] as const,
    registers: reg,
  });
  const alerts = new Counter({
    name: 'vigil_alerts_total',
    help: 'Insider-monitoring alerts raised, by severity',
    labelNames: ['severity'] as const,
    registers: reg,
  });

  // Scrape-time gauges from the database; a failing database shows as vigil_database_up 0.
  const dbUp = new Gauge({
    name: 'vigil_database_up',
    help: '1 when the database answered the scrape',
    registers: reg,
  });
  const waiting = new Gauge({
    name: 'vigil_queue_waiting_conversations',
    help: 'Open conversations without an assignee (all tenants)',
    registers: reg,
  });
  const emailPending = new Gauge({
    name: 'vigil_email_outbound_pending',
    help: 'Outbound e-mails waiting for (re)delivery',
    registers: reg,
  });
  const outboxLag = new Gauge({
    name: 'vigil_siem_outbox_lag_events',
    help: 'Audit events not yet delivered to a SIEM sink',
    labelNames: ['sink'] as const,
    registers: reg,
  });
  const openAlerts = new Gauge({
    name: 'vigil_alerts_open',
    help: 'Open or acknowledged alerts, by severity',
    labelNames: ['severity'] as const,
    registers: reg,
  });
  const fileBacklog = new Gauge({
    name: 'vigil_file_scan_backlog',
    help: 'Inbound files waiting for the malware scanner, and the age of the oldest in seconds',
    labelNames: ['measure'] as const,
    registers: reg,
  });
  const busUp = new Gauge({
    name: 'vigil_cluster_bus_connected',
    help: '1 when cross-node events reach the other nodes',
    registers: reg,
  });

  async function collectDatabase(): Promise<void> {
    try {
      const r = await deps.db.withOwner(async (tx) => {
        await tx.execute(sql`set local statement_timeout = 2000`);
        const [w] = await rows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from conversations where status = 'open' and assignee_id is null`,
        );
        const [e] = await rows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from messages where direction = 'outbound' and delivery_state = 'pending'`,
        );
        const lag = await rows<{ sink: string; n: string | number }>(
          tx,
          sql`select s.sink_id as sink, sum(greatest(h.last_seq - coalesce(c.last_seq, 0), 0)) as n
              from (select distinct sink_id from audit_sink_cursors) s
              cross join audit_heads h
              left join audit_sink_cursors c on c.sink_id = s.sink_id and c.chain = h.chain
              group by s.sink_id`,
        );
        const al = await rows<{ severity: string; n: number }>(
          tx,
          sql`select severity, count(*)::int as n from monitoring_alerts
              where state in ('open', 'acknowledged') group by severity`,
        );
        const [f] = await rows<{ n: number; oldest: number | null }>(
          tx,
          sql`select count(*)::int as n, extract(epoch from now() - min(created_at))::float8 as oldest
              from file_scans where state = 'pending'`,
        );
        return { w: w?.n ?? 0, e: e?.n ?? 0, lag, al, f };
      });
      waiting.set(r.w);
      fileBacklog.set({ measure: 'files' }, r.f?.n ?? 0);
      fileBacklog.set({ measure: 'oldest_seconds' }, r.f?.oldest ?? 0);
      emailPending.set(r.e);
      outboxLag.reset();
      // Sink ids come from configuration ('nats', 'webhook', 'file'), not from users.
      for (const l of r.lag)
        outboxLag.set({ sink: /^[a-z0-9_-]{1,32}$/.test(l.sink) ? l.sink : 'other' }, Number(l.n));
      openAlerts.reset();
      for (const s of SEVERITIES) openAlerts.set({ severity: s }, 0);
      for (const a of r.al) if (SEVERITIES.has(a.severity)) openAlerts.set({ severity: a.severity }, a.n);
      dbUp.set(1);
    } catch {
      dbUp.set(0);
    }
  }

  return {
    registry,
    contentType: registry.contentType,
    observeAudit(e) {
      const action = ACTION.test(e.action) ? e.action : 'other';
      auditEvents.inc({ action, outcome: e.outcome });
      const meta = (e.meta ?? {}) as Record<string, unknown>;
      if (action === 'message.ingest' || action === 'message.send') {
        const ch = typeof meta.channel === 'string' && CHANNELS.has(meta.channel) ? meta.channel : 'other';
        ingested.inc({ channel: ch, direction: action === 'message.ingest' ? 'inbound' : 'outbound' });
      }
      if (action === 'detection.alert') {
        const sev =
          typeof meta.severity === 'string' && SEVERITIES.has(meta.severity) ? meta.severity : 'other';
        alerts.inc({ severity: sev });
      }
    },
    observeHttp(route, method, status, seconds) {
      const m = METHODS.has(method) ? method : 'other';
      httpRequests.inc({ route, method: m, status: String(status) });
      httpDuration.observe({ route, method: m }, seconds);
    },
    async text() {
      busUp.set(deps.bus ? (deps.bus.connected() ? 1 : 0) : 1);
      await collectDatabase();
      return registry.metrics();
    },
  };
}

/** Counts and times every request by its route pattern (never the concrete URL) and /metrics itself. */
export function metricsRoutes(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.is404 ? 'unmatched' : (req.routeOptions.url ?? 'unmatched');
    metrics.observeHttp(route, req.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get(
    '/metrics',
    {
      config: { auth: { scrape: 'metrics' } },
      schema: { tags: ['health'], hide: true },
      logLevel: 'warn',
    },
    async (_req, reply) => {
      const body = await metrics.text();
      return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(body);
    },
  );
}
