// Builders for monitored events in tests: realistic ids, an explicit clock, increasing seq.
import { randomUUID } from 'node:crypto';
import type { MonitoredEvent } from '../../src/monitoring/types.ts';

export const TENANT = '11111111-1111-4111-8111-111111111111';
export const AGENT = '22222222-2222-4222-8222-222222222222';

export function eventFactory(start = Date.parse('2025-06-02T09:00:00Z')) {
  let seq = 0;
  let now = start;
  const make = (action: string, over: Partial<MonitoredEvent> = {}): MonitoredEvent => ({
    tenantId: TENANT,
    seq: ++seq,
    time: now,
    actorType: 'user',
    actorId: AGENT,
    action,
    resourceType: action.split('.')[0] ?? null,
    resourceId: randomUUID(),
    outcome: 'success',
    meta: {},
    ...over,
  });
  return {
    make,
    advance(ms: number) {
      now += ms;
    },
    at(t: number | string) {
      now = typeof t === 'number' ? t : Date.parse(t);
    },
    get now() {
      return now;
    },
  };
}
