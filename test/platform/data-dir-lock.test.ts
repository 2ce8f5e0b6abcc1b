// The data-directory lock (flock(2) on <dataDir>/vigil.lock): exclusive against everything,
// shared with shared, a holder that is stopping is waited for, a holder that died frees it.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirBusyError, lockDataDir, lockFileOf } from '../../src/platform/data-dir-lock.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'vigil-lock-'));

describe('data-directory lock', () => {
  it('refuses a second exclusive or shared holder with the pid, until released', async () => {
    const d = dir();
    const a = await lockDataDir(d, { mode: 'exclusive', command: 'serve' });
    const refused = await lockDataDir(d, { mode: 'exclusive', command: 'migrate' }).catch((e) => e);
    expect(refused).toBeInstanceOf(DataDirBusyError);
    expect(refused.message).toContain(`vigil serve (pid ${process.pid}`);
    expect(refused.holder.state).toBe('running');
    await expect(lockDataDir(d, { mode: 'shared', command: 'serve' })).rejects.toBeInstanceOf(
      DataDirBusyError,
    );
    a.release();
    const b = await lockDataDir(d, { mode: 'exclusive', command: 'migrate' });
    b.release();
  });

  it('lets shared holders share and keeps exclusive out', async () => {
    const d = dir();
    const a = await lockDataDir(d, { mode: 'shared', command: 'serve' });
    const b = await lockDataDir(d, { mode: 'shared', command: 'serve' });
    const refused = await lockDataDir(d, { mode: 'exclusive', command: 'restore' }).catch((e) => e);
    expect(refused.message).toMatch(/in use by another vigil process/);
    a.release();
    b.release();
  });

  it('waits for a holder that is stopping', async () => {
    const d = dir();
    const a = await lockDataDir(d, { mode: 'exclusive', command: 'serve' });
    a.markStopping();
    const waiting = lockDataDir(d, { mode: 'exclusive', command: 'audit verify', waitForStoppingMs: 60_000 });
    a.release();
    (await waiting).release();
  });

  it('is free as soon as a holder is killed with SIGKILL (no stale lock)', async () => {
    const d = dir();
    // Another process holds the flock the same way (util-linux flock on its fd 3), then idles.
    const script = `const fs = require('node:fs'); const fd = fs.openSync(${JSON.stringify(lockFileOf(d))}, 'a+');
      const r = require('node:child_process').spawnSync('flock', ['-xn', '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] });
      process.stdout.write(r.status === 0 ? 'locked' : 'failed'); setInterval(() => {}, 1000);`;
    const holder = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    expect(await new Promise<string>((r) => holder.stdout.once('data', (b: Buffer) => r(String(b))))).toBe(
      'locked',
    );
    await expect(lockDataDir(d, { mode: 'exclusive', command: 'serve' })).rejects.toBeInstanceOf(
      DataDirBusyError,
    );
    const gone = new Promise((r) => holder.once('exit', r));
    holder.kill('SIGKILL');
    await gone;
    const b = await lockDataDir(d, { mode: 'exclusive', command: 'serve' });
    b.release();
  });
});
