// Cockpit events feed the monitoring rules: tampering, blocked-path probing, mass viewing,
// a tool of a tenant the agent does not work for, and use of client tools outside the shift.
import { describe, expect, it } from 'vitest';
import { createDetector } from '../../src/monitoring/detector.ts';
import type { MonitoredEvent } from '../../src/monitoring/types.ts';

const TENANT = '7b0c5a52-8f1e-4d3a-9c55-2a7e3d9b1f00';
const AGENT = 'a1b2c3d4-0000-4000-8000-000000000001';
let seq = 0;
const ev = (action: string, over: Partial<MonitoredEvent> = {}): MonitoredEvent => ({
  tenantId: TENANT,
  seq: ++seq,
  time: Date.parse('2026-11-23T10:00:00Z') + seq * 1000,
  actorType: 'user',
  actorId: AGENT,
  action,
  resourceType: 'cockpit_tool',
  resourceId: null,
  outcome: 'success',
  meta: { origin: 'https://crm.client.example', path: '/orders/:id' },
  ...over,
});
const rulesOf = (out: Array<{ ruleId: string }>) => out.map((f) => f.ruleId);

describe('Cockpit monitoring rules', () => {
  it('one tamper record raises a high alert about the user', () => {
    const d = createDetector();
    const out = d.evaluate(
      ev('cockpit.tamper', {
        actorType: 'system',
        actorId: null,
        resourceType: 'user',
        resourceId: AGENT,
        outcome: 'failure',
      }),
    );
    expect(out.map((f) => [f.ruleId, f.subjectId, f.severity])).toEqual([['cockpit_tamper', AGENT, 'high']]);
  });

  it('the fifth blocked path within ten minutes is probing; four are not', () => {
    const d = createDetector();
    const fired = Array.from({ length: 5 }, () =>
      rulesOf(d.evaluate(ev('cockpit.blocked', { outcome: 'denied' }))),
    );
    expect(fired.slice(0, 4).flat()).toEqual([]);
    expect(fired[4]).toEqual(['cockpit_blocked_probing']);
  });

  it('mass viewing trips at the threshold of visits per hour', () => {
    const d = createDetector();
    d.setRuleConfig(TENANT, 'cockpit_mass_viewing', { threshold: 20 });
    const fired = Array.from({ length: 20 }, () => rulesOf(d.evaluate(ev('cockpit.visit'))));
    expect(fired.slice(0, 19).flat()).toEqual([]);
    expect(fired[19]).toEqual(['cockpit_mass_viewing']);
  });

  it('a foreign tool alerts at once', () => {
    const d = createDetector();
    expect(rulesOf(d.evaluate(ev('cockpit.foreign_tool', { outcome: 'denied' })))).toEqual([
      'cockpit_foreign_tool',
    ]);
  });

  it('client tool visits outside the agent shift count as off-shift use', () => {
    const d = createDetector();
    d.setSchedule(TENANT, AGENT, {
      timeZone: 'UTC',
      slots: [{ days: [1, 2, 3, 4, 5], start: '14:00', end: '22:00' }],
    });
    expect(rulesOf(d.evaluate(ev('cockpit.visit')))).toContain('off_shift'); // 10:00 UTC, shift starts 14:00
    const inShift = ev('cockpit.visit', { time: Date.parse('2026-11-23T15:00:00Z') });
    expect(rulesOf(d.evaluate(inShift))).not.toContain('off_shift');
  });
});
