// Each rule fires on the pattern it is for and stays quiet under ordinary work.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDetector, type Detector } from '../../src/monitoring/detector.ts';
import type { Finding, MonitoredEvent, Schedule } from '../../src/monitoring/types.ts';
import { AGENT, eventFactory, TENANT } from './events.ts';

function run(d: Detector, events: MonitoredEvent[]): Finding[] {
  return events.flatMap((e) => d.evaluate(e));
}
const rulesOf = (fs: Finding[]) => [...new Set(fs.map((f) => f.ruleId))].sort();

describe('view burst and bulk reads', () => {
  it('50 profile reads within a minute fire view_burst with high severity', () => {
    const d = createDetector();
    const f = eventFactory();
    const out: Finding[] = [];
    for (let i = 0; i < 50; i++) {
      out.push(...d.evaluate(f.make('customer.read')));
      f.advance(1000);
    }
    const burst = out.filter((x) => x.ruleId === 'view_burst');
    expect(burst).toHaveLength(1);
    expect(burst[0]).toMatchObject({ severity: 'high', observed: 50, subjectId: AGENT, tenantId: TENANT });
    expect(burst[0]!.evidence).toEqual({ tenantId: TENANT, seq: '50' });
  });

  it('200 profiles in a minute fire burst, volume and bulk-read findings', () => {
    const d = createDetector();
    const f = eventFactory();
    const out: Finding[] = [];
    for (let i = 0; i < 200; i++) {
      out.push(...d.evaluate(f.make('customer.read')));
      f.advance(250);
    }
    expect(rulesOf(out)).toEqual(['bulk_read', 'view_burst', 'view_volume']);
    expect(out.filter((x) => x.ruleId === 'view_burst')).toHaveLength(151);
  });

  it('an agent handling 30 conversations an hour, opening each customer once, stays quiet all week', () => {
    const d = createDetector();
    const f = eventFactory(Date.parse('2025-06-02T08:00:00Z'));
    const out: Finding[] = [];
    for (let day = 0; day < 5; day++) {
      for (let hour = 0; hour < 8; hour++) {
        for (let c = 0; c < 30; c++) {
          const conversation = randomUUID();
          const customer = randomUUID();
          out.push(...d.evaluate(f.make('conversation.assign', { resourceId: conversation })));
          out.push(
            ...d.evaluate(
              f.make('conversation.read', { resourceId: conversation, meta: { customerId: customer } }),
            ),
          );
          out.push(...d.evaluate(f.make('customer.read', { resourceId: customer })));
          for (let r = 0; r < 3; r++)
            out.push(...d.evaluate(f.make('conversation.reply', { resourceId: conversation })));
          f.advance(120_000);
        }
      }
      f.advance(16 * 3_600_000);
    }
    expect(out).toEqual([]);
    expect(d.activity(TENANT, AGENT).baselineHours).toBeGreaterThan(30);
  });

  it('distinct customers: many in ten minutes fire bulk_read, re-opening the same few does not', () => {
    const d = createDetector({ defaults: { view_burst: { enabled: false } } });
    const f = eventFactory();
    const few = [randomUUID(), randomUUID(), randomUUID()];
    const quiet: Finding[] = [];
    for (let i = 0; i < 150; i++) {
      quiet.push(...d.evaluate(f.make('customer.read', { resourceId: few[i % 3]! })));
      f.advance(3000);
    }
    expect(quiet.filter((x) => x.ruleId === 'bulk_read')).toEqual([]);
    const loud: Finding[] = [];
    for (let i = 0; i < 100; i++) {
      loud.push(...d.evaluate(f.make('customer.read')));
      f.advance(3000);
    }
    expect(loud.filter((x) => x.ruleId === 'bulk_read').length).toBeGreaterThan(0);
  });
});

