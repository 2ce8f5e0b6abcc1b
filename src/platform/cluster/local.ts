// The in-process bus: one node, no NATS. Publishing delivers synchronously to this node.
import { randomUUID } from 'node:crypto';
import type { ClusterBus, ClusterEvent } from './types.ts';

export type Listener = (e: ClusterEvent, origin: { local: boolean }) => void;

/** Calls every listener; a broken listener never breaks the publisher or the others. */
export function fanOut(listeners: Set<Listener>, e: ClusterEvent, local: boolean): void {
  for (const l of listeners) {
    try {
      l(e, { local });
    } catch {
      // subscribers own their errors
    }
  }
}

export function createLocalBus(nodeId: string = randomUUID()): ClusterBus {
  const listeners = new Set<Listener>();
  return {
    nodeId,
    kind: 'local',
    publish: (e) => fanOut(listeners, e, true),
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    connected: () => true,
    close: async () => listeners.clear(),
  };
}
