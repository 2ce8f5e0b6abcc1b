// PostgreSQL-backed job leases so that only one node of a cluster runs a scheduled job.
// Expiry is on the database clock; a holder renews well before expiry, and a node that cannot
// renew (database unreachable) gives the job up before its lease can have run out, so two nodes
// never both believe they hold it (as long as the job stops when told: `onLost`).
import { sql } from 'drizzle-orm';
import { type Database, rows } from './db.ts';

export interface Leases {
  /** Takes or renews the lease; the fencing token when held, null when another node holds it. */
  acquire(name: string, holder: string, ttlMs: number): Promise<number | null>;
  release(name: string, holder: string): Promise<void>;
}

export function createLeases(db: Pick<Database, 'withOwner'>): Leases {
  return {
    async acquire(name, holder, ttlMs) {
      const [r] = await db.withOwner((tx) =>
        rows<{ fencing_token: string | number }>(
          tx,
          sql`insert into job_leases (name, holder, expires_at)
              values (${name}, ${holder}, now() + ${ttlMs} * interval '1 millisecond')
              on conflict (name) do update set
                holder = excluded.holder,
                expires_at = excluded.expires_at,
                fencing_token = job_leases.fencing_token + (case when job_leases.holder = excluded.holder then 0 else 1 end),
                acquired_at = case when job_leases.holder = excluded.holder then job_leases.acquired_at else now() end
              where job_leases.holder = excluded.holder or job_leases.expires_at <= now()
              returning fencing_token`,
        ),
      );
      return r ? Number(r.fencing_token) : null;
    },
    async release(name, holder) {
      await db.withOwner((tx) =>
        tx.execute(sql`update job_leases set expires_at = now() where name = ${name} and holder = ${holder}`),
      );
    },
  };
}

export interface LeasedJobOptions {
  leases: Leases;
  name: string;
  holder: string;
  ttlMs?: number;
  /** Start the job: this node now holds the lease. */
  onAcquired(token: number): void | Promise<void>;
  /** Stop the job: the lease was lost (or could not be renewed in time). */
  onLost(): void | Promise<void>;
  onError?: (e: unknown) => void;
}

export interface LeasedJob {
  held(): boolean;
  stop(): Promise<void>;
}

/** Keeps trying to hold a lease; runs the job only while held. Renews every ttl/3. */
export function runLeased(o: LeasedJobOptions): LeasedJob {
  const ttlMs = o.ttlMs ?? 30_000;
  let held = false;
  let lastRenew = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function tick(): Promise<void> {
    const started = Date.now();
    try {
      const token = await o.leases.acquire(o.name, o.holder, ttlMs);
      if (stopped) return;
      if (token !== null) {
        lastRenew = started;
        if (!held) {
          held = true;
          await o.onAcquired(token);
        }
      } else if (held) {
        held = false;
        await o.onLost();
      }
    } catch (e) {
      o.onError?.(e);
      // Give the job up before the lease can expire under us (2/3 of the ttl, minus slack).
      if (held && Date.now() - lastRenew > (ttlMs * 2) / 3) {
        held = false;
        await o.onLost();
      }
    }
  }

  const loop = () => {
    if (stopped) return;
    running = tick().finally(() => {
      if (!stopped) {
        timer = setTimeout(loop, Math.max(50, Math.floor(ttlMs / 3)));
        timer.unref?.();
      }
    });
  };
  loop();

  return {
    held: () => held,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => {});
      if (held) {
        held = false;
        await o.onLost();
        await o.leases.release(o.name, o.holder).catch(() => {});
      }
    },
  };
}
