// /metrics: its own bearer-token rule, the promised metric families, and no personal data in any
// label; trace ids: a W3C traceparent is continued into the response and the log lines.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { parseTraceparent } from '../../src/platform/tracing.ts';
import { startTestVigil, type TestVigil } from '../helpers/app.ts';

const TOKEN = randomBytes(24).toString('base64url');

describe('metrics and trace ids', () => {
  let v: TestVigil;
  beforeAll(async () => {
    v = await startTestVigil({ demo: true, metricsToken: TOKEN });
  }, 120_000);
  afterAll(async () => {
    await v.close();
  });

  it('refuses scrapes without the metrics token, also from a signed-in platform admin', async () => {
    expect((await v.call('GET', '/metrics')).status).toBe(401);
    const wrong = await v.call('GET', '/metrics', undefined, null, { authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('unauthenticated');
    const admin = await v.makeUser([{ role: 'platform_admin' }]);
    expect((await v.call('GET', '/metrics', undefined, await v.login(admin))).status).toBe(401);
  });

  it('exposes request, latency, ingest, queue, outbox and alert metrics with no personal data in labels', async () => {
    const user = await v.makeUser([{ role: 'agent', tenant: 'metrics-a' }]);
    const s = await v.login(user);
    await v.call('GET', '/api/v1/tenants/metrics-a/conversations', undefined, s);
    const [tenant] = await v.core.db.withOwner((tx) =>
      rows<{ slug: string }>(
        tx,
        sql`select t.slug from tenants t join chat_widget_settings w on w.tenant_id = t.id limit 1`,
      ),
    );
    const posted = await v.call(
      'POST',
      `/api/v1/widget/${tenant!.slug}/messages`,
      { text: 'Ich bin Erika Mustermann, erika@example.org', clientMessageId: 'metrics-000001' },
      null,
      { origin: 'http://localhost:5173' },
    );
    expect(posted.status).toBe(201);
    // Personal data in a URL must not become a label either.
    await v.call('GET', `/api/v1/people/${encodeURIComponent(user.email)}`);

    const r = await v.call('GET', '/metrics', undefined, null, { authorization: `Bearer ${TOKEN}` });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    for (const family of [
      'vigil_http_requests_total',
      'vigil_http_request_duration_seconds_bucket',
      'vigil_ingest_messages_total',
      'vigil_queue_waiting_conversations',
      'vigil_email_outbound_pending',
      'vigil_alerts_open',
      'vigil_audit_events_total',
      'vigil_database_up 1',
      'vigil_cluster_bus_connected 1',
      'vigil_process_resident_memory_bytes',
    ])
      expect(r.text).toContain(family);
    expect(r.text).toMatch(/vigil_ingest_messages_total\{channel="chat",direction="inbound"\} [1-9]/);
    expect(r.text).toMatch(
      /vigil_http_requests_total\{route="\/api\/v1\/tenants\/:tenantSlug\/conversations",method="GET",status="200"\} 1/,
    );
    expect(r.text).toMatch(/route="unmatched"/);

    // Every label value, checked against the personal data the database holds.
    const labels = [...r.text.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
      [...(m[1] ?? '').matchAll(/="((?:[^"\\]|\\.)*)"/g)].map((x) => x[1] ?? ''),
    );
    expect(labels.length).toBeGreaterThan(50);
    const people = await v.core.db.withOwner((tx) =>
      rows<{ email: string; display_name: string }>(tx, sql`select email, display_name from users`),
    );
    const tenants = await v.core.db.withOwner((tx) =>
      rows<{ id: string; slug: string; name: string }>(tx, sql`select id, slug, name from tenants`),
    );
    expect(people.length).toBeGreaterThan(3);
    const forbidden = [
      ...people.flatMap((p) => [p.email, p.display_name]),
      ...tenants.flatMap((t) => [t.id, t.slug, t.name]),
      'Erika',
      'Mustermann',
      'example.org',
    ];
    for (const l of labels) {
      expect(l).not.toMatch(/@/);
      expect(l).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
      for (const f of forbidden) if (f.length > 3) expect(l).not.toContain(f);
    }
  });

  it('continues a W3C traceparent into the response and every log line of the request', async () => {
    const traceId = randomBytes(16).toString('hex');
    const r = await v.call('GET', '/readyz', undefined, null, {
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    });
    const back = parseTraceparent(r.headers.get('traceparent') ?? undefined);
    expect(back?.traceId).toBe(traceId);
    const lines = v.logs.filter((l) => l.includes(traceId));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => JSON.parse(l).trace_id === traceId)).toBe(true);

    // Invalid or absent: a fresh trace, never the zero id.
    const fresh = await v.call('GET', '/readyz', undefined, null, {
      traceparent: `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`,
    });
    const t2 = parseTraceparent(fresh.headers.get('traceparent') ?? undefined);
    expect(t2?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(t2?.traceId).not.toBe('0'.repeat(32));
  });
});
