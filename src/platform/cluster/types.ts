// Cross-node events. They carry ids only (like the live hub): a node that receives one reads
// whatever it needs from the database, which stays the single source of truth.
import type { ConversationEvent } from '../../ingest/events.ts';
import type { MonitoredEvent } from '../../monitoring/types.ts';

export type ClusterEvent =
  /** A conversation changed on some node: agents connected anywhere get the live update. */
  | { type: 'conversation'; event: ConversationEvent }
  /** Sessions were revoked (sign-out, admin revoke, suspension): drop sockets, forget caches. */
  | { type: 'sessions.revoked'; userId: string; sessionIds: string[] }
  /**
   * An audit event as stored (ids, address and user-agent hash; no personal data values), for
   * the insider detector of the node that holds the detector lease.
   */
  | { type: 'audit.event'; event: MonitoredEvent }
  /** An agent's chat message for a visitor whose widget socket is not on the sending node. */
  | {
      type: 'chat.deliver';
      tenantId: string;
      visitorId: string;
      conversationId: string;
      messageId: string;
      createdAt: string;
    }
  | TypingEvent;

/**
 * Someone is typing in a chat conversation (issue 25): ids only, never text, never stored. From an
 * agent it reaches the visitor's widget; from the visitor it reaches the agents who may see it.
 */
export interface TypingEvent {
  type: 'typing';
  tenantId: string;
  conversationId: string;
  queueId: string | null;
  assigneeId: string | null;
  visitorId: string | null;
  from: 'agent' | 'visitor';
  /** The typing agent (not told about their own typing). */
  userId?: string;
}

export type ClusterEventType = ClusterEvent['type'];

export interface ClusterBus {
  readonly nodeId: string;
  readonly kind: 'local' | 'nats';
  /** Delivers to this node's subscribers at once and, when clustered, to every other node. */
  publish(e: ClusterEvent): void;
  /** `local` tells whether the event was published by this node. */
  subscribe(fn: (e: ClusterEvent, origin: { local: boolean }) => void): () => void;
  /** True when events reach the other nodes right now (always true for the local bus). */
  connected(): boolean;
  close(): Promise<void>;
}
