// The monitoring rules caller verification and payments feed: a locked verification alerts at
// once, many failed attempts by one agent across conversations alert, card testing (declines from
// one network) alerts; ordinary work stays quiet.
import { describe, expect, it } from 'vitest';
import { createDetector } from '../../src/monitoring/detector.ts';
import type { Finding } from '../../src/monitoring/types.ts';
import { AGENT, eventFactory } from '../monitoring/events.ts';

const ids = (fs: Finding[]) => fs.map((f) => f.ruleId);

describe('verification and payment rules', () => {
  it('verification.locked by an agent raises verification_locked on that agent', () => {
    const d = createDetector();
    const f = eventFactory();
    const out = d.evaluate(
      f.make('verification.locked', { outcome: 'denied', resourceType: 'conversation' }),
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ ruleId: 'verification_locked', subjectType: 'user', subjectId: AGENT });
  });

  it('eight failed attempts within 15 minutes across conversations fire verification_failures; seven do not', () => {
    const d = createDetector();
    const f = eventFactory();
    const fail = () =>
      d.evaluate(f.make('verification.attempt', { outcome: 'failure', resourceType: 'conversation' }));
    const out: Finding[] = [];
    for (let i = 0; i < 7; i++) {
      out.push(...fail());
      f.advance(60_000);
    }
    expect(ids(out)).toEqual([]);
    // Passed attempts do not count.
    out.push(...d.evaluate(f.make('verification.attempt', { resourceType: 'conversation' })));
    expect(ids(out)).toEqual([]);
    out.push(...fail());
    expect(ids(out)).toEqual(['verification_failures']);
    // A slow trickle (one every 5 minutes) stays quiet.
    const d2 = createDetector();
    const g = eventFactory();
    const slow: Finding[] = [];
    for (let i = 0; i < 20; i++) {
      slow.push(...d2.evaluate(g.make('verification.attempt', { outcome: 'failure' })));
      g.advance(5 * 60_000);
    }
    expect(ids(slow)).toEqual([]);
  });

  it('five declined payments from one network within 10 minutes fire payment_declines (card testing)', () => {
    const d = createDetector();
    const f = eventFactory();
    const decline = (ip: string) =>
      d.evaluate(
        f.make('payment.capture', {
          actorType: 'visitor',
          actorId: null,
          outcome: 'failure',
          ip,
          resourceType: 'payment_request',
        }),
      );
    const out: Finding[] = [];
    for (let i = 0; i < 4; i++) out.push(...decline(`203.0.113.${10 + i}`));
    // Declines from other networks and successful payments do not add up.
    out.push(...decline('198.51.100.7'));
    out.push(
      ...d.evaluate(f.make('payment.capture', { actorType: 'visitor', actorId: null, ip: '203.0.113.9' })),
    );
    expect(ids(out)).toEqual([]);
    out.push(...decline('203.0.113.99'));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ ruleId: 'payment_declines', subjectType: 'ip_range', severity: 'high' });
    // The subject is a keyed pseudonym of the network, never the address.
    expect(out[0]!.subjectId).not.toContain('203.0.113');
  });
});
