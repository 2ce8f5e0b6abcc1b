// Bounded state for the live stream: an LRU map and bucketed sliding-window counters. Memory per
// key is fixed, and the number of keys is capped, so a flood of actors cannot exhaust the heap.

/** Map with a hard size cap; the least recently written key is evicted first. */
export class LruMap<V> {
  private readonly map = new Map<string, V>();
  constructor(
    readonly capacity: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {}
  get size(): number {
    return this.map.size;
  }
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  /** Inserts or refreshes a key (moves it to the young end). */
  set(key: string, value: V): void {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.capacity) this.evictOldest();
    this.map.set(key, value);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  values(): IterableIterator<V> {
    return this.map.values();
  }
  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }
  private evictOldest(): void {
    const first = this.map.entries().next();
    if (first.done) return;
    this.map.delete(first.value[0]);
    this.onEvict?.(first.value[0], first.value[1]);
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
