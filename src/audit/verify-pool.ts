// Runs verifyBatch either inline or on a small pool of worker threads (node:worker_threads), so
// that hashing overlaps with fetching the next batches from the database. Results come back in
// whatever order the workers finish; callers await each batch's own promise.
import { Worker } from 'node:worker_threads';
import { type BatchResult, type BatchTask, verifyBatch } from './verify-batch.mjs';

export interface BatchRunner {
  run(task: BatchTask): Promise<BatchResult>;
  close(): Promise<void>;
}

const asBuffer = (u: Uint8Array): Buffer =>
  Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** Structured clone turns Buffers into Uint8Arrays: turn them back. */
function revive(r: BatchResult): BatchResult {
  if (!r.ok) return r;
  const st = (s: [number, Uint8Array][]) => s.map(([n, h]) => [n, asBuffer(h)] as [number, Buffer]);
  return {
    ...r,
    firstPrev: r.firstPrev && asBuffer(r.firstPrev),
    lastHash: r.lastHash && asBuffer(r.lastHash),
    subtrees: st(r.subtrees),
    checkpoints: r.checkpoints.map(([n, s]) => [n, st(s)]),
  };
}

export function createBatchRunner(workers: number): BatchRunner {
  if (workers <= 0) {
    return { run: async (task) => verifyBatch(task), close: async () => {} };
  }
  const url = new URL('./verify-worker.mjs', import.meta.url);
  const pool = Array.from({ length: workers }, () => ({ w: new Worker(url), busy: 0 }));
  const waiting = new Map<
    number,
    { resolve(r: BatchResult): void; reject(e: unknown): void; slot: (typeof pool)[number] }
  >();
  let nextId = 1;
  for (const slot of pool) {
    slot.w.on('message', ({ id, result }: { id: number; result: BatchResult }) => {
      const p = waiting.get(id);
      if (!p) return;
      waiting.delete(id);
      slot.busy--;
      p.resolve(revive(result));
    });
    slot.w.on('error', (e) => {
      for (const [id, p] of waiting) {
        if (p.slot !== slot) continue;
        waiting.delete(id);
        p.reject(e);
      }
    });
  }
  return {
    run(task) {
      const slot = pool.reduce((a, b) => (b.busy < a.busy ? b : a));
      const id = nextId++;
      slot.busy++;
      return new Promise<BatchResult>((resolve, reject) => {
        waiting.set(id, { resolve, reject, slot });
        slot.w.postMessage({ id, task });
      });
    },
    async close() {
      await Promise.all(pool.map((s) => s.w.terminate()));
    },
  };
}
