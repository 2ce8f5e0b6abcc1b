// Conversation events published after a commit. They carry ids only: clients fetch the content
// through the authorized API, so a live channel never becomes a side door to personal data.

export type ConversationEventType =
  | 'conversation.created'
  | 'conversation.updated'
  | 'conversation.assigned'
  | 'message.created';

export interface ConversationEvent {
  type: ConversationEventType;
  tenantId: string;
  conversationId: string;
  queueId: string | null;
  assigneeId: string | null;
  messageId?: string;
}

export interface EventSink {
  publish(e: ConversationEvent): void;
}

/** A tiny synchronous fan-out; subscribers must not throw (errors are swallowed). */
export function createEventBus(): EventSink & { subscribe(fn: (e: ConversationEvent) => void): () => void } {
  const subs = new Set<(e: ConversationEvent) => void>();
  return {
    publish(e) {
      for (const fn of subs) {
        try {
          fn(e);
        } catch {
          // a broken subscriber must not break the write path
        }
      }
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}
