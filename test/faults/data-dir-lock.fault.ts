// One process per data directory (issue: two embedded servers on one directory both answered
// 201 and one server's messages were gone after a restart). A second `vigil serve` and every
// CLI command that writes is refused with the holder's pid; read-only commands and `backup` go
// through the running server; kill -9 of the holder frees the directory at once.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postWidget, runVigil } from './cli.ts';
import { createPgDatabase, type NodeProc } from './servers.ts';
import { prepare } from './setup.ts';

const BUSY = 75;

describe('fault: one process per data directory', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it('embedded (PGlite): second server and writing commands refused with the holder pid; reads and backup go through the server; kill -9 frees the lock', async () => {
    const f = await prepare('');
    let node: NodeProc = await f.node();
    cleanup.push(() => node.stop());
    const pid = node.proc.pid!;
    expect((await postWidget(node.url, f.world, 'Hallo, ist jemand da?', 'lock-msg-0001')).status).toBe(201);

    const second = await runVigil(['serve'], { ...f.env, PORT: '0' });
    expect(second.code).toBe(BUSY);
    const line = second.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain(`pid ${pid}`);
    expect(line).toMatch(/stop that server first/);
    console.log(JSON.stringify({ fault: 'double start (PGlite)', refusedInMs: second.ms }));

    for (const args of [
      ['keys', 'rotate', '--tenant', f.world.slug],
      ['keys', 'rotate-master'],
      ['migrate'],
      ['restore', '--from', mkdtempSync(join(tmpdir(), 'vigil-nobackup-'))],
    ]) {
      const r = await runVigil(args, f.env);
      expect(r.code, args.join(' ')).toBe(BUSY);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toContain(`pid ${pid}`);
      expect(r.stderr).not.toMatch(/Aborted|WASM|RuntimeError/);
    }

    const status = await runVigil(['keys', 'status'], f.env);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).provider).toBe('local');
    const verify = await runVigil(['audit', 'verify'], f.env);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^ok /m);

    // The backup is taken by the server (one snapshot) and restores into an empty instance.
    const out = join(mkdtempSync(join(tmpdir(), 'vigil-live-backup-')), 'b');
    const backup = await runVigil(['backup', '--out', out, '--json'], f.env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout).rows).toBeGreaterThan(0);
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    const target = { ...f.env, VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-restore-')) };
    const restored = await runVigil(
      ['restore', '--from', out, '--ledger-dir', f.env.VIGIL_DATA_DIR!, '--json'],
      target,
    );
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout).audit.ok).toBe(true);

    // A crashed holder (kill -9, no clean-up) leaves no stale lock: the next start just works.
    await node.crash();
    const t0 = performance.now();
    node = await f.node();
    console.log(
      JSON.stringify({
        fault: 'restart after kill -9 (PGlite)',
        startMs: Math.round(performance.now() - t0),
      }),
    );
    expect(node.proc.pid).not.toBe(pid);
    expect((await postWidget(node.url, f.world, 'Noch da?', 'lock-msg-0002')).status).toBe(201);
  }, 300_000);

  it('PostgreSQL: nodes share the data directory; restore is refused while one runs', async () => {
    const pgdb = await createPgDatabase();
    cleanup.push(() => pgdb.drop());
    const f = await prepare(pgdb.url);
    const a = await f.node();
    cleanup.push(() => a.stop());
    const b = await f.node(); // a second node on the same directory is how a cluster runs
    cleanup.push(() => b.stop());
    expect((await postWidget(b.url, f.world, 'Hallo', 'lock-pg-0001')).status).toBe(201);

    const r = await runVigil(['restore', '--from', mkdtempSync(join(tmpdir(), 'vigil-nobackup-'))], f.env);
    expect(r.code).toBe(BUSY);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/in use by another vigil process; stop the server first/);
    const status = await runVigil(['keys', 'status'], f.env);
    expect(status.code, status.stderr).toBe(0);
  }, 240_000);
});
