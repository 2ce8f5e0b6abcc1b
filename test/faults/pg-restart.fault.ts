// PostgreSQL restarted under load (a private cluster, never the shared server): requests fail
// fast with a stable 503 and no internals, and the node recovers by itself once the server is back.
import { afterAll, describe, expect, it } from 'vitest';
import { havePgBinaries, startPgCluster } from './servers.ts';
import { prepare, sleep } from './setup.ts';
import { call, loginAt, type Res } from './world.ts';

describe.runIf(havePgBinaries())('fault: PostgreSQL restart during load', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await Promise.resolve(c()).catch(() => {});
  });

  it('answers 503 service_unavailable fast while the database is down and recovers without help', async () => {
    const cluster = await startPgCluster();
    cleanup.push(() => cluster.destroy());
    const f = await prepare(cluster.url);
    const node = await f.node();
    cleanup.push(() => node.stop());
    const s = await loginAt(node.url, f.world.agent);
    const list = () => call(node.url, 'GET', `/api/v1/tenants/${f.world.slug}/conversations`, undefined, s);
    expect((await list()).status).toBe(200);

    // Load from 4 clients for the whole experiment; every response is kept.
    const seen: Array<Res & { phase: string }> = [];
    let phase = 'before';
    let stop = false;
    const client = async () => {
      while (!stop) {
        const p = phase;
        try {
          seen.push({ ...(await list()), phase: p });
        } catch (e) {
          seen.push({ status: 0, json: null, text: String(e), ms: 0, phase: p });
        }
        await sleep(10);
      }
    };
    const clients = [client(), client(), client(), client()];
    await sleep(500);
    cluster.stop();
    phase = 'down';
    await sleep(2000);
    phase = 'restarting';
    cluster.start();
    const restartedAt = Date.now();
    // Recovery: the first 200 after the restart, without touching the node.
    let recoveredMs = -1;
    while (Date.now() - restartedAt < 20_000) {
      const r = await list().catch(() => null);
      if (r?.status === 200) {
        recoveredMs = Date.now() - restartedAt;
        break;
      }
      await sleep(100);
    }
    phase = 'after';
    await sleep(1000);
    stop = true;
    await Promise.all(clients);

    const down = seen.filter((r) => r.phase === 'down');
    const odd = seen.filter((r) => r.status !== 200 && r.status !== 503);
    if (odd.length) console.log(odd.slice(0, 3), node.output.join('').slice(-3000));
    expect(down.length).toBeGreaterThan(10);
    for (const r of down) {
      expect(r.status).toBe(503);
      expect(r.json?.error?.code).toBe('service_unavailable');
      expect(r.text).not.toMatch(/ECONNREFUSED|stack|at .*\.ts|postgres|SQL/i);
      expect(r.ms).toBeLessThan(2000);
    }
    expect(recoveredMs).toBeGreaterThanOrEqual(0);
    const after = seen.filter((r) => r.phase === 'after');
    expect(after.length).toBeGreaterThan(5);
    expect(after.every((r) => r.status === 200)).toBe(true);
    const p99 = down.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(down.length * 0.99)] ?? 0;
    console.log(
      JSON.stringify({
        fault: 'PostgreSQL restart',
        requestsWhileDown: down.length,
        statusesWhileDown: [...new Set(down.map((r) => r.status))],
        p99MsWhileDown: Math.round(p99),
        recoveredMsAfterRestart: recoveredMs,
        requestsAfter: after.length,
      }),
    );
  });
});
