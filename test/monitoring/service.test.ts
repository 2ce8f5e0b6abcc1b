// The monitoring service against a real database: dedupe into one alert, one response action,
// persistence under RLS, triage workflow, notifications, reload after restart.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MailMessage, OcsfDetectionFinding } from '../../src/monitoring/notify.ts';
import { SIGNATURE_HEADER, verifyWebhook } from '../../src/monitoring/notify.ts';
import { createMonitor, type MonitorDeps } from '../../src/monitoring/service.ts';
import { rows } from '../../src/platform/db.ts';
import { createTestDatabase, type TestDatabase, testDbKind } from '../helpers/db.ts';
import { eventFactory } from './events.ts';

describe(`monitoring service (${testDbKind})`, () => {
  let t: TestDatabase;
  let tenantA: string;
  let tenantB: string;
  let agent: string;
  let officer: string;
  const clock = { now: () => Date.parse('2025-06-02T09:30:00Z') };

  beforeAll(async () => {
    t = await createTestDatabase();
    [tenantA, tenantB, agent, officer] = await t.db.withOwner(async (tx) => {
      const ts = await rows<{ id: string }>(
        tx,
        sql`insert into tenants (slug, name) values ('mon-a', 'A'), ('mon-b', 'B') returning id::text as id`,
      );
      const us = await rows<{ id: string }>(
        tx,
        sql`insert into users (email, display_name, password_hash) values
          ('agent@example.test', 'Agent', 'x'), ('officer@example.test', 'Officer', 'x') returning id::text as id`,
      );
      return [ts[0]!.id, ts[1]!.id, us[0]!.id, us[1]!.id];
    });
  });
  afterAll(() => t.drop());

  function deps(over: Partial<MonitorDeps> = {}) {
    const suspendUser = vi.fn(async (_u: string, _r: string, _t: string | null) => {});
    const requireStepUp = vi.fn(async (_u: string) => {});
    const mails: MailMessage[] = [];
    const posts: { url: string; headers: Record<string, string>; body: string }[] = [];
    const siem: OcsfDetectionFinding[] = [];
    const d: MonitorDeps = {
      db: t.db,
      clock,
      actions: { suspendUser, requireStepUp },
      notify: {
        webhooks: (tenantId) =>
          tenantId ? [{ url: 'https://hooks.example.test/vigil', secret: 's3cret' }] : [],
        fetch: async (url, init) => {
          posts.push({ url, headers: init.headers, body: init.body });
          return { ok: true, status: 204 };
        },
        sendMail: async (m) => {
          mails.push(m);
        },
        mailRecipients: () => ['soc@example.test'],
        onAlert: (_a, f) => {
          siem.push(f);
        },
      },
      config: { hashKey: 'test-key' },
      ...over,
    };
    return { d, suspendUser, requireStepUp, mails, posts, siem };
  }

  it('200 profile reads in a minute: one burst alert with all evidence, suspendUser called once', async () => {
    const x = deps();
    const m = await createMonitor(x.d);
    await m.setRuleConfig(tenantA, 'view_burst', { action: 'suspend' }, officer);
    const f = eventFactory(Date.parse('2025-06-02T09:00:00Z'));
    for (let i = 0; i < 200; i++) {
      m.ingest(f.make('customer.read', { tenantId: tenantA, actorId: agent, seq: 1000 + i }));
      f.advance(250);
    }
    await m.flush();
    expect(x.suspendUser).toHaveBeenCalledTimes(1);
    expect(x.suspendUser).toHaveBeenCalledWith(
      agent,
      expect.stringMatching(/^monitoring:view_burst:/),
      tenantA,
    );
    const { items } = await m.listAlerts(tenantA, { ruleId: 'view_burst' });
    expect(items).toHaveLength(1);
    const alert = items[0]!;
    expect(alert).toMatchObject({
      severity: 'high',
      state: 'open',
      action: 'suspend',
      actionStatus: 'done',
      evidenceCount: 151,
    });
    expect(alert.subject).toEqual({ type: 'user', id: agent });
    const detail = await m.getAlert(tenantA, alert.id);
    expect(detail.evidence).toHaveLength(151);
    expect(detail.evidence[0]).toEqual({ tenantId: tenantA, seq: '1049' });
    // Every rule that fired produced exactly one alert, and each was notified once.
    const all = await m.listAlerts(tenantA);
    expect(all.items.map((a) => a.ruleId).sort()).toEqual(['bulk_read', 'view_burst', 'view_volume']);
    expect(x.siem).toHaveLength(3);
    expect(x.siem[0]).toMatchObject({ class_uid: 2004, type_uid: 200401 });
    expect(x.posts).toHaveLength(3);
    const post = x.posts[0]!;
    expect(verifyWebhook('s3cret', post.body, post.headers[SIGNATURE_HEADER]!, clock.now())).toBe(true);
    expect(verifyWebhook('wrong', post.body, post.headers[SIGNATURE_HEADER]!, clock.now())).toBe(false);
    expect(x.mails.map((mm) => mm.subject)).toContain('[Vigil high] Burst of customer profile views');
    const sent = JSON.stringify([all, x.mails, x.posts, x.siem]);
    for (const personal of ['agent@example.test', 'officer@example.test', '"Agent"'])
      expect(sent).not.toContain(personal);
    await m.close();
  });

  it('alerts are tenant-isolated; platform alerts live apart and carry no address', async () => {
    const x = deps();
    const m = await createMonitor(x.d);
    const f = eventFactory();
    for (let i = 0; i < 30; i++) {
      m.ingest(
        f.make('auth.login', {
          tenantId: null,
          actorType: 'visitor',
          actorId: null,
          resourceType: 'user',
          resourceId: randomUUID(),
          outcome: 'failure',
          ip: '198.51.100.23',
        }),
      );
    }
    await m.flush();
    const platform = await m.listAlerts(null, { ruleId: 'failed_login_ip' });
    expect(platform.items).toHaveLength(1);
    expect(JSON.stringify(platform)).not.toContain('198.51.100');
    expect((await m.listAlerts(tenantB)).items).toEqual([]);
    const [a] = (await m.listAlerts(tenantA)).items;
    await expect(m.getAlert(tenantB, a!.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(m.getAlert(null, a!.id)).rejects.toMatchObject({ code: 'not_found' });
    await m.close();
  });

  it('triage: acknowledge with comment, no self-triage, resolve, then a new alert for new activity', async () => {
    const x = deps();
    const m = await createMonitor(x.d);
    const f = eventFactory(Date.parse('2025-06-02T10:00:00Z'));
    const deny = () =>
      m.ingest(f.make('authz.denied', { tenantId: tenantA, actorId: agent, outcome: 'denied' }));
    deny();
    deny();
    deny();
    deny();
    await m.flush();
    const [a] = (await m.listAlerts(tenantA, { ruleId: 'out_of_scope' })).items;
    expect(a).toMatchObject({ state: 'open', evidenceCount: 2 });
    await expect(
      m.updateAlert(tenantA, a!.id, { state: 'resolved' }, { userId: agent }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const ack = await m.updateAlert(
      tenantA,
      a!.id,
      { state: 'acknowledged', comment: 'looking' },
      { userId: officer },
    );
    expect(ack.state).toBe('acknowledged');
    deny(); // still deduplicated into the acknowledged alert
    await m.flush();
    expect((await m.getAlert(tenantA, a!.id)).evidenceCount).toBe(3);
    const done = await m.updateAlert(
      tenantA,
      a!.id,
      { state: 'false_positive', comment: 'stale bookmarks' },
      { userId: officer },
    );
    expect(done.comments.map((c) => [c.stateFrom, c.stateTo, c.body])).toEqual([
      ['open', 'acknowledged', 'looking'],
      ['acknowledged', 'false_positive', 'stale bookmarks'],
    ]);
    await expect(m.updateAlert(tenantA, a!.id, { state: 'open' }, { userId: officer })).rejects.toMatchObject(
      { code: 'conflict' },
    );
    deny();
    await m.flush();
    const open = await m.listAlerts(tenantA, { ruleId: 'out_of_scope', state: 'open' });
    expect(open.items).toHaveLength(1);
    expect(open.items[0]!.id).not.toBe(a!.id);
    await m.close();
  });

  it('configuration, shifts, baselines and active alerts survive a restart', async () => {
    const x = deps();
    const m = await createMonitor(x.d);
    await m.setRuleConfig(tenantB, 'reveal_rate', {
      threshold: 2,
      windowSeconds: 60,
      severity: 'critical',
      action: 'step-up',
    });
    await m.setShifts(tenantB, agent, {
      timeZone: 'Europe/Berlin',
      slots: [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' }],
    });
    await expect(m.setShifts(tenantB, agent, { timeZone: 'Nowhere/City', slots: [] })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(m.setRuleConfig(tenantB, 'reveal_rate', { threshold: -1 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    const f = eventFactory(Date.parse('2025-06-02T06:00:00Z')); // Mon 08:00 Berlin
    for (let h = 0; h < 3; h++) {
      for (let i = 0; i < 20; i++)
        m.ingest(f.make('conversation.read', { tenantId: tenantB, actorId: agent }));
      f.advance(3_600_000);
    }
    m.ingest(f.make('conversation.read', { tenantId: tenantB, actorId: agent }));
    m.ingest(f.make('value.reveal', { tenantId: tenantB, actorId: agent, meta: { assigned: true } }));
    m.ingest(f.make('value.reveal', { tenantId: tenantB, actorId: agent, meta: { assigned: true } }));
    await m.close();
    expect(x.requireStepUp).toHaveBeenCalledTimes(1);
    const base = await t.db.withTenant(tenantB, (tx) =>
      rows<{ samples: number; hourly_mean: number }>(
        tx,
        sql`select samples, hourly_mean from monitoring_agent_baselines`,
      ),
    );
    expect(base).toEqual([{ samples: 3, hourly_mean: 20 }]);

    const y = deps();
    const m2 = await createMonitor(y.d);
    expect(m2.getRuleConfigs(tenantB).find((r) => r.ruleId === 'reveal_rate')).toMatchObject({
      threshold: 2,
      severity: 'critical',
    });
    expect(m2.detector.activity(tenantB, agent).baselineHours).toBe(3);
    const g = eventFactory(Date.parse('2025-06-02T09:00:30Z'));
    m2.ingest(g.make('value.reveal', { tenantId: tenantB, actorId: agent, meta: { assigned: true } }));
    m2.ingest(g.make('value.reveal', { tenantId: tenantB, actorId: agent, meta: { assigned: true } }));
    g.at('2025-06-07T10:00:00Z'); // Saturday
    m2.ingest(g.make('customer.read', { tenantId: tenantB, actorId: agent }));
    await m2.flush();
    const alerts = await m2.listAlerts(tenantB);
    expect(alerts.items.map((a) => a.ruleId).sort()).toEqual(['off_shift', 'reveal_rate']);
    expect(alerts.items.find((a) => a.ruleId === 'reveal_rate')!.evidenceCount).toBe(2); // appended to the restored alert, not duplicated
    const summary = await m2.agentActivitySummary(tenantB, agent);
    expect(summary).toMatchObject({ userId: agent, openAlerts: 2, baselineHours: 3 });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    await m2.close();
  });

  it('new devices are remembered in the database across restarts', async () => {
    const m = await createMonitor(deps().d);
    const f = eventFactory();
    const login = (ua: string) =>
      m.ingest(
        f.make('session.create', {
          tenantId: null,
          actorId: officer,
          resourceType: 'session',
          uaHash: ua,
          ip: '203.0.113.9',
        }),
      );
    login('ua-home');
    await m.close();
    const stored = await t.db.withPlatform((tx) =>
      rows<{ kind: string; value_hash: string }>(
        tx,
        sql`select kind, value_hash from monitoring_known_devices order by kind`,
      ),
    );
    expect(stored.map((s) => s.kind)).toEqual(['ip_range', 'ua']);
    expect(JSON.stringify(stored)).not.toContain('203.0.113');
    const m2 = await createMonitor(deps().d);
    const g = eventFactory();
    expect(
      m2.ingest(
        g.make('session.create', {
          tenantId: null,
          actorId: officer,
          resourceType: 'session',
          uaHash: 'ua-home',
          ip: '203.0.113.50',
        }),
      ),
    ).toEqual([]);
    expect(
      m2
        .ingest(
          g.make('session.create', {
            tenantId: null,
            actorId: officer,
            resourceType: 'session',
            uaHash: 'ua-new',
            ip: '203.0.113.50',
          }),
        )
        .map((x) => x.ruleId),
    ).toEqual(['new_device']);
    await m2.close();
  });

  it('a database outage never blocks ingest; queued alerts are written once it is back', async () => {
    const x = deps();
    const m = await createMonitor(x.d);
    const errors: string[] = [];
    let down = false;
    const broken = {
      ...t.db,
      withTenant: <T>(id: string, fn: Parameters<typeof t.db.withTenant<T>>[1]) =>
        down ? Promise.reject(new Error('db down')) : t.db.withTenant(id, fn),
    } as typeof t.db;
    const m3 = await createMonitor({ ...x.d, db: broken, onError: (_e, where) => errors.push(where) });
    down = true;
    const f = eventFactory();
    m3.ingest(
      f.make('membership.grant', { tenantId: tenantA, actorId: agent, meta: { targetUserId: agent } }),
    );
    await m3.flush();
    expect(errors).toContain('monitoring.persist');
    expect(m3.stats().queuedAlerts).toBe(1);
    down = false;
    await m3.close();
    const { items } = await m.listAlerts(tenantA, { ruleId: 'self_grant' });
    expect(items.map((a) => [a.severity, a.evidenceCount])).toEqual([['critical', 1]]);
    await m.close();
  });
});
