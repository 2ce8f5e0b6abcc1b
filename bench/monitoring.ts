// Detector throughput (events/s, one core) and heap at start, middle and end of a run, next to a
// same-run baseline that only copies events, so numbers compare across machines.
import { createDetector } from '../src/monitoring/detector.ts';
import type { MonitoredEvent } from '../src/monitoring/types.ts';
import { syntheticEvents, syntheticId } from '../tools/generate/monitoring-events.ts';

const heapMb = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10;
};

export interface MonitoringBench {
  events: number;
  actors: number;
  detectorEventsPerSecond: number;
  baselineCopyEventsPerSecond: number;
  findings: number;
  /** Simulated audit-traffic duration covered by the run. */
  simulatedHours: number;
  heapMb: { empty: number; start: number; middle: number; end: number };
  stateSize: { start: number; middle: number; end: number; bound: number };
  gcExposed: boolean;
}

export async function benchMonitoring(
  opts: { events?: number; actors?: number } = {},
): Promise<MonitoringBench> {
  const events = opts.events ?? 1_000_000;
  const actors = opts.actors ?? 50_000;
  // 20 ms mean spacing: ~5.5 h of traffic, so hour-long windows fill early in the run.
  const spacingMs = 20;
  const detector = createDetector({ maxKeysPerRule: 100_000 });
  for (let i = 0; i < 5000; i++) {
    detector.setSchedule(syntheticId(1, i % 20), syntheticId(2, i), {
      timeZone: 'Europe/Berlin',
      slots: [{ days: [1, 2, 3, 4, 5], start: '07:00', end: '19:00' }],
    });
  }

  const emptyHeap = heapMb();
  // Baseline: the same generator, each event copied and keyed, no detection.
  let sink = 0;
  let t0 = performance.now();
  for (const e of syntheticEvents({ events, actors, spacingMs })) {
    const copy: MonitoredEvent = { ...e, meta: { ...e.meta } };
    sink += `${copy.tenantId}|${copy.actorId}`.length;
  }
  const baselineMs = performance.now() - t0;

  // Heap is sampled after a third of the run (every actor seen, hourly windows filled), at two
  // thirds and at the end: a flat line means state stopped growing with the event count.
  const heap: number[] = [];
  const state: number[] = [];
  let findings = 0;
  let n = 0;
  t0 = performance.now();
  let paused = 0;
  const marks = new Set([Math.floor(events / 3), Math.floor((2 * events) / 3)]);
  for (const e of syntheticEvents({ events, actors, spacingMs })) {
    findings += detector.evaluate(e).length;
    if (marks.has(++n)) {
      const p = performance.now();
      heap.push(heapMb());
      state.push(detector.stateSize());
      paused += performance.now() - p;
    }
  }
  const detectMs = performance.now() - t0 - paused;
  const end = heapMb();
  if (sink < 0) throw new Error('unreachable');
  return {
    events,
    actors,
    detectorEventsPerSecond: Math.round(events / (detectMs / 1000)),
    baselineCopyEventsPerSecond: Math.round(events / (baselineMs / 1000)),
    findings,
    simulatedHours: Math.round(((events * spacingMs) / 3_600_000) * 10) / 10,
    heapMb: { empty: emptyHeap, start: heap[0] ?? 0, middle: heap[1] ?? 0, end },
    stateSize: {
      start: state[0] ?? 0,
      middle: state[1] ?? 0,
      end: detector.stateSize(),
      bound: detector.stateBound(),
    },
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
  };
}
