// The cluster bus: NATS when configured, otherwise in process (one node).
import { createLocalBus } from './local.ts';
import { createNatsBus } from './nats.ts';
import type { ClusterBus } from './types.ts';

export { createLocalBus } from './local.ts';
export { createNatsBus, waitForBus } from './nats.ts';
export type { ClusterBus, ClusterEvent, ClusterEventType } from './types.ts';

export function createClusterBus(o: {
  natsUrl?: string | undefined;
  subject?: string | undefined;
  onError?: (e: unknown) => void;
}): ClusterBus {
  if (!o.natsUrl) return createLocalBus();
  return createNatsBus({
    servers: o.natsUrl.split(','),
    ...(o.subject ? { subject: o.subject } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
  });
}
