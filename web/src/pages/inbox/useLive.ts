// The inbox's live socket: events carry ids only (the content comes through the HTTP API); the one
// frame the console sends is "typing" for a conversation (ids only, limited on both sides).
import { useCallback, useEffect, useRef, useState } from 'react';
import { tenantPath } from '../../api';

export interface LiveEvent {
  type: string;
  conversationId?: string;
  messageId?: string;
  queueId?: string | null;
  assigneeId?: string | null;
  from?: 'agent' | 'visitor';
}

export function useLive(slug: string, onEvent: (e: LiveEvent) => void) {
  const [state, setState] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const socket = useRef<WebSocket | null>(null);
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    let closed = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
      const ws = new WebSocket(`${proto}//${location.host}${tenantPath(slug, '/live')}`);
      socket.current = ws;
      ws.onopen = () => setState('live');
      ws.onmessage = (ev) => {
        let e: LiveEvent;
        try {
          e = JSON.parse(String(ev.data)) as LiveEvent;
        } catch {
          return;
        }
        if (e && typeof e.type === 'string' && e.type !== 'hello') handler.current(e);
      };
      ws.onclose = () => {
        setState('offline');
        if (!closed) retry = setTimeout(connect, 3000);
      };
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(retry);
      socket.current?.close();
    };
  }, [slug]);

  // At most one typing frame per conversation every two seconds (the server drops more anyway).
  const lastTyping = useRef<{ id: string; at: number } | null>(null);
  const typing = useCallback((conversationId: string) => {
    const now = Date.now();
    const last = lastTyping.current;
    if (last && last.id === conversationId && now - last.at < 2000) return;
    const ws = socket.current;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    lastTyping.current = { id: conversationId, at: now };
    ws.send(JSON.stringify({ type: 'typing', conversationId }));
  }, []);

  return { state, typing };
}
