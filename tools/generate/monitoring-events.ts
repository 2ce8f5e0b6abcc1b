// Deterministic synthetic audit traffic for the memory test and the benchmark: a realistic mix
// of reads, replies, reveals and logins over many actors, generated lazily (no event arrays).
import type { MonitoredEvent } from '../../src/monitoring/types.ts';

const ACTIONS: [string, number][] = [
  ['customer.read', 0.45],
  ['conversation.read', 0.2],
  ['conversation.reply', 0.15],
  ['customer.search', 0.05],
  ['value.reveal', 0.05],
  ['authz.denied', 0.03],
  ['session.create', 0.03],
  ['auth.login', 0.02],
  ['session.revoke', 0.01],
  ['conversation.assign', 0.01],
];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
/** A uuid-shaped id derived from a number, so ids repeat without storing them. */
export const syntheticId = (kind: number, n: number) => `${hex(kind, 8)}-0000-4000-8000-${hex(n, 12)}`;

export interface SyntheticOptions {
  events: number;
  actors: number;
  tenants?: number;
  customers?: number;
  seed?: number;
  start?: number;
  /** Mean spacing of events in ms (default 5: 200 events/s of audit traffic). */
  spacingMs?: number;
}

export function* syntheticEvents(o: SyntheticOptions): Generator<MonitoredEvent> {
  const rnd = mulberry32(o.seed ?? 7);
  const tenants = o.tenants ?? 20;
  const customers = o.customers ?? 1_000_000;
  let t = o.start ?? Date.parse('2025-06-02T06:00:00Z');
  for (let seq = 1; seq <= o.events; seq++) {
    t += Math.floor(rnd() * 2 * (o.spacingMs ?? 5));
    const actor = Math.floor(rnd() * o.actors);
    let r = rnd();
    let action = 'customer.read';
    for (const [a, p] of ACTIONS) {
      if (r < p) {
        action = a;
        break;
      }
      r -= p;
    }
    const login = action === 'auth.login';
    yield {
      tenantId: login || action.startsWith('session.') ? null : syntheticId(1, actor % tenants),
      seq,
      time: t,
      actorType: login ? 'visitor' : 'user',
      actorId: login ? null : syntheticId(2, actor),
      action,
      resourceType: login ? 'user' : (action.split('.')[0] ?? null),
      resourceId: login ? syntheticId(2, actor) : syntheticId(3, Math.floor(rnd() * customers)),
      outcome: login
        ? rnd() < 0.3
          ? 'failure'
          : 'success'
        : action === 'authz.denied'
          ? 'denied'
          : 'success',
      ip: `10.${actor % 250}.${Math.floor(rnd() * 4)}.${Math.floor(rnd() * 250)}`,
      uaHash: hex(actor % 7, 16),
      meta: action === 'value.reveal' ? { assigned: rnd() < 0.98 } : {},
    };
  }
}
