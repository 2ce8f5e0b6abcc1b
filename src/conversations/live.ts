// Live updates for agents: one hub per process, WebSocket connections registered per user and
// tenant. Events carry ids only and reach only agents who may see the conversation (its queue,
// its assignee, or a supervisor). Also the presence source for round-robin assignment.
import type { ConversationEvent } from '../ingest/index.ts';
import type { TypingEvent } from '../platform/cluster/types.ts';

export interface LiveSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  readonly readyState: number;
}

interface Conn {
  userId: string;
  tenantId: string;
  scope: 'all' | Set<string>;
  socket: LiveSocket;
}

export function createLiveHub() {
  const conns = new Set<Conn>();
  return {
    register(c: Conn): () => void {
      conns.add(c);
      return () => {
        conns.delete(c);
      };
    },
    isOnline(tenantId: string, userId: string): boolean {
      for (const c of conns) if (c.tenantId === tenantId && c.userId === userId) return true;
      return false;
    },
    /** Ends every live connection of a user (sign-out, suspension). */
    dropUser(userId: string): void {
      for (const c of conns) if (c.userId === userId) c.socket.close(4401, 'session ended');
    },
    publish(e: ConversationEvent): void {
      const payload = JSON.stringify({
        type: e.type,
        conversationId: e.conversationId,
        ...(e.messageId ? { messageId: e.messageId } : {}),
        queueId: e.queueId,
        assigneeId: e.assigneeId,
      });
      for (const c of conns) {
        if (c.tenantId !== e.tenantId) continue;
        const visible =
          c.scope === 'all' || (e.queueId !== null && c.scope.has(e.queueId)) || e.assigneeId === c.userId;
        if (!visible || c.socket.readyState !== 1) continue;
        try {
          c.socket.send(payload);
        } catch {
          // a dead socket is removed by its close handler
        }
      }
    },
    /** A visitor (or another agent) is typing: to the agents who may see the conversation. */
    typing(e: TypingEvent): void {
      const payload = JSON.stringify({ type: 'typing', conversationId: e.conversationId, from: e.from });
      for (const c of conns) {
        if (c.tenantId !== e.tenantId || c.userId === e.userId || c.socket.readyState !== 1) continue;
        const visible =
          c.scope === 'all' || (e.queueId !== null && c.scope.has(e.queueId)) || e.assigneeId === c.userId;
        if (!visible) continue;
        try {
          c.socket.send(payload);
        } catch {
          // a dead socket is removed by its close handler
        }
      }
    },
    size: () => conns.size,
  };
}

export type LiveHub = ReturnType<typeof createLiveHub>;
