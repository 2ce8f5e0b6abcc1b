// The verification core, independent of the database: feed events in seq order, get the first
// bad sequence number and what happened there. It hashes each event once (the event hash is
// also the Merkle leaf), extends a compact range and compares tree heads at checkpoint sizes.
// The steady-state path allocates only the hash digests; classification of a failure may be
// slow because it runs once.
import { EventEncoder, GENESIS_HASH, type HashedFields } from './canonical.ts';
import { CompactRange } from './merkle.ts';

export type TamperKind =
  | 'modified'
  | 'missing'
  | 'inserted'
  | 'reordered'
  | 'truncated'
  | 'checkpoint_mismatch'
  | 'bad_signature';

export interface ChainProblem {
  seq: number;
  kind: TamperKind;
  detail: string;
}

export interface CheckpointToCheck {
  treeSize: number;
  rootHash: Buffer;
}

export interface ChainStart {
  /** Last purged seq (0 without an anchor). */
  seq: number;
  lastHash: Buffer;
  range: CompactRange;
}

interface Pending {
  fields: HashedFields;
  prevHash: Buffer;
  hash: Buffer;
}

export class ChainVerifier {
  private readonly enc = new EventEncoder();
  private readonly range: CompactRange;
  private readonly checkpoints: CheckpointToCheck[];
  private cpIndex = 0;
  private lastGoodCheckpoint: number;
  private prev: Buffer;
  private nextSeq: number;
  private pending: Pending | undefined;
  problem: ChainProblem | undefined;
  events = 0;
  checkpointsChecked = 0;

  constructor(checkpoints: CheckpointToCheck[], start?: ChainStart) {
    this.range = start ? start.range.clone() : new CompactRange();
    this.prev = start ? start.lastHash : GENESIS_HASH;
    this.nextSeq = (start?.seq ?? 0) + 1;
    this.lastGoodCheckpoint = start?.seq ?? 0;
    this.checkpoints = [...checkpoints].sort((a, b) => a.treeSize - b.treeSize);
    // Checkpoints inside the purged range cannot be recomputed; one exactly at the cut can.
    while (
      this.cpIndex < this.checkpoints.length &&
      (this.checkpoints[this.cpIndex] as CheckpointToCheck).treeSize <= this.range.size
    ) {
      const cp = this.checkpoints[this.cpIndex++] as CheckpointToCheck;
      if (cp.treeSize === this.range.size) this.checkCheckpoint(cp);
    }
  }

  get done(): boolean {
    return this.problem !== undefined;
  }

  get size(): number {
    return this.range.size;
  }

  get lastHash(): Buffer {
    return this.prev;
  }

  root(): Buffer {
    return this.range.root();
  }

  /** Returns false once the first problem is known (stop feeding). */
  push(f: HashedFields, prevHash: Buffer, hash: Buffer): boolean {
    if (this.problem) return false;
    if (this.pending) {
      this.classify(this.pending, { fields: f, prevHash, hash });
      return false;
    }
    const expected = this.nextSeq;
    if (f.seq > expected) return this.fail(expected, 'missing', 'sequence gap');
    if (f.seq < expected) return this.fail(f.seq, 'inserted', 'duplicate or out-of-order sequence number');
    const computed = this.enc.eventHash(f, prevHash);
    const hashOk = computed.equals(hash);
    const prevOk = prevHash.equals(this.prev);
    if (hashOk && prevOk) {
      this.range.append(computed);
      this.prev = computed;
      this.nextSeq++;
      this.events++;
      this.checkCheckpointsAtSize();
      return !this.problem;
    }
    if (!hashOk && prevOk) return this.fail(expected, 'modified', 'event hash does not match its fields');
    if (hashOk && !prevOk) {
      // A valid event whose link does not match: either its predecessor was rewritten (and
      // re-hashed), or a forged event was inserted before it and the rest renumbered.
      if (this.hashesAs(f, expected - 1, prevHash, hash))
        return this.fail(expected - 1, 'inserted', 'event inserted before a renumbered event');
      return this.fail(expected - 1, 'modified', 'predecessor hash does not match the chain');
    }
    if (this.hashesAs(f, expected - 1, prevHash, hash))
      return this.fail(expected - 1, 'inserted', 'event inserted before a renumbered event');
    if (this.enc.eventHash(f, this.prev).equals(hash))
      return this.fail(expected, 'modified', 'stored predecessor hash was changed');
    // Needs the next event to tell a deletion, an insertion and a swap apart.
    this.pending = { fields: f, prevHash, hash };
    return true;
  }

  /** The seq the next pushed event must have. */
  get expectedSeq(): number {
    return this.nextSeq;
  }

  /** True while a later event is needed to classify a problem (feed it through push). */
  get classifying(): boolean {
    return this.pending !== undefined;
  }

