// A shutdown that always completes. The repro: a supervisor with the server's output
// piped to it sends SIGTERM to the group and dies at once; the server closed its port and then
// never exited (pino's exit-time flushSync retried the EPIPE for ever), keeping the data dir.
import { spawn, spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitOf, ROOT, VIGIL, waitGone } from './cli.ts';
import { createPgDatabase, freePort, spawnNode, tempDir, waitFor } from './servers.ts';
import { prepare } from './setup.ts';

const TIMEOUT_S = 5;

/** Whether nobody holds the data-directory lock (flock(1) on the same file). */
const lockFree = (dataDir: string) =>
  spawnSync('flock', ['-xn', join(dataDir, 'vigil.lock'), 'true']).status === 0;

describe('fault: shutdown always completes', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it.each(['pglite', 'postgres'] as const)(
    '%s: parent dies with the output pipes: the server exits within the deadline and frees the data dir',
    async (engine) => {
      const dataDir = tempDir('vigil-parent-');
      const pgdb = engine === 'postgres' ? await createPgDatabase() : null;
      if (pgdb) cleanup.push(() => pgdb.drop());
      const port = await freePort();
      const parent = spawn(process.execPath, [join(ROOT, 'test/faults/dying-parent.mjs'), VIGIL, 'serve'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          PORT: String(port),
          SMTP_PORT: String(await freePort()),
          VIGIL_DATA_DIR: dataDir,
          DATABASE_URL: pgdb?.url ?? '',
          LOG_LEVEL: 'info',
          VIGIL_SHUTDOWN_TIMEOUT_SECONDS: String(TIMEOUT_S),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      parent.stdout.on('data', (d: Buffer) => (out += d));
      await exitOf(parent);
      const pid = Number(/SERVER_PID (\d+)/.exec(out)?.[1]);
      expect(pid, out).toBeGreaterThan(0);
      const goneMs = await waitGone(pid, (TIMEOUT_S + 20) * 1000);
      console.log(
        JSON.stringify({ fault: `parent death with piped output (${engine})`, exitedAfterMs: goneMs }),
      );
      expect(goneMs).toBeLessThan((TIMEOUT_S + 5) * 1000);
      expect(lockFree(dataDir)).toBe(true);
    },
    240_000,
  );

  it('pglite: a request that never ends: exits 1 after VIGIL_SHUTDOWN_TIMEOUT_SECONDS naming what it waited for; a second SIGTERM exits at once', async () => {
    const f = await prepare('', { VIGIL_SHUTDOWN_TIMEOUT_SECONDS: '2', LOG_LEVEL: 'info' });
    // A request whose body never comes. `Expect: 100-continue` makes the server say when it has
    // the request (it answers 100 Continue): from then on the request is in flight for ever.
    const stuckRequest = (url: string) =>
      new Promise<Socket>((res, rej) => {
        const u = new URL(url);
        const s = connect(Number(u.port), u.hostname);
        s.on('error', rej);
        s.on('data', (d: Buffer) => {
          if (/^HTTP\/1\.1 100/.test(d.toString())) res(s);
        });
        s.write(
          `POST /api/v1/widget/${f.world.slug}/messages HTTP/1.1\r\nHost: ${u.host}\r\nOrigin: http://localhost\r\n` +
            'Content-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n',
        );
      });

    let node = await f.node();
    let sock = await stuckRequest(node.url);
    let t0 = performance.now();
    node.proc.kill('SIGTERM');
    const first = await exitOf(node.proc);
    const deadlineMs = Math.round(performance.now() - t0);
    sock.destroy();
    expect(first.code).toBe(1);
    const log = node.output.join('');
    expect(log).toMatch(/shutdown did not finish in time/);
    expect(log).toMatch(/"waitingFor":"http requests and websockets"/);
    expect(deadlineMs).toBeGreaterThanOrEqual(1900);
    expect(deadlineMs).toBeLessThan(15_000);
    expect(lockFree(f.env.VIGIL_DATA_DIR!)).toBe(true);

    node = await spawnNode({ ...f.env, VIGIL_SHUTDOWN_TIMEOUT_SECONDS: '600', LOG_LEVEL: 'info' });
    sock = await stuckRequest(node.url);
    node.proc.kill('SIGTERM');
    await waitFor(async () => /shutting down/.test(node.output.join('')), 15_000, 'shutdown to begin');
    t0 = performance.now();
    node.proc.kill('SIGTERM');
    const second = await exitOf(node.proc);
    const secondMs = Math.round(performance.now() - t0);
    sock.destroy();
    expect(second.code).toBe(143);
    expect(secondMs).toBeLessThan(5_000);
    expect(node.output.join('')).toMatch(/second signal: exiting now/);
    console.log(
      JSON.stringify({ fault: 'shutdown deadline and second SIGTERM (PGlite)', deadlineMs, secondMs }),
    );
  }, 240_000);
});
