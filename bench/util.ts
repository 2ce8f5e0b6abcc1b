// Small helpers shared by the benchmarks.
export function rssSampler(intervalMs = 200) {
  let peak = process.memoryUsage().rss;
  const samples: number[] = [];
  const t = setInterval(() => {
    const r = process.memoryUsage().rss;
    peak = Math.max(peak, r);
    samples.push(r);
  }, intervalMs);
  t.unref();
  return {
    stop() {
      clearInterval(t);
      const mb = (b: number) => Math.round(b / 1e6);
      const third = Math.max(1, Math.floor(samples.length / 3));
      const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
      return {
        peakRssMb: mb(peak),
        firstThirdAvgRssMb: mb(avg(samples.slice(0, third))),
        lastThirdAvgRssMb: mb(avg(samples.slice(-third))),
      };
    },
  };
}

export const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/**
 * A fresh PostgreSQL database on the server of `url` for one benchmark section, dropped after:
 * every run starts from the same empty state and never touches (or trips over) other data.
 */
export async function createScratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `vigil_bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      await admin.query(`drop database if exists ${name} with (force)`).catch(() => {});
      await admin.end();
    },
  };
}

export async function withScratchDatabase<T>(url: string, fn: (url: string) => Promise<T>): Promise<T> {
  const db = await createScratchDatabase(url);
  try {
    return await fn(db.url);
  } finally {
    await db.drop();
  }
}