describe('view volume against workload and baseline', () => {
  it('views far above handled conversations fire; the same views with matching workload do not', () => {
    const d = createDetector({ defaults: { view_burst: { enabled: false }, bulk_read: { enabled: false } } });
    const f = eventFactory();
    const out: Finding[] = [];
    for (let i = 0; i < 130; i++) {
      out.push(...d.evaluate(f.make('customer.read')));
      f.advance(20_000);
    }
    const v = out.filter((x) => x.ruleId === 'view_volume');
    expect(v.length).toBeGreaterThan(0);
    expect(v[0]!.observed).toBe(121); // default baseline 40/h × 3, exceeded

    const d2 = createDetector({
      defaults: { view_burst: { enabled: false }, bulk_read: { enabled: false } },
    });
    const g = eventFactory();
    const quiet: Finding[] = [];
    for (let i = 0; i < 130; i++) {
      if (i % 2 === 0) quiet.push(...d2.evaluate(g.make('conversation.reply')));
      quiet.push(...d2.evaluate(g.make('customer.read')));
      g.advance(20_000);
    }
    expect(quiet).toEqual([]);
  });

  it('a learned high baseline lets a heavy but habitual agent read more without alerts', () => {
    const d = createDetector({ defaults: { view_burst: { enabled: false }, bulk_read: { enabled: false } } });
    d.seedBaseline(TENANT, AGENT, { hourlyMean: 100, hourlyVar: 100, samples: 200 });
    const f = eventFactory();
    const out: Finding[] = [];
    for (let i = 0; i < 200; i++) {
      out.push(...d.evaluate(f.make('customer.read')));
      f.advance(15_000);
    }
    expect(out).toEqual([]);
    for (let i = 0; i < 200; i++) out.push(...d.evaluate(f.make('customer.read')));
    expect(out.filter((x) => x.ruleId === 'view_volume').length).toBeGreaterThan(0);
  });
});

describe('scope, reveals, exports', () => {
  it('repeated authz denials fire out_of_scope; a single stale link does not', () => {
    const d = createDetector();
    const f = eventFactory();
    expect(run(d, [f.make('authz.denied', { outcome: 'denied' })])).toEqual([]);
    const out = run(d, [
      f.make('authz.denied', { outcome: 'denied' }),
      f.make('authz.denied', { outcome: 'denied' }),
    ]);
    expect(out.map((x) => x.ruleId)).toEqual(['out_of_scope']);
  });

  it('a reveal outside an assigned conversation fires; assigned reveals at a normal rate do not', () => {
    const d = createDetector();
    const f = eventFactory();
    const quiet: Finding[] = [];
    for (let i = 0; i < 19; i++) {
      quiet.push(...d.evaluate(f.make('value.reveal', { meta: { assigned: true } })));
      f.advance(30_000);
    }
    expect(quiet).toEqual([]);
    const out = run(d, [f.make('value.reveal', { meta: { assigned: false } })]);
    expect(rulesOf(out)).toEqual(['reveal_rate', 'reveal_unassigned']);
  });

  it('exports above the record volume fire bulk_export; a single-customer export does not', () => {
    const d = createDetector();
    const f = eventFactory();
    expect(run(d, [f.make('customer.export', { meta: { count: 1 } })])).toEqual([]);
    const out = run(d, [f.make('customer.export', { meta: { count: 1500 } })]);
    expect(out.map((x) => x.ruleId)).toEqual(['bulk_export']);
    expect(out[0]!.observed).toBe(1501);
  });
});

