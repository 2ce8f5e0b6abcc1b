// Bounded memory: a million events from 50,000 distinct actors against a 10,000-key cap. The
// detector's state must stay under a fixed bound and stop growing once the windows are full.
import { describe, expect, it } from 'vitest';
import { LruMap } from '../../src/monitoring/bounded.ts';
import { createDetector } from '../../src/monitoring/detector.ts';
import { syntheticEvents } from '../../tools/generate/monitoring-events.ts';

describe('bounded detector state', () => {
  it('1,000,000 events, 50,000 actors: state stays under the bound and flat', { timeout: 240_000 }, () => {
    const maxKeys = 10_000;
    const d = createDetector({ maxKeysPerRule: maxKeys });
    // 14 rule stores plus inner members; 40 entries per tracked key is far above what the
    // traffic mix needs and far below "one entry per event" (1,000,000).
    const bound = 40 * maxKeys;
    const samples: number[] = [];
    let n = 0;
    let findings = 0;
    for (const e of syntheticEvents({ events: 1_000_000, actors: 50_000, spacingMs: 5 })) {
      findings += d.evaluate(e).length;
      if (++n % 100_000 === 0) samples.push(d.stateSize());
    }
    expect(n).toBe(1_000_000);
    expect(findings).toBeGreaterThan(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(bound);
    expect(d.stateSize()).toBeLessThanOrEqual(d.stateBound());
    // Flat: the second half adds less than 10 % to the state held at the half-way point.
    expect(samples[9]!).toBeLessThan(samples[4]! * 1.1);
  });

  it('the LRU map never exceeds its capacity and evicts the least recently written key', () => {
    const evicted: string[] = [];
    const m = new LruMap<number>(3, (k) => evicted.push(k));
    for (const k of ['a', 'b', 'c', 'd']) m.set(k, 1);
    expect(m.size).toBe(3);
    expect(evicted).toEqual(['a']);
    for (let i = 0; i < 100_000; i++) m.set(`k${i}`, i);
    expect(m.size).toBe(3);
    expect(m.queueLength).toBeLessThanOrEqual(2 * 3 + 64);
  });
});
