// The tenant's live socket (ids only) as a refresh signal for aggregate views: any event other
// than the greeting calls `onEvent`; the socket reconnects after a drop.
import { useEffect, useRef } from 'react';
import { tenantPath } from '../../api';

const RECONNECT_MS = 3000;

export function useLiveSignal(slug: string, onEvent: () => void): void {
  const cb = useRef(onEvent);
  cb.current = onEvent;
  useEffect(() => {
    let socket: WebSocket | null = null;
    let stopped = false;
    let again: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
      socket = new WebSocket(`${scheme}//${location.host}${tenantPath(slug, '/live')}`);
      socket.onmessage = (m) => {
        if (!String(m.data).includes('"hello"')) cb.current();
      };
      socket.onclose = () => {
        if (!stopped) again = setTimeout(open, RECONNECT_MS);
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(again);
      socket?.close();
    };
  }, [slug]);
}
