// An open-loop load generator: request i is due at start + i / rate, whatever happened to the
// requests before it, and its latency counts from that due time (so a server that falls behind
// is charged for the queue it builds; no coordinated omission). autocannon's -R is not that: each
// connection sends its quota for the second back to back and then waits for the next second, so
// 500 req/s arrive as one burst a second, and its correction then records every response as if
// one were due each millisecond. Both are reported; this one is what "p99 at 500 req/s" means.
import http from 'node:http';

export interface PacedResult {
  offeredPerSec: number;
  completed: number;
  non2xx: number;
  errors: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function pacedLoad(o: {
  url: string;
  headers?: Record<string, string>;
  method?: string;
  /** A fresh body per request (POST). */
  body?: () => string;
  rate: number;
  seconds: number;
  connections?: number;
}): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections ?? 50 });
  const total = Math.round(o.rate * o.seconds);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  const start = performance.now() + 20;
  const one = (due: number) =>
    new Promise<void>((resolve) => {
      const body = o.body?.();
      const req = http.request(o.url, { agent, method: o.method ?? 'GET', headers: o.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300)
            latencies.push(performance.now() - due);
          else non2xx++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const inflight: Promise<void>[] = [];
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / o.rate <= now) {
        inflight.push(one(start + (sent * 1000) / o.rate));
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else done();
    };
    setTimeout(tick, 20);
  });
  await Promise.all(inflight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0) * 10) / 10;
  return {
    offeredPerSec: o.rate,
    completed: latencies.length,
    non2xx,
    errors,
    p50Ms: q(0.5),
    p90Ms: q(0.9),
    p99Ms: q(0.99),
    maxMs: q(1),
  };
}
