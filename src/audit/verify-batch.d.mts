// Types of verify-batch.mjs (plain JavaScript so worker threads load it without a TS loader).
export interface BatchTask {
  tenantId: string | null;
  firstSeq: number;
  count: number;
  text: string;
  /** prev_hash || hash of each event, 64 bytes per event. */
  hashes: Uint8Array;
  /** Checkpoint tree sizes; those strictly inside the batch get their own subtree list. */
  cpSizes?: number[];
}

/** [subtree size, subtree root] */
export type Subtree = [number, Buffer];

export type BatchResult =
  | {
      ok: true;
      count: number;
      firstPrev: Buffer | null;
      lastHash: Buffer | null;
      subtrees: Subtree[];
      checkpoints: [number, Subtree[]][];
    }
  | { ok: false; seq: number };

export function verifyBatch(task: BatchTask): BatchResult;
export function alignedSubtrees(leaves: Buffer[], start: number, end: number): Subtree[];
export function canonicalMeta(text: string): string | null;