const berlinWeekdays: Schedule = {
  timeZone: 'Europe/Berlin',
  slots: [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' }],
};
const nightShift: Schedule = {
  timeZone: 'Europe/Berlin',
  slots: [{ days: [5, 6], start: '22:00', end: '06:00' }],
};

describe('shifts', () => {
  const access = (d: Detector, iso: string) => {
    const f = eventFactory(Date.parse(iso));
    return d.evaluate(f.make('customer.read'));
  };

  it('access inside a Mon–Fri 08:00–17:00 Berlin shift is quiet; Saturday and 18:00 fire', () => {
    const d = createDetector();
    d.setSchedule(TENANT, AGENT, berlinWeekdays);
    expect(access(d, '2025-06-02T06:05:00Z')).toEqual([]); // Mon 08:05 CEST
    expect(access(d, '2025-12-01T15:50:00Z')).toEqual([]); // Mon 16:50 CET
    expect(access(d, '2025-06-02T15:10:00Z')).toEqual([]); // 17:10, inside 15 min grace
    expect(rulesOf(access(d, '2025-06-02T16:00:00Z'))).toEqual(['off_shift']); // 18:00 CEST
    expect(rulesOf(access(d, '2025-06-07T08:00:00Z'))).toEqual(['off_shift']); // Saturday
  });

  it('agents without a shift schedule are never flagged as off shift', () => {
    const d = createDetector();
    expect(access(d, '2025-06-07T02:00:00Z')).toEqual([]);
  });

  it('a shift crossing midnight covers the early hours of the next day only', () => {
    const d = createDetector();
    d.setSchedule(TENANT, AGENT, nightShift);
    expect(access(d, '2025-06-06T21:00:00Z')).toEqual([]); // Fri 23:00
    expect(access(d, '2025-06-07T02:00:00Z')).toEqual([]); // Sat 04:00, Friday's shift
    expect(access(d, '2025-06-08T03:00:00Z')).toEqual([]); // Sun 05:00, Saturday's shift
    expect(rulesOf(access(d, '2025-06-09T01:00:00Z'))).toEqual(['off_shift']); // Mon 03:00: no Sunday shift
  });

  it('follows the wall clock across the DST changes', () => {
    const d = createDetector();
    d.setSchedule(TENANT, AGENT, nightShift);
    // 2025-03-30: clocks go 02:00 → 03:00 in Berlin. 03:30Z is 05:30 CEST (in shift), 04:30Z is 06:30.
    expect(access(d, '2025-03-30T03:30:00Z')).toEqual([]);
    expect(rulesOf(access(d, '2025-03-30T04:30:00Z'))).toEqual(['off_shift']);
    // 2025-10-26: clocks go 03:00 → 02:00. 04:50Z is 05:50 CET (in shift), 05:30Z is 06:30.
    expect(access(d, '2025-10-26T04:50:00Z')).toEqual([]);
    expect(rulesOf(access(d, '2025-10-26T05:30:00Z'))).toEqual(['off_shift']);
  });
});

describe('sessions and devices', () => {
  const login = (f: ReturnType<typeof eventFactory>, ua: string, ip: string) =>
    f.make('session.create', { tenantId: null, resourceType: 'session', uaHash: ua, ip });

  it('the first session teaches; the same device and /24 later are quiet; a new device fires', () => {
    const d = createDetector();
    const f = eventFactory();
    expect(run(d, [login(f, 'ua-1', '203.0.113.10')])).toEqual([]);
    expect(
      run(d, [f.make('session.revoke', { tenantId: null, resourceType: 'user', resourceId: AGENT })]),
    ).toEqual([]);
    expect(run(d, [login(f, 'ua-1', '203.0.113.77')])).toEqual([]); // same /24
    const out = run(d, [login(f, 'ua-2', '203.0.113.77')]);
    expect(out.map((x) => x.ruleId)).toEqual(['new_device']);
    expect(out[0]!.tenantId).toBeNull();
    expect(d.drainKnownDevices().map((x) => x.kind)).toEqual(['ua', 'ip_range', 'ua']);
  });

  it('a new IPv6 /48 fires; another address in the same /48 does not', () => {
    const d = createDetector();
    const f = eventFactory();
    run(d, [login(f, 'ua-1', '2001:db8:1:1::5')]);
    expect(run(d, [login(f, 'ua-1', '2001:db8:1:ffff::9')])).toEqual([]);
    expect(run(d, [login(f, 'ua-1', '2001:db8:2::1')]).map((x) => x.ruleId)).toEqual(['new_device']);
  });

  it('several concurrent sessions fire; sessions that are revoked do not add up', () => {
    const d = createDetector();
    const f = eventFactory();
    const quiet: Finding[] = [];
    for (let i = 0; i < 10; i++) {
      const s = login(f, 'ua-1', '203.0.113.10');
      quiet.push(...d.evaluate(s));
      quiet.push(
        ...d.evaluate(
          f.make('session.revoke', { tenantId: null, resourceType: 'session', resourceId: s.resourceId }),
        ),
      );
    }
    expect(quiet).toEqual([]);
    const out = run(
      d,
      [1, 2, 3, 4].map(() => login(f, 'ua-1', '203.0.113.10')),
    );
    expect(out.map((x) => x.ruleId)).toEqual(['concurrent_sessions']);
  });
});

describe('failed logins', () => {
  const fail = (f: ReturnType<typeof eventFactory>, account: string, ip: string, action = 'auth.login') =>
    f.make(action, {
      tenantId: null,
      actorType: 'visitor',
      actorId: null,
      resourceType: 'user',
      resourceId: account,
      outcome: 'failure',
      ip,
    });

  it('a burst against one account fires per account; two typos do not', () => {
    const d = createDetector();
    const f = eventFactory();
    expect(run(d, [fail(f, AGENT, '198.51.100.1'), fail(f, AGENT, '198.51.100.1', 'auth.mfa')])).toEqual([]);
    const out = run(
      d,
      // Eight different addresses (none of them the one above): a per-account burst, no source burst.
      Array.from({ length: 8 }, (_, i) => fail(f, AGENT, `198.51.100.${10 + i}`)),
    );
    expect(rulesOf(out)).toEqual(['failed_login_account']);
    expect(out[0]).toMatchObject({ subjectType: 'user', subjectId: AGENT, tenantId: null });
  });

  it('spraying many accounts from one address fires per source, keyed by a pseudonym', () => {
    const d = createDetector({ hashKey: 'k' });
    const f = eventFactory();
    const out = run(
      d,
      Array.from({ length: 30 }, () => fail(f, randomUUID(), '198.51.100.7')),
    );
    expect(rulesOf(out)).toEqual(['failed_login_ip']);
    expect(out[0]!.subjectType).toBe('ip_range');
    expect(out[0]!.subjectId).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(out)).not.toContain('198.51.100');
  });
});

