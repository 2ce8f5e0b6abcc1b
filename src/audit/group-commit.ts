// Group commit for audit events written outside the caller's transaction (reads). Concurrent
// requests of one chain share one transaction: while a batch is being written, new events queue
// and go together in the next one. Each caller still waits until its own event is committed,
// so a read is recorded before its data is returned and fails if the audit write fails.
import type { AuditEvent, AuditEventInput } from './types.ts';
import { validateEvent } from './validate.ts';

type WriteBatch = (tenantId: string | null, inputs: AuditEventInput[]) => Promise<AuditEvent[]>;

interface Pending {
  input: AuditEventInput;
  resolve: (e: AuditEvent) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitter {
  append(input: AuditEventInput): Promise<AuditEvent>;
  /** Resolves when every queued event has been written (shutdown). */
  drain(): Promise<void>;
}

export function createGroupCommitter(write: WriteBatch, maxBatch = 256): GroupCommitter {
  const queues = new Map<string, Pending[]>();
  const running = new Map<string, Promise<void>>();

  async function flush(key: string, tenantId: string | null): Promise<void> {
    for (;;) {
      const queue = queues.get(key);
      if (!queue?.length) break;
      const batch = queue.splice(0, maxBatch);
      try {
        const events = await write(
          tenantId,
          batch.map((p) => p.input),
        );
        batch.forEach((p, i) => {
          p.resolve(events[i] as AuditEvent);
        });
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
    queues.delete(key);
    running.delete(key);
  }

  return {
    append(input) {
      // An invalid event fails alone, not the batch it would have joined.
      validateEvent(input);
      const tenantId = input.tenantId ?? null;
      const key = tenantId ?? 'platform';
      return new Promise<AuditEvent>((resolve, reject) => {
        const queue = queues.get(key) ?? [];
        queues.set(key, queue);
        queue.push({ input, resolve, reject });
        if (!running.has(key)) running.set(key, flush(key, tenantId));
      });
    },
    async drain() {
      while (running.size) await Promise.all([...running.values()]);
    },
  };
}
