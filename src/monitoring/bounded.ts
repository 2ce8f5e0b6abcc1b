// Bounded state for the live stream: an LRU map and bucketed sliding-window counters. Memory per
// key is fixed, and the number of keys is capped, so a flood of actors cannot exhaust the heap.

/**
 * Map with a hard size cap; roughly the least recently written key is evicted first. Age order
 * is kept in a separate queue: taking the "first" entry of a V8 Map after many deletions scans
 * the deleted slots, which made every eviction linear. A key is re-queued at most once per
 * capacity/8 writes; stale queue entries are skipped and the queue is compacted when it grows.
 */
export class LruMap<V> {
  private readonly map = new Map<string, { value: V; stamp: number }>();
  private qKeys: string[] = [];
  private qStamps: number[] = [];
  private qHead = 0;
  private writes = 0;
  private readonly refreshEvery: number;
  constructor(
    readonly capacity: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {
    this.refreshEvery = Math.max(1, Math.floor(capacity / 8));
  }
  get size(): number {
    return this.map.size;
  }
  get(key: string): V | undefined {
    return this.map.get(key)?.value;
  }
  /** Inserts or updates a key, refreshing its recency. */
  set(key: string, value: V): void {
    const w = ++this.writes;
    const slot = this.map.get(key);
    if (slot) {
      slot.value = value;
      if (w - slot.stamp < this.refreshEvery) return;
      slot.stamp = w;
    } else {
      if (this.map.size >= this.capacity) this.evictOldest();
      this.map.set(key, { value, stamp: w });
    }
    this.enqueue(key, w);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  *values(): IterableIterator<V> {
    for (const slot of this.map.values()) yield slot.value;
  }
  /**
   * Drops expired entries from the old end, at most `budget`; stops at the first live one, since
   * younger entries were written later.
   */
  sweep(isExpired: (value: V) => boolean, budget: number): number {
    let dropped = 0;
    while (dropped < budget) {
      const key = this.oldestKey();
      if (key === undefined) break;
      const slot = this.map.get(key)!;
      if (!isExpired(slot.value)) break;
      this.map.delete(key);
      this.qHead++;
      dropped++;
    }
    return dropped;
  }
  /** Entries in the age queue, live or stale (for the memory bound). */
  get queueLength(): number {
    return this.qKeys.length - this.qHead;
  }
  private enqueue(key: string, stamp: number): void {
    this.qKeys.push(key);
    this.qStamps.push(stamp);
    if (this.qHead > this.capacity + 64 || this.qKeys.length - this.qHead > 2 * this.capacity + 64)
      this.compact();
  }
  /** The key at the head of the queue whose entry is current, dropping stale entries on the way. */
  private oldestKey(): string | undefined {
    while (this.qHead < this.qKeys.length) {
      const key = this.qKeys[this.qHead]!;
      const slot = this.map.get(key);
      if (slot && slot.stamp === this.qStamps[this.qHead]) return key;
      this.qHead++;
    }
    return undefined;
  }
  private compact(): void {
    const keys: string[] = [];
    const stamps: number[] = [];
    for (let i = this.qHead; i < this.qKeys.length; i++) {
      const key = this.qKeys[i]!;
      if (this.map.get(key)?.stamp === this.qStamps[i]) {
        keys.push(key);
        stamps.push(this.qStamps[i]!);
      }
    }
    this.qKeys = keys;
    this.qStamps = stamps;
    this.qHead = 0;
  }
  private evictOldest(): void {
    const key = this.oldestKey();
    if (key === undefined) return;
    const slot = this.map.get(key)!;
    this.map.delete(key);
    this.qHead++;
    this.onEvict?.(key, slot.value);
  }
}

const BUCKETS = 12;

/**
 * Count over a sliding window kept as 12 time buckets. The count covers between
 * (window - window/12) and window of history, so it never overstates the rate.
 */
export class WindowCounter {
  private readonly buckets = new Float64Array(BUCKETS);
  private readonly bucketMs: number;
  private head = -1;
  private sum = 0;
  constructor(readonly windowMs: number) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / BUCKETS));
  }
  /** Adds weight at time t (epoch ms) and returns the windowed total. */
  add(t: number, weight = 1): number {
    const b = Math.floor(t / this.bucketMs);
    this.advance(b);
    // Late events still inside the window count in their own bucket; older ones are dropped.
    if (b > this.head - BUCKETS) {
      this.buckets[b % BUCKETS]! += weight;
      this.sum += weight;
    }
    return this.sum;
  }
  total(t: number): number {
    this.advance(Math.floor(t / this.bucketMs));
    return this.sum;
  }
  /** True once everything counted has left the window at time t. */
  expiredAt(t: number): boolean {
    return (this.head + 1) * this.bucketMs + this.windowMs <= t;
  }
  private advance(b: number): void {
    if (b <= this.head) return;
    if (this.head < 0 || b - this.head >= BUCKETS) {
      this.buckets.fill(0);
      this.sum = 0;
    } else {
      for (let i = this.head + 1; i <= b; i++) {
        const idx = i % BUCKETS;
        this.sum -= this.buckets[idx]!;
        this.buckets[idx] = 0;
      }
    }
    this.head = b;
  }
}

/**
 * Distinct ids seen within a sliding window, capped: once `cap` distinct ids are inside the
 * window we already know the threshold is reached, so older ids are dropped instead of kept.
 */
export class DistinctWindow {
  private readonly seen = new Map<string, number>();
  constructor(
    readonly windowMs: number,
    readonly cap: number,
  ) {}
  get size(): number {
    return this.seen.size;
  }
  add(id: string, t: number): number {
    this.expire(t);
    // Re-insertion keeps the map ordered by last sighting, so expiry only looks at the front.
    if (this.seen.has(id)) this.seen.delete(id);
    else if (this.seen.size >= this.cap) this.dropOldest();
    this.seen.set(id, t);
    return this.seen.size;
  }
  count(t: number): number {
    this.expire(t);
    return this.seen.size;
  }
  /** True once the newest id has left the window at time t. */
  expiredAt(t: number): boolean {
    let last = Number.NEGATIVE_INFINITY;
    for (const seenAt of this.seen.values()) last = seenAt; // insertion order: last is newest
    return last + this.windowMs <= t;
  }
  remove(id: string): void {
    this.seen.delete(id);
  }
  private expire(t: number): void {
    const cutoff = t - this.windowMs;
    for (const [id, seenAt] of this.seen) {
      if (seenAt > cutoff) break;
      this.seen.delete(id);
    }
  }
  private dropOldest(): void {
    const first = this.seen.keys().next();
    if (!first.done) this.seen.delete(first.value);
  }
}
