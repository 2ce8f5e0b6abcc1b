// The bus across nodes over core NATS (the same server that carries the JetStream SIEM export).
// Live events are ephemeral on purpose: a node that misses one (NATS down, restart) loses a
// hint, not data — agents refetch from the database, and revoked sessions are refused by every
// node's session check anyway. So at-most-once pub/sub is the right tool, not a stream.
// The connection is made in the background: a node starts and serves without NATS.
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection, type Subscription } from 'nats';
import { fanOut, type Listener } from './local.ts';
import type { ClusterBus, ClusterEvent } from './types.ts';

interface Envelope {
  v: 1;
  node: string;
  traceparent?: string;
  event: ClusterEvent;
}

export interface NatsBusOptions {
  servers: string | string[];
  /** Subject prefix; nodes of one deployment share it. */
  subject?: string;
  nodeId?: string;
  onError?: (e: unknown) => void;
}

export function createNatsBus(o: NatsBusOptions): ClusterBus {
  const nodeId = o.nodeId ?? randomUUID();
  const subject = o.subject ?? 'vigil.cluster';
  const listeners = new Set<Listener>();
  let nc: NatsConnection | null = null;
  let sub: Subscription | null = null;
  let closed = false;
  let up = false;

  const ready = (async () => {
    try {
      const c = await connect({
        servers: o.servers,
        name: `vigil-${nodeId}`,
        waitOnFirstConnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        timeout: 2000,
      });
      if (closed) {
        await c.close();
        return;
      }
      nc = c;
      void (async () => {
        for await (const s of c.status()) {
          if (s.type === 'disconnect') up = false;
          else if (s.type === 'reconnect') up = true;
        }
      })().catch(() => {});
      sub = c.subscribe(`${subject}.>`, {
        callback: (err, m) => {
          if (err) return o.onError?.(err);
          let env: Envelope;
          try {
            env = m.json<Envelope>();
          } catch {
            return;
          }
          if (env?.v !== 1 || env.node === nodeId || !env.event) return;
          fanOut(listeners, env.event, false);
        },
      });
      // Connected means able to receive: the server has the subscription once the flush returns.
      await c.flush();
      up = true;
    } catch (e) {
      if (!closed) o.onError?.(e);
    }
  })();

  return {
    nodeId,
    kind: 'nats',
    publish(e) {
      fanOut(listeners, e, true);
      if (!nc || nc.isClosed()) return;
      try {
        const env: Envelope = { v: 1, node: nodeId, event: e };
        nc.publish(`${subject}.${e.type}`, JSON.stringify(env));
      } catch (err) {
        o.onError?.(err);
      }
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    connected: () => up && nc !== null && !nc.isClosed(),
    async close() {
      closed = true;
      listeners.clear();
      sub?.unsubscribe();
      const c = nc;
      nc = null;
      if (c) await c.drain().catch(() => c.close());
      // A pending first connect gives up when `closed` is seen; do not wait for it forever.
      await Promise.race([ready, new Promise((r) => setTimeout(r, 50))]);
    },
  };
}

/** Resolves once the bus has a live NATS connection (tests; readiness). */
export async function waitForBus(bus: ClusterBus, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!bus.connected()) {
    if (Date.now() > until) throw new Error('cluster bus not connected');
    await new Promise((r) => setTimeout(r, 25));
  }
}