  /**
   * Fast path: accepts a batch whose events verify-batch already re-hashed and linked, starting
   * at expectedSeq. Returns false (and changes nothing) when the batch does not continue the
   * chain; the caller then feeds the events through push, which classifies the problem.
   */
  acceptBatch(b: {
    count: number;
    firstPrev: Buffer | null;
    lastHash: Buffer | null;
    subtrees: [number, Buffer][];
    checkpoints: [number, [number, Buffer][]][];
  }): boolean {
    if (
      this.problem ||
      this.pending ||
      b.count === 0 ||
      !b.firstPrev ||
      !b.lastHash ||
      !b.firstPrev.equals(this.prev)
    )
      return false;
    const end = this.range.size + b.count;
    const inside = new Map(b.checkpoints);
    while (
      this.cpIndex < this.checkpoints.length &&
      (this.checkpoints[this.cpIndex] as CheckpointToCheck).treeSize < end
    ) {
      const cp = this.checkpoints[this.cpIndex++] as CheckpointToCheck;
      const subtrees = inside.get(cp.treeSize);
      if (!subtrees)
        return this.fail(
          this.lastGoodCheckpoint + 1,
          'checkpoint_mismatch',
          'checkpoint inside a batch could not be recomputed',
        );
      const r = this.range.clone();
      for (const [n, root] of subtrees) r.appendSubtree(n, root);
      this.checkRoot(cp, r.root());
      if (this.problem) return false;
    }
    for (const [n, root] of b.subtrees) this.range.appendSubtree(n, root);
    this.prev = b.lastHash;
    this.nextSeq += b.count;
    this.events += b.count;
    this.checkCheckpointsAtSize();
    return !this.problem;
  }

  /** Ends the stream; `head` is the chain head row (last seq and hash) if one exists. */
  finish(head?: { lastSeq: number; lastHash: Buffer }): ChainProblem | undefined {
    if (this.pending) this.classify(this.pending, undefined);
    if (this.problem) return this.problem;
    const last = this.nextSeq - 1;
    const cp = this.checkpoints[this.cpIndex];
    if (cp && cp.treeSize > this.range.size)
      return this.setProblem(last + 1, 'truncated', 'a signed checkpoint covers events that are gone');
    if (head) {
      if (head.lastSeq > last)
        return this.setProblem(last + 1, 'truncated', 'chain head is ahead of the stored events');
      if (head.lastSeq < last)
        return this.setProblem(head.lastSeq + 1, 'inserted', 'events beyond the chain head');
      if (!head.lastHash.equals(this.prev))
        return this.setProblem(last, 'modified', 'chain head hash does not match the last event');
    } else if (last > 0) {
      return this.setProblem(1, 'inserted', 'events without a chain head');
    }
    return undefined;
  }

  private classify(cur: Pending, next: Pending | undefined): void {
    const s = cur.fields.seq;
    const curIsNext = this.hashesAs(cur.fields, s + 1, cur.prevHash, cur.hash);
    const nextIsCur = next !== undefined && this.hashesAs(next.fields, s, next.prevHash, next.hash);
    if (nextIsCur)
      this.setProblem(
        s,
        curIsNext ? 'reordered' : 'inserted',
        curIsNext ? 'events swapped' : 'event inserted',
      );
    else if (curIsNext) this.setProblem(s, 'missing', 'event deleted and later events renumbered');
    else this.setProblem(s, 'reordered', 'event content belongs elsewhere in the chain');
    this.pending = undefined;
  }

  private hashesAs(f: HashedFields, seq: number, prevHash: Buffer, hash: Buffer): boolean {
    return seq > 0 && this.enc.eventHash({ ...f, seq }, prevHash).equals(hash);
  }

  private checkCheckpointsAtSize(): void {
    while (
      this.cpIndex < this.checkpoints.length &&
      (this.checkpoints[this.cpIndex] as CheckpointToCheck).treeSize === this.range.size
    ) {
      this.checkCheckpoint(this.checkpoints[this.cpIndex++] as CheckpointToCheck);
    }
  }

  private checkCheckpoint(cp: CheckpointToCheck): void {
    this.checkRoot(cp, this.range.root());
  }

  private checkRoot(cp: CheckpointToCheck, root: Buffer): void {
    this.checkpointsChecked++;
    if (root.equals(cp.rootHash)) {
      this.lastGoodCheckpoint = cp.treeSize;
      return;
    }
    // The whole chain up to here was rewritten consistently: only the signed root catches it,
    // and the first bad event lies after the last checkpoint that still matched.
    this.setProblem(
      this.lastGoodCheckpoint + 1,
      'checkpoint_mismatch',
      'tree head differs from a signed checkpoint',
    );
  }

  private fail(seq: number, kind: TamperKind, detail: string): false {
    this.setProblem(seq, kind, detail);
    return false;
  }

  private setProblem(seq: number, kind: TamperKind, detail: string): ChainProblem {
    this.problem ??= { seq, kind, detail };
    return this.problem;
  }
}