describe('permission changes', () => {
  const target = '33333333-3333-4333-8333-333333333333';

  it('a self-granted role fires critical; granting someone else does not', () => {
    const d = createDetector();
    const f = eventFactory();
    expect(
      run(d, [f.make('membership.grant', { resourceType: 'membership', meta: { targetUserId: target } })]),
    ).toEqual([]);
    const out = run(d, [
      f.make('membership.grant', { resourceType: 'membership', meta: { targetUserId: AGENT } }),
    ]);
    expect(out.map((x) => [x.ruleId, x.severity])).toEqual([['self_grant', 'critical']]);
  });

  it('changes outside the configured change window fire; inside it they do not', () => {
    const d = createDetector();
    d.setRuleConfig(TENANT, 'permission_change_off_window', {
      params: {
        changeWindow: { timeZone: 'Europe/Berlin', slots: [{ days: [2, 4], start: '10:00', end: '12:00' }] },
      },
    });
    const f = eventFactory(Date.parse('2025-06-03T08:30:00Z')); // Tue 10:30 CEST
    expect(run(d, [f.make('membership.grant', { meta: { targetUserId: target } })])).toEqual([]);
    f.at('2025-06-03T12:00:00Z'); // Tue 14:00
    const out = run(d, [f.make('membership.revoke', { meta: { targetUserId: target } })]);
    expect(out.map((x) => x.ruleId)).toEqual(['permission_change_off_window']);
  });
});

describe('configuration', () => {
  it('per-tenant overrides change thresholds for that tenant only; disabled rules stay silent', () => {
    const d = createDetector();
    const other = randomUUID();
    d.setRuleConfig(TENANT, 'out_of_scope', { threshold: 1, severity: 'high' });
    d.setRuleConfig(other, 'out_of_scope', { enabled: false });
    const f = eventFactory();
    expect(run(d, [f.make('authz.denied')]).map((x) => x.severity)).toEqual(['high']);
    expect(
      run(
        d,
        [1, 2, 3, 4].map(() => f.make('authz.denied', { tenantId: other })),
      ),
    ).toEqual([]);
  });

  it('rejects malformed overrides', () => {
    const d = createDetector();
    expect(() => d.setRuleConfig(TENANT, 'view_burst', { threshold: 0 })).toThrow(/threshold/);
    expect(() => d.setRuleConfig(TENANT, 'view_burst', { action: 'delete' as never })).toThrow(/action/);
    expect(() =>
      d.setRuleConfig(TENANT, 'off_shift', {
        params: { changeWindow: { timeZone: 'Mars/Olympus', slots: [] } },
      }),
    ).toThrow(/change window/);
  });
});
