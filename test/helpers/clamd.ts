// A real clamd for tests: its own config, socket and the repo's test signatures
// (tools/clamav/vigil-test.ndb), started in the foreground and stopped or killed by the test.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClamd } from '../../src/malware/index.ts';

export interface TestClamd {
  socket: string;
  start(): Promise<void>;
  /** SIGKILL: a scanner that dies mid-scan. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const SIGNATURES = resolve(import.meta.dirname, '../../tools/clamav/vigil-test.ndb');
const CLAMD = process.env.VIGIL_TEST_CLAMD ?? '/usr/sbin/clamd';

export async function startTestClamd(): Promise<TestClamd> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-clamd-'));
  mkdirSync(join(dir, 'db'));
  copyFileSync(SIGNATURES, join(dir, 'db', 'vigil-test.ndb'));
  const socket = join(dir, 'clamd.sock');
  const conf = join(dir, 'clamd.conf');
  writeFileSync(
    conf,
    [
      `DatabaseDirectory ${join(dir, 'db')}`,
      `LocalSocket ${socket}`,
      'Foreground yes',
      'Bytecode no',
      'AlertExceedsMax yes',
      'MaxFileSize 20M',
      'MaxScanSize 50M',
      'MaxRecursion 5',
      'StreamMaxLength 25M',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | null = null;
  const exited = () =>
    new Promise<void>((r) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return r();
      child.once('exit', () => r());
    });
  const c: TestClamd = {
    socket,
    async start() {
      child = spawn(CLAMD, ['-c', conf], { stdio: 'ignore' });
      const client = createClamd({ socketPath: socket, timeoutMs: 2000 });
      const end = Date.now() + 90_000;
      while (!(await client.ping())) {
        if (child.exitCode !== null) throw new Error(`clamd exited with ${child.exitCode}`);
        if (Date.now() > end) throw new Error('clamd did not answer PING');
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill() {
      child?.kill('SIGKILL');
      await exited();
    },
    async stop() {
      child?.kill('SIGTERM');
      await exited();
    },
  };
  await c.start();
  return c;
}
