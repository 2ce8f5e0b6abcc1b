// Rate-limit counters in the database, so that every node of a cluster counts the same hits
// (a per-process counter would give each node behind a load balancer its own allowance). A
// fixed window per key: the first hit opens it, hits inside it count up, the first hit after
// it opens the next. The database clock decides, so node clocks do not matter.
import { createHash } from 'node:crypto';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { sql } from 'drizzle-orm';
import { type Database, rows } from './db.ts';

export interface RateHit {
  /** Hits in the current window, this one included. */
  current: number;
  /** Milliseconds until the window ends. */
  ttlMs: number;
}

export interface RateCounter {
  hit(namespace: string, key: string, windowMs: number): Promise<RateHit>;
}

const PURGE_EVERY = 500;

export function createRateCounter(db: Pick<Database, 'withOwner'>): RateCounter {
  let sincePurge = 0;
  return {
    async hit(namespace, key, windowMs) {
      const k = createHash('sha256').update(`vigil-rate\0${namespace}\0${key}`).digest();
      const win = Math.max(1, Math.trunc(windowMs));
      const [r] = await db.withOwner(async (tx) => {
        if (++sincePurge >= PURGE_EVERY) {
          sincePurge = 0;
          await tx.execute(sql`delete from rate_limit_hits where window_start < now() - interval '1 day'`);
        }
        return rows<{ hits: number; ttl: number | string }>(
          tx,
          sql`insert into rate_limit_hits as r (key, window_start, hits) values (${k}, now(), 1)
            on conflict (key) do update set
              hits = case when r.window_start + ${win} * interval '1 millisecond' <= now() then 1 else r.hits + 1 end,
              window_start = case when r.window_start + ${win} * interval '1 millisecond' <= now() then now() else r.window_start end
            returning hits, ceil(extract(epoch from (window_start + ${win} * interval '1 millisecond' - now())) * 1000)::int8 as ttl`,
        );
      });
      return { current: Number(r?.hits ?? 1), ttlMs: Math.max(0, Number(r?.ttl ?? win)) };
    },
  };
}

type IncrCallback = (err: Error | null, res?: { current: number; ttl: number }) => void;

/**
 * A store for @fastify/rate-limit backed by a RateCounter: one namespace per route (as its own
 * in-memory store keeps one map per route). Errors fail the request (the plugin's default): a
 * limit that cannot be counted is not waived, and a database that is down answers 503.
 */
export function rateLimitStoreFor(counter: RateCounter): FastifyRateLimitStoreCtor {
  return class DatabaseRateLimitStore implements FastifyRateLimitStore {
    private readonly namespace: string;
    // At run time the plugin passes its merged route parameters (routeInfo = the route).
    constructor(options?: object) {
      const o = options as { routeInfo?: { method?: unknown; url?: string }; groupId?: string } | undefined;
      const route = o?.routeInfo;
      this.namespace = o?.groupId ?? (route?.url ? `${String(route.method)} ${route.url}` : 'global');
    }
    incr(key: string, cb: IncrCallback, timeWindow: number): void {
      counter.hit(this.namespace, key, timeWindow).then(
        (h) => cb(null, { current: h.current, ttl: h.ttlMs }),
        (e: Error) => cb(e),
      );
    }
    child(routeOptions: object): FastifyRateLimitStore {
      return new DatabaseRateLimitStore(routeOptions);
    }
  };
}
