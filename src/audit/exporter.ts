// SIEM exporter: a background loop per sink that reads each chain past the sink's cursor (the
// append-only event table is the outbox), delivers in seq order and advances the cursor only
// after success: at-least-once, ordered per tenant, resumable after restarts. A failing sink
// backs off exponentially and never blocks appends or other sinks. Run one exporter per sink
// across the cluster (a second one would only duplicate deliveries, never lose or reorder).
import { sql } from 'drizzle-orm';
import { type Database, rows } from '../platform/db.ts';
import type { AuditSink } from './sinks/types.ts';
import { EVENT_COLUMNS, type EventRow, rowToEvent } from './store.ts';
import { ZERO_CHAIN } from './types.ts';

export interface ExporterOptions {
  db: Database;
  sinks: AuditSink[];
  batchSize?: number;
  pollMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  /** Called with the sink id and error on each failed delivery (no event data in it). */
  onError?: (sinkId: string, error: unknown) => void;
}

export interface AuditExporter {
  start(): void;
  stop(): Promise<void>;
  /** Delivers everything pending to one sink once; returns the number of events delivered. */
  pump(sink: AuditSink): Promise<number>;
}

export function backoffDelay(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
}

export function createAuditExporter(o: ExporterOptions): AuditExporter {
  const batchSize = o.batchSize ?? 500;
  const pollMs = o.pollMs ?? 1000;
  const initialMs = o.backoff?.initialMs ?? 500;
  const maxMs = o.backoff?.maxMs ?? 60_000;
  let stopped = true;
  let loops: Promise<void>[] = [];
  const wakers = new Set<() => void>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        wakers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      wakers.add(done);
    });

  async function pump(sink: AuditSink): Promise<number> {
    const pending = await o.db.withOwner((tx) =>
      rows<{ chain: string; tenant_id: string | null; cursor: number | string }>(
        tx,
        sql`select h.chain::text as chain, h.tenant_id::text as tenant_id, coalesce(c.last_seq, 0) as cursor
            from audit_heads h left join audit_sink_cursors c on c.chain = h.chain and c.sink_id = ${sink.id}
            where h.last_seq > coalesce(c.last_seq, 0) ${sink.chain ? sql`and h.chain = ${sink.chain}::uuid` : sql``} order by h.chain`,
      ),
    );
    let delivered = 0;
    for (const ch of pending) {
      let cursor = Number(ch.cursor);
      for (;;) {
        const batch = await o.db.withOwner((tx) =>
          rows<EventRow>(
            tx,
            sql`select ${EVENT_COLUMNS} from audit_events where chain = ${ch.chain}::uuid and seq > ${cursor} order by seq limit ${batchSize}`,
          ),
        );
        if (batch.length === 0) break;
        const events = batch.map(rowToEvent);
        await sink.deliver(ch.chain === ZERO_CHAIN ? null : ch.tenant_id, events);
        cursor = (events[events.length - 1] as (typeof events)[number]).seq;
        await o.db.withOwner((tx) =>
          tx.execute(sql`insert into audit_sink_cursors (sink_id, chain, last_seq) values (${sink.id}, ${ch.chain}::uuid, ${cursor})
            on conflict (sink_id, chain) do update set last_seq = greatest(audit_sink_cursors.last_seq, excluded.last_seq), updated_at = now()`),
        );
        delivered += events.length;
        if (batch.length < batchSize || stopped) break;
      }
    }
    return delivered;
  }

  async function loop(sink: AuditSink): Promise<void> {
    let failures = 0;
    while (!stopped) {
      try {
        const n = await pump(sink);
        failures = 0;
        if (n === 0) await sleep(pollMs);
      } catch (e) {
        failures++;
        o.onError?.(sink.id, e);
        await sleep(backoffDelay(failures, initialMs, maxMs));
      }
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      loops = o.sinks.map((s) => loop(s));
    },
    async stop() {
      stopped = true;
      for (const w of [...wakers]) w();
      await Promise.all(loops);
      loops = [];
      await Promise.all(o.sinks.map((s) => s.close?.().catch(() => {})));
    },
    pump,
  };
}
